import { randomUUID } from 'node:crypto';
import {
  JOIN_CODE_ATTEMPTS,
  LIMITS,
  StoreError,
  addEachPlayer,
  checkGrades,
  checkNewQuiz,
  checkNewSubmission,
  checkOptionalIndex,
  checkOptionalText,
  checkSnapshot,
  checkText,
  generateJoinCode,
  nicknameKey,
  normalizeJoinCode,
  serializeBody,
} from './store.js';
import type {
  AddPlayerResult,
  AppendResult,
  Grade,
  LiveSessionPatch,
  LiveSessionRecord,
  NewLiveSession,
  NewPlayer,
  NewQuiz,
  NewSubmission,
  PlayerRecord,
  QuizPatch,
  QuizRecord,
  QuizStore,
  SnapshotRecord,
  ImageRecord,
  NewImage,
  StoreOptions,
  SubmissionRecord,
} from './store.js';

interface StoredQuiz {
  id: string;
  title: string;
  /** Serialized, like the SQLite column: returned records are always fresh copies. */
  body: string;
  createdAt: number;
  updatedAt: number;
}

interface StoredSession {
  record: LiveSessionRecord;
  nextTicket: number;
  players: PlayerRecord[];
  submissions: SubmissionRecord[];
  /** `${playerId}\u0000${questionIndex}\u0000${clientSubmissionId}` → ticket. */
  byClientId: Map<string, number>;
  snapshot: SnapshotRecord | undefined;
}

/**
 * `QuizStore` in plain maps, for fast domain tests. Same behaviour as `SqliteQuizStore` (the shared
 * suite checks it), no durability. Every record handed out is a copy.
 */
export class MemoryQuizStore implements QuizStore {
  readonly #now: () => number;
  readonly #generateJoinCode: () => string;
  readonly #generateId: () => string;
  readonly #quizzes = new Map<string, StoredQuiz>();
  readonly #sessions = new Map<string, StoredSession>();
  readonly #sessionsByCode = new Map<string, string>();
  readonly #players = new Map<string, PlayerRecord>();
  readonly #images = new Map<string, ImageRecord>();
  readonly #archived = new Set<string>();
  #closed = false;

  constructor(options: StoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#generateJoinCode = options.generateJoinCode ?? generateJoinCode;
    this.#generateId = options.generateId ?? randomUUID;
  }

  // Quizzes

  createQuiz(input: NewQuiz): QuizRecord {
    this.#open();
    const { title, body } = checkNewQuiz(input);
    const now = this.#now();
    const quiz: StoredQuiz = { id: this.#generateId(), title, body, createdAt: now, updatedAt: now };
    this.#quizzes.set(quiz.id, quiz);
    return quizRecord(quiz);
  }

  getQuiz(id: string): QuizRecord | undefined {
    this.#open();
    const quiz = this.#quizzes.get(id);
    return quiz && quizRecord(quiz);
  }

  listQuizzes(): QuizRecord[] {
    this.#open();
    return [...this.#quizzes.values()]
      .sort((a, b) => a.createdAt - b.createdAt || compare(a.id, b.id))
      .map(quizRecord);
  }

  updateQuiz(id: string, patch: QuizPatch): QuizRecord {
    this.#open();
    const title = patch.title === undefined ? undefined : checkText('title', patch.title, LIMITS.title);
    const body = patch.body === undefined ? undefined : serializeBody(patch.body);
    const quiz = this.#quizzes.get(id);
    if (!quiz) throw new StoreError('not_found', `no quiz ${id}`);
    if (title !== undefined) quiz.title = title;
    if (body !== undefined) quiz.body = body;
    quiz.updatedAt = this.#now();
    return quizRecord(quiz);
  }

  deleteQuiz(id: string): boolean {
    this.#open();
    if (!this.#quizzes.has(id)) return false;
    for (const session of this.#sessions.values()) {
      if (session.record.quizId === id) throw new StoreError('conflict', `quiz ${id} has live sessions`);
    }
    return this.#quizzes.delete(id);
  }

  // Live sessions

  createLiveSession(input: NewLiveSession): LiveSessionRecord {
    this.#open();
    const quizId = checkText('quizId', input.quizId, LIMITS.id);
    const phase = checkText('phase', input.phase, LIMITS.phase);
    const stage = checkOptionalText('stage', input.stage ?? null, LIMITS.stage);
    const currentQuestion = checkOptionalIndex('currentQuestion', input.currentQuestion ?? null, LIMITS.questionIndex);
    if (!this.#quizzes.has(quizId)) throw new StoreError('not_found', `no quiz ${quizId}`);
    const code = this.#freshCode();
    const now = this.#now();
    const record: LiveSessionRecord = {
      id: this.#generateId(),
      quizId,
      code,
      phase,
      stage,
      currentQuestion,
      createdAt: now,
      updatedAt: now,
    };
    this.#sessions.set(record.id, {
      record,
      nextTicket: 1,
      players: [],
      submissions: [],
      byClientId: new Map(),
      snapshot: undefined,
    });
    this.#sessionsByCode.set(code, record.id);
    return { ...record };
  }

  #freshCode(): string {
    for (let attempt = 0; attempt < JOIN_CODE_ATTEMPTS; attempt++) {
      const code = normalizeJoinCode(this.#generateJoinCode());
      if (code === undefined) throw new StoreError('invalid', 'the join code generator produced an invalid code');
      if (!this.#sessionsByCode.has(code)) return code;
    }
    throw new StoreError('conflict', `no free join code after ${JOIN_CODE_ATTEMPTS} attempts`);
  }

  getLiveSession(id: string): LiveSessionRecord | undefined {
    this.#open();
    const session = this.#sessions.get(id);
    return session && { ...session.record };
  }

  getLiveSessionByCode(code: string): LiveSessionRecord | undefined {
    this.#open();
    const normalized = normalizeJoinCode(code);
    const id = normalized === undefined ? undefined : this.#sessionsByCode.get(normalized);
    return id === undefined ? undefined : this.getLiveSession(id);
  }

  listLiveSessions(): LiveSessionRecord[] {
    this.#open();
    return [...this.#sessions.values()]
      .map((session) => ({ ...session.record }))
      .sort((a, b) => b.createdAt - a.createdAt || compare(b.id, a.id));
  }

  updateLiveSession(id: string, patch: LiveSessionPatch): LiveSessionRecord {
    this.#open();
    const next: Partial<LiveSessionRecord> = {};
    if (patch.phase !== undefined) next.phase = checkText('phase', patch.phase, LIMITS.phase);
    if (patch.stage !== undefined) next.stage = checkOptionalText('stage', patch.stage, LIMITS.stage);
    if (patch.currentQuestion !== undefined) {
      next.currentQuestion = checkOptionalIndex('currentQuestion', patch.currentQuestion, LIMITS.questionIndex);
    }
    const session = this.#session(id);
    Object.assign(session.record, next, { updatedAt: this.#now() });
    return { ...session.record };
  }

  // Players

  addPlayer(input: NewPlayer): PlayerRecord {
    this.#open();
    const liveSessionId = checkText('liveSessionId', input.liveSessionId, LIMITS.id);
    const nickname = checkText('nickname', input.nickname, LIMITS.nickname);
    const secretHash = checkText('secretHash', input.secretHash, LIMITS.hash);
    const session = this.#session(liveSessionId);
    const key = nicknameKey(nickname);
    if (session.players.some((p) => p.nicknameKey === key)) {
      throw new StoreError('conflict', `nickname "${nickname}" is taken in this session`);
    }
    const player: PlayerRecord = {
      id: this.#generateId(),
      liveSessionId,
      nickname,
      nicknameKey: key,
      secretHash,
      joinedAt: this.#now(),
    };
    session.players.push(player);
    this.#players.set(player.id, player);
    return { ...player };
  }

  addPlayers(inputs: readonly NewPlayer[]): AddPlayerResult[] {
    return addEachPlayer(inputs, (input) => this.addPlayer(input));
  }

  getPlayer(id: string): PlayerRecord | undefined {
    this.#open();
    const player = this.#players.get(id);
    return player && { ...player };
  }

  listPlayers(liveSessionId: string): PlayerRecord[] {
    this.#open();
    return (this.#sessions.get(liveSessionId)?.players ?? []).map((p) => ({ ...p }));
  }

  countPlayers(liveSessionId: string): number {
    this.#open();
    return this.#sessions.get(liveSessionId)?.players.length ?? 0;
  }

  findPlayerBySecretHash(liveSessionId: string, secretHash: string): PlayerRecord | undefined {
    this.#open();
    const player = this.#sessions.get(liveSessionId)?.players.find((p) => p.secretHash === secretHash);
    return player && { ...player };
  }

  findPlayerByNickname(liveSessionId: string, nickname: string): PlayerRecord | undefined {
    this.#open();
    if (typeof nickname !== 'string') return undefined;
    const key = nicknameKey(nickname);
    const player = this.#sessions.get(liveSessionId)?.players.find((p) => p.nicknameKey === key);
    return player && { ...player };
  }

  // Submissions

  appendSubmission(input: NewSubmission): AppendResult {
    this.#open();
    const s = checkNewSubmission(input);
    const session = this.#session(s.liveSessionId);
    const player = this.#players.get(s.playerId);
    if (!player || player.liveSessionId !== s.liveSessionId) {
      throw new StoreError('not_found', `no player ${s.playerId} in live session ${s.liveSessionId}`);
    }
    const key = `${s.playerId}\u0000${s.questionIndex}\u0000${s.clientSubmissionId}`;
    const existing = session.byClientId.get(key);
    if (existing !== undefined) {
      return { submission: { ...session.submissions.find((x) => x.ticket === existing)! }, duplicate: true };
    }
    const submission: SubmissionRecord = { ...s, ticket: session.nextTicket++, receivedAt: this.#now() };
    session.submissions.push(submission);
    session.byClientId.set(key, submission.ticket);
    return { submission: { ...submission }, duplicate: false };
  }

  appendSubmissions(inputs: readonly NewSubmission[]): AppendResult[] {
    // Check every input first, so that a refusal stores none of them (as SQLite's rollback does).
    for (const input of inputs) {
      const s = checkNewSubmission(input);
      this.#session(s.liveSessionId);
      if (this.#players.get(s.playerId)?.liveSessionId !== s.liveSessionId) {
        throw new StoreError('not_found', `no player ${s.playerId} in live session ${s.liveSessionId}`);
      }
    }
    return inputs.map((input) => this.appendSubmission(input));
  }

  listSubmissionsForQuestion(liveSessionId: string, questionIndex: number): SubmissionRecord[] {
    this.#open();
    return (this.#sessions.get(liveSessionId)?.submissions ?? [])
      .filter((x) => x.questionIndex === questionIndex)
      .map((x) => ({ ...x }));
  }

  listSubmissions(liveSessionId: string): SubmissionRecord[] {
    this.#open();
    return (this.#sessions.get(liveSessionId)?.submissions ?? []).map((x) => ({ ...x }));
  }

  gradeSubmissions(liveSessionId: string, grades: readonly Grade[]): void {
    this.#open();
    const checked = checkGrades(grades);
    const session = this.#session(liveSessionId);
    // Tickets are 1..n in array order (nothing is ever deleted), so index = ticket - 1.
    for (const g of checked) {
      if (session.submissions[g.ticket - 1]?.ticket !== g.ticket) {
        throw new StoreError('not_found', `no submission with ticket ${g.ticket} in live session ${liveSessionId}`);
      }
    }
    for (const g of checked) Object.assign(session.submissions[g.ticket - 1], { correct: g.correct, points: g.points });
  }

  // Snapshots

  saveSnapshot(liveSessionId: string, data: string): SnapshotRecord {
    this.#open();
    const checked = checkSnapshot(data);
    const session = this.#session(liveSessionId);
    session.snapshot = { liveSessionId, data: checked, savedAt: this.#now() };
    return { ...session.snapshot };
  }

  setArchived(liveSessionId: string, archived: boolean): void {
    this.#open();
    this.#session(liveSessionId);
    if (archived) this.#archived.add(liveSessionId);
    else this.#archived.delete(liveSessionId);
  }

  archivedSessions(): Set<string> {
    this.#open();
    return new Set(this.#archived);
  }

  saveImage(input: NewImage): ImageRecord {
    this.#open();
    const image = { id: this.#generateId(), mime: input.mime, bytes: Uint8Array.from(input.bytes), createdAt: this.#now() };
    this.#images.set(image.id, image);
    return { ...image, bytes: Uint8Array.from(image.bytes) };
  }

  getImage(id: string): ImageRecord | undefined {
    this.#open();
    const image = this.#images.get(id);
    return image && { ...image, bytes: Uint8Array.from(image.bytes) };
  }

  loadSnapshot(liveSessionId: string): SnapshotRecord | undefined {
    this.#open();
    const snapshot = this.#sessions.get(liveSessionId)?.snapshot;
    return snapshot && { ...snapshot };
  }

  close(): void {
    this.#closed = true;
  }

  #open(): void {
    if (this.#closed) throw new Error('the store is closed');
  }

  #session(id: string): StoredSession {
    const session = this.#sessions.get(id);
    if (!session) throw new StoreError('not_found', `no live session ${id}`);
    return session;
  }
}

function quizRecord(quiz: StoredQuiz): QuizRecord {
  return { id: quiz.id, title: quiz.title, body: JSON.parse(quiz.body), createdAt: quiz.createdAt, updatedAt: quiz.updatedAt };
}

/** Binary string order, like SQLite's default collation. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
