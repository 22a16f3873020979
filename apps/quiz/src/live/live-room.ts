import { LiveSession, randomDelay } from '../domain/live-session.js';
import { validateNickname } from '../domain/nickname.js';
import type { NicknameFilter } from '../domain/nickname-filter.js';
import { generateSecret, hashSecret, nicknameKey, type AddPlayerResult, type AppendResult, type LiveSessionRecord, type NewPlayer, type NewSubmission, type QuizStore } from '../store/store.js';
import type { CommandReply, HostCommand, HostState, JoinRequest, PlayerView, PresenterState, PublicState, SubmitReply } from '../shared/protocol.js';
import { encodeAnswer, loadLiveSession, saveLiveSession } from './persistence.js';
import type { GroupCommit } from './group-commit.js';
import { hostState, playerView, publicState, Standings, type Link, type Presence, type RoomIdentity } from './views.js';
import { parseCommand, parseSubmit } from './requests.js';
import { checkReaction, DEFAULT_FAIRNESS_LIMITS, type CheckedReaction, type FairnessLimits } from '../domain/fairness.js';
import { DEFAULT_LEAD, openLeadMs, type LeadOptions } from './open-schedule.js';
import { presenterState } from './presenter-view.js';

/** Where a room's pushes go; the realtime layer implements it on the baro server. */
export interface RoomOutlet {
  toPlayers(state: PublicState): void;
  toHosts(state: HostState): void;
  toPresenters(state: PresenterState): void;
  toPlayer(playerId: string, view: PlayerView): void;
  /** Players with at least one open session, who get their own view after a close. */
  connectedPlayers(): Iterable<string>;
  presence(playerId: string): Link;
  hasHosts(): boolean;
  hasPresenters(): boolean;
  /** Tells a removed player's pages and takes them out of the room. */
  dropPlayer(playerId: string): void;
}

export interface RoomOptions {
  store: QuizStore;
  answers: GroupCommit<NewSubmission, AppendResult>;
  joins: GroupCommit<NewPlayer, AddPlayerResult>;
  record: LiveSessionRecord;
  session: LiveSession;
  joinUrl: string;
  now?: () => number;
  random?: () => number;
  /** The range of the random delay before submissions open. Default 1–5 s. */
  randomDelayMs?: { min: number; max: number };
  /** Seats in one live session; past it a join is refused (the seated can still come back). Default 10,000. */
  maxPlayers?: number;
  /** How far ahead the opening instant is announced (open-schedule.ts). */
  openLead?: Partial<LeadOptions>;
  /** Clock uncertainty threshold and slack of the reaction-time check (domain/fairness.ts). */
  fairness?: Partial<FairnessLimits>;
  /** The server's recent event-loop lag, ms, which widens the reaction-time check (loop-lag.ts). Default none. */
  serverLagMs?: () => number;
  /** Words a nickname may not contain. Default: none. */
  nicknameFilter?: NicknameFilter;
}

export const DEFAULT_MAX_PLAYERS = 10_000;

export type SeatResult = { ok: true; playerId: string; secret: string } | { ok: false; error: string };

const NO_OUTLET: RoomOutlet = {
  toPlayers() {},
  toHosts() {},
  toPresenters() {},
  toPlayer() {},
  connectedPlayers: () => [],
  presence: () => ({ connected: false, reconnecting: false, rttMs: null, transport: null, clockUncertaintyMs: null }),
  hasHosts: () => false,
  hasPresenters: () => false,
  dropPlayer() {},
};

/**
 * One live session at run time: applies host commands and answers to the domain, stores them,
 * runs the open/countdown timers and pushes what changed. The domain decides; the store makes it
 * durable before anyone is told.
 */
export class LiveRoom {
  readonly id: string;
  readonly code: string;
  readonly identity: RoomIdentity;
  #session: LiveSession;
  /**
   * What players are shown of scores and rankings: computed at every host command except "open",
   * so an answer to an open question cannot show in anyone's score before the question closes (a
   * cotato player would otherwise learn they are the scorer), and so a join or an answer costs no
   * leaderboard. The host's view is always computed fresh.
   */
  #revealed: Standings;
  #outlet: RoomOutlet = NO_OUTLET;
  /** Starts from the clock, so that versions keep increasing across a server restart. */
  #version: number;
  #reloads = 0;
  #openTimer?: NodeJS.Timeout;
  #deadlineTimer?: NodeJS.Timeout;
  #hostTimer?: NodeJS.Timeout;
  readonly #store: QuizStore;
  readonly #answers: GroupCommit<NewSubmission, AppendResult>;
  readonly #joins: GroupCommit<NewPlayer, AddPlayerResult>;
  /** Nicknames (by key) of joins being stored: taken already, so two joins cannot race for one. */
  readonly #pendingNicknames = new Set<string>();
  readonly #record: LiveSessionRecord;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #delay: { min: number; max: number };
  readonly #maxPlayers: number;
  readonly #lead: LeadOptions;
  readonly #fairness: FairnessLimits;
  readonly #serverLag: () => number;
  /** When the current opening's announcement had been written to every player (server clock). */
  #announcedAt: number | null = null;
  readonly #nicknameFilter: NicknameFilter | undefined;

  constructor(options: RoomOptions) {
    this.#store = options.store;
    this.#answers = options.answers;
    this.#joins = options.joins;
    this.#record = options.record;
    this.#session = options.session;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#delay = options.randomDelayMs ?? { min: 1000, max: 5000 };
    this.#maxPlayers = options.maxPlayers ?? DEFAULT_MAX_PLAYERS;
    this.#lead = { ...DEFAULT_LEAD, ...options.openLead };
    this.#fairness = { ...DEFAULT_FAIRNESS_LIMITS, ...options.fairness };
    this.#serverLag = options.serverLagMs ?? (() => 0);
    this.#nicknameFilter = options.nicknameFilter;
    this.id = options.record.id;
    this.code = options.record.code;
    this.identity = { liveId: this.id, code: this.code, joinUrl: options.joinUrl };
    this.#revealed = new Standings(this.#session);
    this.#version = this.#now();
    this.#armTimers();
  }

  get session(): LiveSession {
    return this.#session;
  }

  connect(outlet: RoomOutlet): void {
    this.#outlet = outlet;
  }

  // ---- views ---------------------------------------------------------------------------------

  publicState(): PublicState {
    return publicState(this.#session, this.identity, this.#revealed, this.#now(), this.#version);
  }

  hostState(): HostState {
    return hostState(this.#session, this.identity, new Standings(this.#session), (id) => this.#presence(id), this.#now(), this.#version);
  }

  /** A player's link, and whether their clock is synced well enough to rank them by reaction time. */
  #presence(playerId: string): Presence {
    const link = this.#outlet.presence(playerId);
    return { ...link, clockSynced: link.clockUncertaintyMs !== null && link.clockUncertaintyMs <= this.#fairness.maxUncertaintyMs };
  }

  presenterState(): PresenterState {
    return presenterState(this.#session, this.identity, this.publicState(), (id) => this.#outlet.presence(id));
  }

  playerView(playerId: string): PlayerView | null {
    return playerView(this.#session, playerId, this.#revealed);
  }

  // ---- players -------------------------------------------------------------------------------

  /** Resolves once the seat is stored; rejects if the store fails (the caller answers with an error). */
  async join(request: JoinRequest): Promise<SeatResult> {
    if (this.#session.phase === 'finished') return { ok: false, error: 'this quiz is over' };
    if (this.#session.locked) return { ok: false, error: 'the host has closed this quiz to new players' };
    if (this.#session.playerCount + this.#pendingNicknames.size >= this.#maxPlayers) return { ok: false, error: `this quiz is full (${this.#maxPlayers} players)` };
    const checked = validateNickname(request?.nickname);
    if (!checked.ok) return { ok: false, error: checked.reason };
    const { nickname } = checked;
    if (this.#nicknameFilter?.blocks(nickname)) return { ok: false, error: 'this nickname is not allowed here: choose another' };
    const taken = { ok: false, error: `the nickname "${nickname}" is taken: choose another` } as const;
    const key = nicknameKey(nickname);
    if (this.#session.nicknameTaken(nickname) || this.#pendingNicknames.has(key)) return taken;
    const secret = generateSecret();
    this.#pendingNicknames.add(key);
    let stored: AddPlayerResult;
    try {
      stored = await this.#joins.write({ liveSessionId: this.id, nickname, secretHash: hashSecret(secret) });
    } finally {
      this.#pendingNicknames.delete(key);
    }
    if (!stored.ok) {
      if (stored.error.code === 'conflict') return taken;
      throw stored.error;
    }
    const joined = this.#session.join(stored.player.id, nickname, this.#now());
    if (!joined.ok) return { ok: false, error: joined.reason };
    this.scheduleHostPush();
    return { ok: true, playerId: stored.player.id, secret };
  }

  /** The seat's owner coming back (reload, another device): proven by the secret. */
  rejoin(playerId: unknown, secret: unknown): boolean {
    if (typeof playerId !== 'string' || typeof secret !== 'string' || secret.length > 200) return false;
    const player = this.#store.findPlayerBySecretHash(this.id, hashSecret(secret));
    return player !== undefined && player.id === playerId && this.#session.findPlayer(playerId) !== undefined;
  }

  /** Resolves once the answer is stored (or refused); the reply is what the player is told. */
  async submit(playerId: string, raw: unknown): Promise<SubmitReply> {
    const request = parseSubmit(raw);
    if (!request.ok) return { accepted: false, reason: 'invalid-answer', message: request.error };
    const { questionIndex, answer, clientSubmissionId } = request.value;
    const now = this.#now();
    const result = this.#session.submit(playerId, questionIndex, answer, clientSubmissionId, now, this.#reaction(playerId, request.value.reactionMs, now));
    if (!result.accepted) return { accepted: false, reason: result.reason, message: result.message };
    if (result.duplicate) {
      // The original may still be in the batch being written: answer only once it is stored.
      const reloads = this.#reloads;
      await this.#answers.settled();
      // Its batch failed and was forgotten: this retry is the answer now.
      if (this.#reloads !== reloads) return this.submit(playerId, raw);
      return { accepted: true, ticket: result.ticket, correct: result.correct, attempt: result.attempt, duplicate: true, at: result.at };
    }
    try {
      const stored = await this.#answers.write({
        liveSessionId: this.id,
        playerId,
        questionIndex,
        answer: encodeAnswer(answer),
        clientSubmissionId,
        correct: result.correct,
        points: 0,
        ...this.#storedReaction(playerId, questionIndex, result.ticket),
      });
      if (stored.submission.ticket !== result.ticket) throw new Error(`ticket ${result.ticket} was stored as ${stored.submission.ticket}`);
    } catch (error) {
      // The store is the truth: forget what it did not keep (once per failed batch), and tell the player.
      console.error(`quiz ${this.code}: an answer could not be stored:`, error);
      if (this.#session.submissionsOf(playerId, questionIndex).some((x) => x.ticket === result.ticket)) this.#reload();
      return { accepted: false, reason: 'server-error', message: 'the answer could not be saved: please send it again' };
    }
    this.#pushPlayer(playerId);
    this.scheduleHostPush();
    return { accepted: true, ticket: result.ticket, correct: result.correct, attempt: result.attempt, duplicate: false, at: result.at };
  }

  // ---- host ----------------------------------------------------------------------------------

  command(raw: unknown): CommandReply {
    const parsed = parseCommand(raw);
    if (!parsed.ok) return parsed;
    const command: HostCommand = parsed.value;
    const now = this.#now();
    const s = this.#session;
    let result: { ok: true } | { ok: false; reason: string };
    switch (command.command) {
      case 'show':
        result = s.show(command.index, now);
        break;
      case 'open': {
        const delayMs = command.delayMs === 'random' ? randomDelay(this.#delay.min, this.#delay.max, this.#random) : (command.delayMs ?? 0);
        // Scheduled: the instant is fixed, and told to the players, only once the delay has run.
        result = s.open(now, { delayMs, scheduled: true, ...(command.timeLimitMs === undefined ? {} : { timeLimitMs: command.timeLimitMs }) });
        break;
      }
      case 'cancel-open':
        result = s.cancelOpen(now);
        break;
      case 'close':
        result = s.close(now);
        break;
      case 'next':
        result = s.next(now);
        break;
      case 'finish':
        result = s.finish(now);
        break;
      case 'regrade':
        result = this.#regrade(command.questionIndex, command.answer);
        break;
      case 'kick':
        result = s.kick(command.playerId);
        if (result.ok) this.#outlet.dropPlayer(command.playerId);
        break;
      case 'lock':
        result = s.setLocked(command.locked);
        break;
    }
    if (!result.ok) return { ok: false, error: result.reason };
    saveLiveSession(this.#store, this.id, s);
    // An open (and its cancel) tells the players nothing: only the announcement, once the delay
    // has run, does; anything earlier would tell them an opening is coming.
    const opening = command.command === 'open' || command.command === 'cancel-open';
    if (opening) this.#pushHost();
    else {
      this.#revealed = new Standings(s);
      this.#changed(true);
    }
    this.#armTimers();
    return { ok: true };
  }

  /**
   * The delay has run: fix the opening instant a lead ahead (open-schedule.ts) and tell the
   * players. Only the shared state goes out: this is the push that must reach everyone fastest.
   */
  #announce(): void {
    const rtts: number[] = [];
    for (const playerId of this.#outlet.connectedPlayers()) {
      const rtt = this.#outlet.presence(playerId).rttMs;
      if (rtt !== null) rtts.push(rtt);
    }
    const now = this.#now();
    if (!this.#session.announceOpen(now, now + openLeadMs(rtts, this.#lead)).ok) return;
    saveLiveSession(this.#store, this.id, this.#session);
    this.#changed(false);
    this.#announcedAt = this.#now();
    this.#armTimers();
  }

  /** The reaction time this answer is ranked by, checked against what the server saw (domain/fairness.ts). */
  #reaction(playerId: string, claimedMs: number | undefined, now: number): CheckedReaction | undefined {
    const index = this.#session.currentIndex;
    const q = index === null ? undefined : this.#session.questionState(index);
    if (!q || q.stage !== 'open' || q.opensAt === null || q.announcedAt == null || now < q.opensAt) return undefined;
    const presence = this.#presence(playerId);
    return checkReaction(
      {
        claimedMs,
        arrivedAt: now,
        opensAt: q.opensAt,
        announcedAt: this.#announcedAt ?? q.announcedAt,
        rttMs: presence.rttMs,
        uncertaintyMs: presence.clockSynced ? presence.clockUncertaintyMs : null,
        serverLagMs: this.#serverLag(),
      },
      this.#fairness,
    );
  }

  #storedReaction(playerId: string, questionIndex: number, ticket: number): { reactionMs?: number; reactionFlag?: string } {
    const mine = this.#session.submissionsOf(playerId, questionIndex).find((x) => x.ticket === ticket);
    return {
      ...(mine?.reactionMs == null ? {} : { reactionMs: mine.reactionMs }),
      ...(mine?.reactionFlag == null ? {} : { reactionFlag: mine.reactionFlag }),
    };
  }

  #regrade(questionIndex: number, answer: string): { ok: true } | { ok: false; reason: string } {
    const result = this.#session.regrade(questionIndex, answer);
    if (!result.ok) return result;
    const grades = this.#session.submissionsAt(questionIndex).map((x) => ({ ticket: x.ticket, correct: x.correct, points: 0 }));
    this.#store.gradeSubmissions(this.id, grades);
    return { ok: true };
  }

  /** Timers follow the domain state, so a restored room picks up a pending open or countdown. */
  #armTimers(): void {
    clearTimeout(this.#openTimer);
    clearTimeout(this.#deadlineTimer);
    const index = this.#session.currentIndex;
    if (index === null || this.#session.phase !== 'ongoing') return;
    const q = this.#session.questionState(index)!;
    if (q.stage !== 'open') return;
    const now = this.#now();
    if (this.#session.openingPending) {
      this.#armOpenTimer(q.opensAt!);
      return;
    }
    // The players know the instant already; the host's view changes when it comes.
    if (q.opensAt !== null && q.opensAt > now) this.#openTimer = setTimeout(() => this.#pushHost(), q.opensAt - now);
    if (q.deadline !== null) {
      this.#deadlineTimer = setTimeout(() => this.command({ command: 'close' }), Math.max(0, q.deadline - now));
    }
  }

  /**
   * The players learn of the opening once its delay has run, never earlier. A timer may fire a
   * millisecond before the wall clock reaches the end of the delay (timers run on a monotonic
   * clock): then it waits out the rest.
   */
  #armOpenTimer(delayEnds: number): void {
    this.#openTimer = setTimeout(() => {
      const now = this.#now();
      if (now < delayEnds) this.#armOpenTimer(delayEnds);
      else this.#announce();
    }, delayEnds - this.#now());
  }

  /** Pushes a new state to everyone; `personal`: every player also gets their own view (placement, answers). */
  #changed(personal: boolean): void {
    this.#version++;
    this.#outlet.toPlayers(this.publicState());
    if (personal) {
      for (const playerId of this.#outlet.connectedPlayers()) {
        const view = this.playerView(playerId);
        if (view) this.#outlet.toPlayer(playerId, view);
      }
    }
    // The host's view (large with many players) is built after the players' state has been written out.
    clearTimeout(this.#hostTimer);
    this.#hostTimer = setTimeout(() => this.#pushHost(), 0);
  }

  #pushPlayer(playerId: string): void {
    const view = this.playerView(playerId);
    if (view) this.#outlet.toPlayer(playerId, view);
  }

  #pushHost(): void {
    clearTimeout(this.#hostTimer);
    this.#hostTimer = undefined;
    if (this.#outlet.hasHosts()) this.#outlet.toHosts(this.hostState());
    if (this.#outlet.hasPresenters()) this.#outlet.toPresenters(this.presenterState());
  }

  /**
   * Joins, answers and latency changes reach the host at most every 100 ms plus 1 ms per 20
   * players: the host view of 10,000 players is large and must not be rebuilt for every answer.
   */
  scheduleHostPush(): void {
    if (this.#hostTimer !== undefined || (!this.#outlet.hasHosts() && !this.#outlet.hasPresenters())) return;
    this.#hostTimer = setTimeout(() => this.#pushHost(), 100 + Math.floor(this.#session.playerCount / 20));
  }

  #reload(): void {
    this.#reloads++;
    const quiz = this.#session.quiz;
    this.#session = loadLiveSession(this.#store, this.#record, quiz);
    this.#revealed = new Standings(this.#session);
  }

  /** Stops the timers; a join or answer still finishing afterwards pushes to nobody. */
  dispose(): void {
    this.#outlet = NO_OUTLET;
    clearTimeout(this.#openTimer);
    clearTimeout(this.#deadlineTimer);
    clearTimeout(this.#hostTimer);
  }
}
