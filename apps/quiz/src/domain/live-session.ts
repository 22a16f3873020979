/**
 * One live quiz session as a pure state machine. Time (`now`, ms since epoch) and identifiers are
 * passed in; nothing here reads the clock, sets timers or does I/O. The whole state is a plain,
 * JSON-serialisable snapshot (`toSnapshot` / `LiveSession.fromSnapshot`). Rules: README.md.
 */
import type { Answer, Quiz, QuizMode } from './quiz.js';
import { DEFAULT_FALSE_START_PENALTY_MS, DEFAULT_MAX_ATTEMPTS, isCorrect, isWellFormedAnswer, normalizeAnswer } from './quiz.js';
import type { CheckedReaction, ReactionFlag } from './fairness.js';
import { nicknameKey, validateNickname } from './nickname.js';
import { toCsv, type CsvValue } from './csv.js';

export type Phase = 'before' | 'ongoing' | 'finished';
export type Stage = 'hidden' | 'shown' | 'open' | 'closed';

/** Speed mode uses this countdown when neither the question nor `open` gives one. */
export const SPEED_DEFAULT_TIME_LIMIT_MS = 20_000;
export const SPEED_MAX_POINTS = 1000;

export interface PlayerRecord {
  id: string;
  nickname: string;
  joinedAt: number;
}

export interface SubmissionRecord {
  ticket: number;
  playerId: string;
  questionIndex: number;
  answer: Answer;
  clientSubmissionId: string;
  at: number;
  /** 1 for the player's first accepted submission on this question, then 2, 3… */
  attempt: number;
  correct: boolean;
  /** The reaction time the server accepted (ms, see fairness.ts); null or absent: ranked by arrival. */
  reactionMs?: number | null;
  reactionFlag?: ReactionFlag | null;
}

export interface QuestionState {
  stage: Stage;
  shownAt: number | null;
  /**
   * When submissions start being accepted (may be after the `open` command: random delay). A
   * scheduled open (`announcedAt` null) holds here the instant its delay ends, and answers stay
   * refused until `announceOpen` fixes the real one.
   */
  opensAt: number | null;
  /** When the players were told the opening instant; null while a scheduled open is still secret. */
  announcedAt?: number | null;
  /** Opened with `scheduled`: an answer before `opensAt` is a false start, and penalised. */
  scheduled?: boolean;
  /** Players who answered before answers opened (false starts). */
  falseStarts?: string[];
  /** Submissions at or after this instant are refused (countdown); null: no countdown. */
  deadline: number | null;
  closedAt: number | null;
  /** Short-answer spellings accepted by regrades. */
  extraAccepted: string[];
}

export interface LiveSessionSnapshot {
  version: 1;
  quiz: Quiz;
  phase: Phase;
  current: number | null;
  questions: QuestionState[];
  players: PlayerRecord[];
  submissions: SubmissionRecord[];
  nextTicket: number;
  /** Players the host removed: out of the game (rankings, charts), their seat closed to them. */
  kicked?: string[];
  /** No new players (those seated still come back). */
  locked?: boolean;
}

export type CommandResult = { ok: true } | { ok: false; reason: string };

export type RefusalReason =
  | 'unknown-player'
  | 'session-not-started'
  | 'session-finished'
  | 'not-current-question'
  | 'not-open'
  | 'not-open-yet'
  | 'closed'
  | 'time-up'
  | 'invalid-answer'
  | 'already-correct'
  | 'already-answered'
  | 'false-start'
  | 'too-many-attempts'
  /** The same (wrong) answer again: a retry must be another answer. */
  | 'same-answer';

export type SubmitResult =
  | { accepted: true; ticket: number; correct: boolean; attempt: number; at: number; duplicate: boolean }
  | { accepted: false; reason: RefusalReason; message: string };

export type JoinResult = { ok: true; player: PlayerRecord } | { ok: false; reason: string };

export interface RankingEntry {
  rank: number;
  playerId: string;
  nickname: string;
  ticket: number;
  at: number;
  attempt: number;
  /** Milliseconds between the question opening and the submission. */
  elapsedMs: number;
  /** The checked reaction time (ms); null: none, the player is ranked by `elapsedMs` (arrival). */
  reactionMs: number | null;
  reactionFlag: ReactionFlag | null;
  /** Speed mode points; in cotato mode 1 for the scorer, 0 otherwise. */
  points: number;
}

export interface LeaderboardEntry {
  rank: number;
  playerId: string;
  nickname: string;
  /** Cotato: questions won (scorer). Speed: questions answered correctly. */
  wins: number;
  correct: number;
  /** Speed mode total points (cotato: equal to wins). */
  points: number;
  /** Tie-break: cotato sums the winning tickets, speed the tickets of correct answers. Lower wins. */
  ticketSum: number;
}

export interface FinalResults {
  mode: QuizMode;
  finished: boolean;
  /** Players with the top score (cotato: most wins; speed: most points), score > 0. */
  crowned: LeaderboardEntry[];
  /** First of the leaderboard after tie-breaks, or null if nobody scored. */
  winner: LeaderboardEntry | null;
  leaderboard: LeaderboardEntry[];
  /** Scorer (cotato: first correct by ticket; speed: most points) of each question. */
  scorers: (string | null)[];
}

const clone = <T>(value: T): T => structuredClone(value);

function deepFreeze(value: object): void {
  for (const child of Object.values(value)) if (typeof child === 'object' && child !== null) deepFreeze(child);
  Object.freeze(value);
}

const answerKey = (playerId: string, questionIndex: number) => `${playerId}\u0000${questionIndex}`;
const clientKey = (playerId: string, clientSubmissionId: string) => `${playerId}\u0000${clientSubmissionId}`;

export class LiveSession {
  private state: LiveSessionSnapshot;
  // Indexes over `state`, so that a submit or a join costs the same with 10 or 10,000 players.
  private readonly playersById = new Map<string, PlayerRecord>();
  private readonly nicknameKeys = new Set<string>();
  private readonly byClientId = new Map<string, SubmissionRecord>();
  private readonly byPlayerQuestion = new Map<string, SubmissionRecord[]>();
  /** The current question's false starts, by player (an index over its `falseStarts`). */
  private falseStarters = new Set<string>();

  private constructor(state: LiveSessionSnapshot) {
    // The store keeps a removed player's row and answers (the exports show them); the game does not.
    const kicked = new Set(state.kicked ?? []);
    if (kicked.size > 0) {
      state.players = state.players.filter((p) => !kicked.has(p.id));
      state.submissions = state.submissions.filter((x) => !kicked.has(x.playerId));
    }
    this.state = state;
    deepFreeze(state.quiz);
    for (const player of state.players) this.indexPlayer(player);
    for (const sub of state.submissions) this.indexSubmission(sub);
    this.indexFalseStarts();
  }

  private indexFalseStarts(): void {
    const q = this.state.current === null ? undefined : this.state.questions[this.state.current];
    this.falseStarters = new Set(q?.falseStarts ?? []);
  }

  private indexPlayer(player: PlayerRecord): void {
    this.playersById.set(player.id, player);
    this.nicknameKeys.add(nicknameKey(player.nickname));
  }

  private indexSubmission(sub: SubmissionRecord): void {
    this.byClientId.set(clientKey(sub.playerId, sub.clientSubmissionId), sub);
    const key = answerKey(sub.playerId, sub.questionIndex);
    const list = this.byPlayerQuestion.get(key);
    if (list) list.push(sub);
    else this.byPlayerQuestion.set(key, [sub]);
  }

  static create(quiz: Quiz): LiveSession {
    return new LiveSession({
      version: 1,
      quiz: clone(quiz),
      phase: 'before',
      current: null,
      questions: quiz.questions.map(() => ({ stage: 'hidden', shownAt: null, opensAt: null, deadline: null, closedAt: null, extraAccepted: [] })),
      players: [],
      submissions: [],
      nextTicket: 1,
    });
  }

  static fromSnapshot(snapshot: LiveSessionSnapshot): LiveSession {
    if (!snapshot || snapshot.version !== 1) throw new Error('unsupported live session snapshot version');
    if (snapshot.questions.length !== snapshot.quiz.questions.length) throw new Error('snapshot question states do not match the quiz');
    return new LiveSession(clone(snapshot));
  }

  /**
   * The whole state as plain JSON-safe data. `{ records: false }` leaves the players and submissions
   * out (empty lists): for a caller that stores those separately, a snapshot that stays small.
   */
  toSnapshot({ records = true }: { records?: boolean } = {}): LiveSessionSnapshot {
    if (records) return clone(this.state);
    return clone({ ...this.state, players: [], submissions: [] });
  }

  get mode(): QuizMode {
    return this.state.quiz.mode;
  }
  get phase(): Phase {
    return this.state.phase;
  }
  get currentIndex(): number | null {
    return this.state.current;
  }
  /** The quiz itself, deeply frozen: read on every view, so it is not copied each time. */
  get quiz(): Quiz {
    return this.state.quiz;
  }
  questionState(index: number): QuestionState | undefined {
    const q = this.state.questions[index];
    // A shallow copy: views ask for it once per player, and structuredClone would dominate.
    return q && { ...q, extraAccepted: [...q.extraAccepted] };
  }
  /** Players in join order (shallow copies: the host's view reads them on every push). */
  get players(): PlayerRecord[] {
    return this.state.players.map((p) => ({ ...p }));
  }
  get submissions(): SubmissionRecord[] {
    return clone(this.state.submissions);
  }
  get playerCount(): number {
    return this.state.players.length;
  }
  /** Whether a player of this session has this nickname (as `nicknameKey` compares them). */
  nicknameTaken(nickname: string): boolean {
    return this.nicknameKeys.has(nicknameKey(nickname));
  }
  /** One player, without copying the whole list. */
  findPlayer(id: string): PlayerRecord | undefined {
    const player = this.playersById.get(id);
    return player && { ...player };
  }
  /** A player's accepted submissions to one question, in ticket order. */
  submissionsOf(playerId: string, questionIndex: number): SubmissionRecord[] {
    return (this.byPlayerQuestion.get(answerKey(playerId, questionIndex)) ?? []).map((x) => ({ ...x }));
  }
  /** Question `index`'s accepted submissions, in ticket order. */
  submissionsAt(index: number): SubmissionRecord[] {
    return this.state.submissions.filter((x) => x.questionIndex === index).map((x) => ({ ...x }));
  }
  /** Whether the mode's rules still let this player answer the current question. */
  maySubmit(playerId: string): boolean {
    const s = this.state;
    if (s.current === null || s.phase !== 'ongoing') return false;
    const mine = this.byPlayerQuestion.get(answerKey(playerId, s.current)) ?? [];
    return this.mode === 'speed' ? mine.length === 0 : mine.length < this.maxAttempts && !mine.some((x) => x.correct);
  }

  /** Answers a player may have accepted per question (the quiz's setting). */
  get maxAttempts(): number {
    return this.state.quiz.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  }

  // ---- players -------------------------------------------------------------------------------

  /** Add a player; `playerId` is chosen by the caller (e.g. a random id). */
  join(playerId: string, nickname: string, now: number): JoinResult {
    if (this.state.phase === 'finished') return { ok: false, reason: 'the session is finished' };
    if (this.player(playerId)) return { ok: false, reason: 'player id already in use' };
    const checked = validateNickname(nickname);
    if (!checked.ok) return checked;
    if (this.nicknameKeys.has(nicknameKey(checked.nickname))) {
      return { ok: false, reason: `nickname "${checked.nickname}" is already taken in this session` };
    }
    const player = { id: playerId, nickname: checked.nickname, joinedAt: now };
    this.state.players.push(player);
    this.indexPlayer(player);
    return { ok: true, player: clone(player) };
  }

  /** A returning player (reconnect) by id; their submissions are kept. */
  rejoin(playerId: string): JoinResult {
    const player = this.player(playerId);
    return player ? { ok: true, player: clone(player) } : { ok: false, reason: 'unknown player id' };
  }

  private player(id: string): PlayerRecord | undefined {
    return this.playersById.get(id);
  }

  get locked(): boolean {
    return this.state.locked === true;
  }

  /** Closes (or reopens) the session to new players. */
  setLocked(locked: boolean): CommandResult {
    if (this.state.phase === 'finished') return { ok: false, reason: 'the session is finished' };
    this.state.locked = locked;
    return { ok: true };
  }

  /**
   * Removes a player from the game: their answers stop counting (rankings and scorers are
   * recomputed without them) and their seat is closed to them. Their nickname stays taken.
   */
  kick(playerId: string): CommandResult {
    const player = this.player(playerId);
    if (!player) return { ok: false, reason: 'no such player' };
    const s = this.state;
    s.kicked = [...(s.kicked ?? []), playerId];
    s.players = s.players.filter((p) => p.id !== playerId);
    this.playersById.delete(playerId);
    for (const sub of s.submissions) {
      if (sub.playerId !== playerId) continue;
      this.byClientId.delete(clientKey(sub.playerId, sub.clientSubmissionId));
      this.byPlayerQuestion.delete(answerKey(sub.playerId, sub.questionIndex));
    }
    s.submissions = s.submissions.filter((x) => x.playerId !== playerId);
    return { ok: true };
  }

  // ---- host commands -------------------------------------------------------------------------

  /** Show question `index` (players see it; submissions stay closed). Starts the session if needed. */
  show(index: number, now: number): CommandResult {
    const s = this.state;
    if (s.phase === 'finished') return { ok: false, reason: 'the session is finished' };
    if (!Number.isInteger(index) || index < 0 || index >= s.questions.length) return { ok: false, reason: `no question ${index}` };
    const cur = s.current === null ? null : s.questions[s.current];
    if (cur && cur.stage === 'open') return { ok: false, reason: 'close the open question first' };
    if (s.questions[index].stage !== 'hidden' && s.current !== index) return { ok: false, reason: `question ${index + 1} was already played` };
    if (cur && s.current !== index && cur.stage === 'shown') Object.assign(cur, { stage: 'hidden', shownAt: null });
    s.phase = 'ongoing';
    s.current = index;
    if (s.questions[index].stage === 'hidden') Object.assign(s.questions[index], { stage: 'shown', shownAt: now });
    this.indexFalseStarts();
    return { ok: true };
  }

  /**
   * Open the current (shown) question. Submissions are accepted from `now + delayMs` (pass a random
   * delay to stop players from guessing the moment) until `close`, or until the countdown ends
   * (`timeLimitMs`, else the question's, else none; speed mode defaults to 20 s). `scheduled`:
   * answers open only once `announceOpen` has fixed the instant (after the delay has run).
   */
  open(now: number, options: { delayMs?: number; timeLimitMs?: number; scheduled?: boolean } = {}): CommandResult {
    const s = this.state;
    if (s.phase !== 'ongoing' || s.current === null) return { ok: false, reason: 'no question is shown' };
    const q = s.questions[s.current];
    if (q.stage !== 'shown') return { ok: false, reason: `question ${s.current + 1} is ${q.stage}, not shown` };
    const delay = Math.max(0, options.delayMs ?? 0);
    const limit = options.timeLimitMs ?? s.quiz.questions[s.current].timeLimitMs ?? (this.mode === 'speed' ? SPEED_DEFAULT_TIME_LIMIT_MS : null);
    q.stage = 'open';
    q.opensAt = now + delay;
    q.deadline = limit === null ? null : q.opensAt + limit;
    // Unscheduled, the players are told at the opening instant itself.
    q.announcedAt = options.scheduled ? null : q.opensAt;
    q.scheduled = options.scheduled === true;
    return { ok: true };
  }

  /** Whether the current question has a scheduled open whose instant is not fixed (and told) yet. */
  get openingPending(): boolean {
    const q = this.state.current === null ? null : this.state.questions[this.state.current];
    return q?.stage === 'open' && q.announcedAt === null;
  }

  /**
   * Fix a scheduled open's instant, once its delay has run: answers are accepted from `opensAt`
   * (told to the players now, ahead of it), and the countdown starts there.
   */
  announceOpen(now: number, opensAt: number): CommandResult {
    const s = this.state;
    const q = s.current === null ? null : s.questions[s.current];
    if (!q || q.stage !== 'open' || q.announcedAt !== null) return { ok: false, reason: 'no opening is pending' };
    const limit = q.deadline === null ? null : q.deadline - q.opensAt!;
    q.opensAt = Math.max(opensAt, now);
    q.deadline = limit === null ? null : q.opensAt + limit;
    q.announcedAt = now;
    return { ok: true };
  }

  /**
   * Take back an open whose delay has not yet passed: the question is shown again, as if never
   * opened. No answer can have been accepted (they are refused until `opensAt`).
   */
  cancelOpen(now: number): CommandResult {
    const s = this.state;
    const q = s.current === null ? null : s.questions[s.current];
    if (!q || q.stage !== 'open') return { ok: false, reason: 'no question is opening' };
    if (q.opensAt === null || now >= q.opensAt || (q.announcedAt != null && now >= q.announcedAt)) {
      return { ok: false, reason: 'answers are already open: close the question instead' };
    }
    Object.assign(q, { stage: 'shown', opensAt: null, deadline: null, announcedAt: null, scheduled: false });
    return { ok: true };
  }

  /** Close the open question: the answer and the question's ranking may now be revealed. */
  close(now: number): CommandResult {
    const s = this.state;
    const q = s.current === null ? null : s.questions[s.current];
    if (!q || q.stage !== 'open') return { ok: false, reason: 'no question is open' };
    q.stage = 'closed';
    q.closedAt = now;
    return { ok: true };
  }

  /** Show the question after the current one (or the first). */
  next(now: number): CommandResult {
    const s = this.state;
    const index = s.current === null ? 0 : s.current + 1;
    if (index >= s.questions.length) return { ok: false, reason: 'no more questions: finish the session' };
    if (s.current !== null && s.questions[s.current].stage !== 'closed') return { ok: false, reason: 'close the current question first' };
    return this.show(index, now);
  }

  /** End the session (closing an open question at `now`). */
  finish(now: number): CommandResult {
    const s = this.state;
    if (s.phase === 'finished') return { ok: false, reason: 'the session is already finished' };
    if (s.current !== null && s.questions[s.current].stage === 'open') this.close(now);
    s.phase = 'finished';
    return { ok: true };
  }

  // ---- submissions ---------------------------------------------------------------------------

  /**
   * `reaction`: the reaction time the caller checked (fairness.ts), kept with the answer for the
   * "reaction" ranking rule.
   */
  submit(playerId: string, questionIndex: number, answer: unknown, clientSubmissionId: string, now: number, reaction?: CheckedReaction): SubmitResult {
    const s = this.state;
    const refuse = (reason: RefusalReason, message: string): SubmitResult => ({ accepted: false, reason, message });
    if (!this.player(playerId)) return refuse('unknown-player', 'join the session first');
    const earlier = this.byClientId.get(clientKey(playerId, clientSubmissionId));
    if (earlier) {
      return { accepted: true, ticket: earlier.ticket, correct: earlier.correct, attempt: earlier.attempt, at: earlier.at, duplicate: true };
    }
    if (s.phase === 'before') return refuse('session-not-started', 'the quiz has not started');
    if (s.phase === 'finished') return refuse('session-finished', 'the quiz is over');
    if (questionIndex !== s.current) return refuse('not-current-question', `question ${questionIndex} is not the current question`);
    const q = s.questions[questionIndex];
    if (q.stage === 'hidden' || q.stage === 'shown') return refuse('not-open', 'answers are not open yet');
    if (q.stage === 'closed') return refuse('closed', 'answers are closed for this question');
    if (!q.scheduled && now < (q.opensAt ?? Infinity)) return refuse('not-open-yet', 'answers are not open yet (wait for the signal)');
    if (q.scheduled && (q.announcedAt === null || now < q.opensAt!)) {
      // Anticipating the signal is a false start: the player waits out a penalty after the open.
      if (!this.falseStarters.has(playerId)) {
        this.falseStarters.add(playerId);
        (q.falseStarts ??= []).push(playerId);
      }
      return refuse('false-start', `false start: answers were not open yet, so yours open ${this.falseStartPenalty} ms after everyone's`);
    }
    if (this.falseStarters.has(playerId) && now < q.opensAt! + this.falseStartPenalty) {
      return refuse('false-start', `false start: your answers open ${this.falseStartPenalty} ms after everyone's`);
    }
    if (q.deadline !== null && now >= q.deadline) return refuse('time-up', 'time is up for this question');
    const question = s.quiz.questions[questionIndex];
    if (!isWellFormedAnswer(question, answer)) {
      return refuse('invalid-answer', question.kind === 'choice' ? 'pick one of the options' : 'answer is not valid text (max 200 characters)');
    }
    const mine = this.byPlayerQuestion.get(answerKey(playerId, questionIndex)) ?? [];
    if (this.mode === 'speed' && mine.length > 0) return refuse('already-answered', 'one answer per question in speed mode');
    if (this.mode === 'cotato' && mine.some((x) => x.correct)) return refuse('already-correct', 'you already answered correctly');
    if (mine.length >= this.maxAttempts) return refuse('too-many-attempts', `at most ${this.maxAttempts} answers per question`);
    if (mine.some((x) => sameAnswer(x.answer, answer))) return refuse('same-answer', 'you already sent this answer: try another');
    const record: SubmissionRecord = {
      ticket: s.nextTicket++,
      playerId,
      questionIndex,
      answer,
      clientSubmissionId,
      at: now,
      attempt: mine.length + 1,
      correct: isCorrect(question, answer, q.extraAccepted),
      ...(reaction ? { reactionMs: reaction.reactionMs, reactionFlag: reaction.flag } : {}),
    };
    s.submissions.push(record);
    this.indexSubmission(record);
    return { accepted: true, ticket: record.ticket, correct: record.correct, attempt: record.attempt, at: now, duplicate: false };
  }

  /**
   * Accept another spelling for a closed short-answer question and re-mark its submissions; the
   * scorer and points follow. Returns how many submissions changed from wrong to right.
   */
  regrade(questionIndex: number, extraAcceptedAnswer: string): { ok: true; changed: number } | { ok: false; reason: string } {
    const s = this.state;
    const question = s.quiz.questions[questionIndex];
    const q = s.questions[questionIndex];
    if (!question || !q) return { ok: false, reason: `no question ${questionIndex}` };
    if (question.kind !== 'short') return { ok: false, reason: 'only short-answer questions can be regraded' };
    if (q.stage !== 'closed') return { ok: false, reason: 'regrade a question after closing it' };
    if (typeof extraAcceptedAnswer !== 'string' || extraAcceptedAnswer.trim() === '' || extraAcceptedAnswer.length > 200) {
      return { ok: false, reason: 'the accepted answer must be 1–200 characters' };
    }
    q.extraAccepted.push(extraAcceptedAnswer);
    let changed = 0;
    for (const sub of s.submissions) {
      if (sub.questionIndex !== questionIndex) continue;
      const correct = isCorrect(question, sub.answer, q.extraAccepted);
      if (correct !== sub.correct) changed++;
      sub.correct = correct;
    }
    return { ok: true, changed };
  }

  // ---- results -------------------------------------------------------------------------------

  get falseStartPenalty(): number {
    return this.state.quiz.falseStartPenaltyMs ?? DEFAULT_FALSE_START_PENALTY_MS;
  }

  /**
   * What a submission is ranked by, in ms from the opening: under the "reaction" rule its checked
   * reaction time when it has one, else (and under "arrival") the time from opening to arrival.
   */
  private rankingTime(sub: SubmissionRecord): number {
    const q = this.state.questions[sub.questionIndex];
    const arrival = Math.max(0, sub.at - (q.opensAt ?? sub.at));
    return this.state.quiz.ranking === 'reaction' && sub.reactionMs != null ? sub.reactionMs : arrival;
  }

  /** Speed points for one correct submission: round(1000 × (1 − elapsed / limit / 2)), elapsed clamped to [0, limit]. */
  private speedPoints(sub: SubmissionRecord): number {
    const q = this.state.questions[sub.questionIndex];
    if (!sub.correct || q.opensAt === null) return 0;
    const limit = q.deadline === null ? SPEED_DEFAULT_TIME_LIMIT_MS : q.deadline - q.opensAt;
    const elapsed = Math.min(this.rankingTime(sub), limit);
    return Math.round(SPEED_MAX_POINTS * (1 - elapsed / limit / 2));
  }

  /**
   * The correct answers to question `index`, best first. Cotato: each player's first correct
   * submission ordered by ticket (rank 1 is the scorer). Speed: ordered by points, then ticket.
   * Whether to reveal it (after close) is the caller's decision.
   */
  questionRanking(index: number): RankingEntry[] {
    const s = this.state;
    const q = s.questions[index];
    if (!q) return [];
    const firsts = new Map<string, SubmissionRecord>();
    const answers = s.submissions.filter((sub) => sub.questionIndex === index && sub.correct).sort((a, b) => a.ticket - b.ticket);
    for (const sub of answers) if (!firsts.has(sub.playerId)) firsts.set(sub.playerId, sub);
    const speed = this.mode === 'speed';
    const ordered = [...firsts.values()];
    if (s.quiz.ranking === 'reaction') ordered.sort((a, b) => this.rankingTime(a) - this.rankingTime(b) || a.ticket - b.ticket);
    const entries = ordered.map((sub, i) => ({
      rank: 0,
      playerId: sub.playerId,
      nickname: this.player(sub.playerId)?.nickname ?? '',
      ticket: sub.ticket,
      at: sub.at,
      attempt: sub.attempt,
      elapsedMs: Math.max(0, sub.at - (q.opensAt ?? sub.at)),
      reactionMs: sub.reactionMs ?? null,
      reactionFlag: sub.reactionFlag ?? null,
      points: speed ? this.speedPoints(sub) : i === 0 ? 1 : 0,
    }));
    if (speed) entries.sort((a, b) => b.points - a.points || a.ticket - b.ticket);
    entries.forEach((e, i) => (e.rank = i + 1));
    return entries;
  }

  /** The question's scorer: rank 1 of `questionRanking`, or null. */
  scorer(index: number): string | null {
    return this.questionRanking(index)[0]?.playerId ?? null;
  }

  /**
   * Everyone, best first. Cotato: most wins, then the lowest sum of winning tickets (won earlier),
   * then join order. Speed: most points, then the lowest sum of tickets of correct answers, then
   * join order. Equal score and ticket sum share a rank.
   */
  leaderboard(): LeaderboardEntry[] {
    const s = this.state;
    const rows = new Map<string, LeaderboardEntry & { order: number }>();
    s.players.forEach((p, order) =>
      rows.set(p.id, { rank: 0, playerId: p.id, nickname: p.nickname, wins: 0, correct: 0, points: 0, ticketSum: 0, order }),
    );
    const speed = this.mode === 'speed';
    s.questions.forEach((_, i) => {
      const ranking = this.questionRanking(i);
      ranking.forEach((entry, r) => {
        const row = rows.get(entry.playerId);
        if (!row) return;
        row.correct++;
        if (speed) {
          row.points += entry.points;
          row.wins++;
          row.ticketSum += entry.ticket;
        } else if (r === 0) {
          row.wins++;
          row.points++;
          row.ticketSum += entry.ticket;
        }
      });
    });
    const score = (e: LeaderboardEntry) => (speed ? e.points : e.wins);
    const sorted = [...rows.values()].sort((a, b) => score(b) - score(a) || a.ticketSum - b.ticketSum || a.order - b.order);
    sorted.forEach((e, i) => {
      const prev = sorted[i - 1];
      e.rank = prev && score(prev) === score(e) && prev.ticketSum === e.ticketSum ? prev.rank : i + 1;
    });
    return sorted.map(({ order: _order, ...rest }) => rest);
  }

  finalResults(): FinalResults {
    const leaderboard = this.leaderboard();
    const crowned = crownedOf(this.mode, leaderboard);
    return {
      mode: this.mode,
      finished: this.state.phase === 'finished',
      crowned,
      winner: crowned[0] ?? null,
      leaderboard,
      scorers: this.state.questions.map((_, i) => this.scorer(i)),
    };
  }

  /**
   * Results as CSV: one row per player (rank, nickname, wins, correct, points, ticket sum), then per
   * question the ticket of the player's first correct answer (cotato) or their points (speed).
   */
  toCsv(): string {
    const n = this.state.questions.length;
    const header: CsvValue[] = ['rank', 'nickname', 'wins', 'correct', 'points', 'ticketSum', ...Array.from({ length: n }, (_, i) => `q${i + 1}`)];
    const perQuestion = Array.from({ length: n }, (_, i) => new Map(this.questionRanking(i).map((e) => [e.playerId, e])));
    const rows: CsvValue[][] = this.leaderboard().map((e) => [
      e.rank,
      e.nickname,
      e.wins,
      e.correct,
      e.points,
      e.ticketSum,
      ...perQuestion.map((m) => {
        const entry = m.get(e.playerId);
        return entry === undefined ? '' : this.mode === 'speed' ? entry.points : entry.ticket;
      }),
    ]);
    return toCsv([header, ...rows]);
  }

  /** Every accepted submission as CSV, in ticket order (answers are user text: formula-guarded). */
  submissionsCsv(): string {
    const rows: CsvValue[][] = [...this.state.submissions]
      .sort((a, b) => a.ticket - b.ticket)
      .map((x) => [x.ticket, x.at, x.questionIndex + 1, this.player(x.playerId)?.nickname ?? x.playerId, String(x.answer), x.attempt, x.correct ? 'yes' : 'no']);
    return toCsv([['ticket', 'at', 'question', 'nickname', 'answer', 'attempt', 'correct'], ...rows]);
  }
}

/** Two answers that grade alike: the same option, or texts equal once normalised. */
function sameAnswer(a: Answer, b: Answer): boolean {
  if (typeof a === 'number' || typeof b === 'number') return a === b;
  return normalizeAnswer(a) === normalizeAnswer(b);
}

/** Everyone with the top score (cotato: wins, speed: points), if it is above 0; the winner is the first. */
export function crownedOf(mode: QuizMode, leaderboard: readonly LeaderboardEntry[]): LeaderboardEntry[] {
  const score = (e: LeaderboardEntry) => (mode === 'speed' ? e.points : e.wins);
  const top = leaderboard.length > 0 ? score(leaderboard[0]) : 0;
  return top > 0 ? leaderboard.filter((e) => score(e) === top) : [];
}

/** A random opening delay in [minMs, maxMs], using the injected `random` (0 ≤ random() < 1). */
export function randomDelay(minMs: number, maxMs: number, random: () => number): number {
  return Math.floor(minMs + random() * (maxMs - minMs + 1));
}

