import { createHash, randomBytes, randomInt } from 'node:crypto';

/**
 * The quiz app's persistence boundary. Two implementations share the behaviour tested in
 * `store-suite.ts`: `SqliteQuizStore` (better-sqlite3, the durable one) and `MemoryQuizStore` (for
 * fast domain tests). A server database can replace SQLite later by implementing this interface.
 *
 * Everything is synchronous (better-sqlite3 is) and returns plain, freshly copied objects: mutating
 * a returned record never changes the store.
 *
 * How the domain layer (`src/domain/`, written separately) maps onto these records:
 * - `Quiz` / its `Question`s → `QuizRecord`: `title` is a column, everything else (questions,
 *   choices, accepted answers, time limits…) is the JSON `body`, which the store keeps verbatim
 *   (it only checks that it is JSON and not too large). The domain owns its schema and versioning.
 * - `LiveSession` → `LiveSessionRecord` for the fields that are queried or shown without loading
 *   the domain (join code, phase, stage, current question, host token hash), plus the opaque
 *   snapshot (`saveSnapshot(id, JSON.stringify(session.toSnapshot()))`, and on restart
 *   `LiveSession.fromSnapshot(JSON.parse(loadSnapshot(id).data))`). The submissions and players
 *   tables are the source of truth for answers; a snapshot may lag behind them, so a restored
 *   session should re-read `listSubmissions` (tickets greater than the last one it knew).
 * - Players → `PlayerRecord`; the player's secret is never stored, only `hashSecret(secret)`.
 * - Accepted answers → `SubmissionRecord`, keyed by (live session, ticket). The ticket and
 *   `receivedAt` are assigned by the store when the row is written, so "accepted" means
 *   "stored" (the SQLite store commits with `synchronous = FULL` before returning).
 */
export interface QuizStore {
  // Quizzes
  createQuiz(input: NewQuiz): QuizRecord;
  getQuiz(id: string): QuizRecord | undefined;
  /** All quizzes, oldest first (then by id). */
  listQuizzes(): QuizRecord[];
  /** Throws `not_found` for an unknown id. */
  updateQuiz(id: string, patch: QuizPatch): QuizRecord;
  /**
   * Returns false for an unknown id. Throws `conflict` if a live session refers to the quiz: the
   * sessions' results would otherwise go with it.
   */
  deleteQuiz(id: string): boolean;

  // Live sessions
  /** Allocates a unique join code (see `JOIN_CODE_ALPHABET`). Throws `not_found` for an unknown quiz. */
  createLiveSession(input: NewLiveSession): LiveSessionRecord;
  getLiveSession(id: string): LiveSessionRecord | undefined;
  /** Case-insensitive, surrounding whitespace ignored (players type codes by hand). */
  getLiveSessionByCode(code: string): LiveSessionRecord | undefined;
  /** Every live session, newest first. */
  listLiveSessions(): LiveSessionRecord[];
  /** Throws `not_found` for an unknown id. */
  updateLiveSession(id: string, patch: LiveSessionPatch): LiveSessionRecord;

  // Players
  /**
   * Throws `conflict` if the nickname is taken in this session (compared with `nicknameKey`,
   * case-insensitive), `not_found` for an unknown session.
   */
  addPlayer(input: NewPlayer): PlayerRecord;
  /**
   * Group commit for joins: adds several players in one transaction (one fsync), in order. A
   * refusal (a `StoreError`: conflict, not_found, invalid) is that player's result and does not
   * stop the others; any other failure stores none of them.
   */
  addPlayers(inputs: readonly NewPlayer[]): AddPlayerResult[];
  getPlayer(id: string): PlayerRecord | undefined;
  /** The session's players in join order. */
  listPlayers(liveSessionId: string): PlayerRecord[];
  /** How many players a session has, without reading them. */
  countPlayers(liveSessionId: string): number;
  /** Rejoin: the player of this session whose secret hashes to `secretHash`. */
  findPlayerBySecretHash(liveSessionId: string, secretHash: string): PlayerRecord | undefined;
  /** Case-insensitive lookup, e.g. to tell "nickname taken" before trying. */
  findPlayerByNickname(liveSessionId: string, nickname: string): PlayerRecord | undefined;

  // Submissions
  /**
   * Stores an answer, allocating the session's next ticket and the server time atomically. If the
   * same (session, player, question, clientSubmissionId) was stored before, returns that original
   * row with `duplicate: true` and stores nothing (the original answer wins, even if the retry's
   * text differs). Throws `not_found` for an unknown session, or a player not in that session.
   */
  appendSubmission(input: NewSubmission): AppendResult;
  /**
   * Group commit: stores several answers in one transaction (one fsync), in the given order, with
   * the same rules as `appendSubmission`. All or nothing: if one throws, none is stored.
   */
  appendSubmissions(inputs: readonly NewSubmission[]): AppendResult[];
  /** One question's submissions in ticket order. */
  listSubmissionsForQuestion(liveSessionId: string, questionIndex: number): SubmissionRecord[];
  /** All of a session's submissions in ticket order (the CSV export). */
  listSubmissions(liveSessionId: string): SubmissionRecord[];
  /**
   * Regrade: sets `correct` and `points` of the given tickets, all or nothing. Throws `not_found`
   * (and changes nothing) if any ticket does not exist in the session.
   */
  gradeSubmissions(liveSessionId: string, grades: readonly Grade[]): void;

  // Domain snapshot
  /** Replaces the session's snapshot. Throws `not_found` for an unknown session. */
  saveSnapshot(liveSessionId: string, data: string): SnapshotRecord;
  loadSnapshot(liveSessionId: string): SnapshotRecord | undefined;

  /** Puts a session away (or back): it is listed apart, nothing of it is deleted. Throws `not_found`. */
  setArchived(liveSessionId: string, archived: boolean): void;
  archivedSessions(): Set<string>;

  // Pictures of questions and options (quizzes refer to them by id). Checked by the caller (type, size).
  saveImage(input: NewImage): ImageRecord;
  getImage(id: string): ImageRecord | undefined;

  close(): void;
}

// ---------------------------------------------------------------------------------------------
// Records

/** Milliseconds since the Unix epoch, from the store's clock. */
export type Millis = number;

/** Any value `JSON.stringify` accepts and `JSON.parse` returns unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface QuizRecord {
  id: string;
  title: string;
  body: JsonValue;
  createdAt: Millis;
  updatedAt: Millis;
}
export interface NewQuiz {
  title: string;
  body: JsonValue;
}
export interface QuizPatch {
  title?: string;
  body?: JsonValue;
}

export interface LiveSessionRecord {
  id: string;
  quizId: string;
  /** 6 characters of `JOIN_CODE_ALPHABET`, unique among all live sessions. */
  code: string;
  /** The domain's phase name (e.g. "lobby", "question", "reveal", "ended"); opaque to the store. */
  phase: string;
  /** A finer step inside the phase, or null; opaque to the store. */
  stage: string | null;
  /** Index into the quiz's questions, or null before the first one. */
  currentQuestion: number | null;
  createdAt: Millis;
  updatedAt: Millis;
}
export interface NewLiveSession {
  quizId: string;
  phase: string;
  stage?: string | null;
  currentQuestion?: number | null;
}
export interface LiveSessionPatch {
  phase?: string;
  stage?: string | null;
  currentQuestion?: number | null;
}

export interface PlayerRecord {
  id: string;
  liveSessionId: string;
  /** As the player typed it (after the app's own trimming). */
  nickname: string;
  /** `nicknameKey(nickname)`: what uniqueness is checked on. */
  nicknameKey: string;
  secretHash: string;
  joinedAt: Millis;
}
export interface NewPlayer {
  liveSessionId: string;
  nickname: string;
  /** `hashSecret(playerSecret)`. */
  secretHash: string;
}

export interface NewSubmission {
  liveSessionId: string;
  playerId: string;
  questionIndex: number;
  answer: string;
  clientSubmissionId: string;
  /** null: not graded (yet). */
  correct: boolean | null;
  points: number;
  /** The checked reaction time (ms) and its flag (domain/fairness.ts); absent: none. */
  reactionMs?: number | null;
  reactionFlag?: string | null;
}
export interface SubmissionRecord extends NewSubmission {
  /** 1, 2, 3… per live session, in the order the server accepted the answers. */
  ticket: number;
  receivedAt: Millis;
}
export type AddPlayerResult = { ok: true; player: PlayerRecord } | { ok: false; error: StoreError };

/** `addPlayers` for a store whose `addPlayer` refuses with a `StoreError` and otherwise throws. */
export function addEachPlayer(inputs: readonly NewPlayer[], addPlayer: (input: NewPlayer) => PlayerRecord): AddPlayerResult[] {
  return inputs.map((input) => {
    try {
      return { ok: true, player: addPlayer(input) };
    } catch (error) {
      if (error instanceof StoreError) return { ok: false, error };
      throw error;
    }
  });
}

export interface AppendResult {
  submission: SubmissionRecord;
  /** True when this was a retry of an already stored submission (nothing new was stored). */
  duplicate: boolean;
}
export interface Grade {
  ticket: number;
  correct: boolean | null;
  points: number;
}

export interface NewImage {
  mime: string;
  bytes: Uint8Array;
}
export interface ImageRecord extends NewImage {
  id: string;
  createdAt: Millis;
}

export interface SnapshotRecord {
  liveSessionId: string;
  data: string;
  savedAt: Millis;
}

/** What both implementations accept as options. */
export interface StoreOptions {
  /** The store's clock (default `Date.now`). */
  now?: () => Millis;
  /** Join code generator (default `generateJoinCode`); tests use it to force collisions. */
  generateJoinCode?: () => string;
  /** Ids for quizzes, sessions and players (default `crypto.randomUUID`). */
  generateId?: () => string;
}

// ---------------------------------------------------------------------------------------------
// Errors

export type StoreErrorCode = 'invalid' | 'not_found' | 'conflict';

export class StoreError extends Error {
  override name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the implementations (and the app)

/** No 0/O, 1/I/L: codes are read aloud and typed from a projector. 31 symbols, 31^6 ≈ 8.9e8 codes. */
export const JOIN_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const JOIN_CODE_LENGTH = 6;
/** How many fresh codes `createLiveSession` tries before giving up with `conflict`. */
export const JOIN_CODE_ATTEMPTS = 32;

export function generateJoinCode(): string {
  let code = '';
  for (let i = 0; i < JOIN_CODE_LENGTH; i++) code += JOIN_CODE_ALPHABET[randomInt(JOIN_CODE_ALPHABET.length)];
  return code;
}

/** A join code as typed by a player, canonicalised; undefined if it cannot be a code. */
export function normalizeJoinCode(input: string): string | undefined {
  if (typeof input !== 'string') return undefined;
  const code = input.trim().toUpperCase();
  if (code.length !== JOIN_CODE_LENGTH) return undefined;
  for (const c of code) if (!JOIN_CODE_ALPHABET.includes(c)) return undefined;
  return code;
}

/** A fresh random secret (host token, player secret): 32 bytes, base64url. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 (base64url) of a high-entropy secret; what the store keeps instead of the secret. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}

/** The key nickname uniqueness is checked on: the domain's rule, so the store and the game never disagree. */
export { nicknameKey } from '../domain/nickname.js';

// ---------------------------------------------------------------------------------------------
// Validation at the store boundary. The app validates first; the store defends itself.

export const LIMITS = {
  id: 64,
  title: 200,
  /** Serialized JSON, in UTF-16 code units. */
  quizBody: 1_000_000,
  hash: 128,
  phase: 32,
  stage: 64,
  nickname: 32,
  answer: 1_000,
  clientSubmissionId: 64,
  questionIndex: 10_000,
  /** Snapshot string, in UTF-16 code units. */
  snapshot: 16_000_000,
} as const;

function invalid(message: string): never {
  throw new StoreError('invalid', message);
}

/** A non-empty (not only whitespace), not over-long string without control characters. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const LONE_SURROGATE = /\p{Cs}/u;

export function checkText(field: string, value: unknown, max: number, multiline = false): string {
  if (typeof value !== 'string') invalid(`${field} must be a string`);
  if (value.trim().length === 0) invalid(`${field} must not be empty`);
  const length = [...value].length;
  if (length > max) invalid(`${field} is too long (${length} characters, at most ${max})`);
  if (value.includes('\u0000')) invalid(`${field} must not contain NUL characters`);
  // Multi-line text (answers) may contain tabs and line breaks; names, codes and ids may not.
  if (!multiline && CONTROL.test(value)) invalid(`${field} must not contain control characters`);
  if (LONE_SURROGATE.test(value)) invalid(`${field} must be well-formed Unicode`);
  return value;
}

export function checkOptionalText(field: string, value: unknown, max: number): string | null {
  return value === null ? null : checkText(field, value, max);
}

export function checkIndex(field: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    invalid(`${field} must be an integer from 0 to ${max}`);
  }
  return value;
}

export function checkOptionalIndex(field: string, value: unknown, max: number): number | null {
  return value === null ? null : checkIndex(field, value, max);
}

export function checkPoints(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) invalid('points must be a safe integer');
  return value;
}

export function checkCorrect(value: unknown): boolean | null {
  if (value !== null && typeof value !== 'boolean') invalid('correct must be true, false or null');
  return value;
}

/** Serializes a quiz body, checking that it survives a JSON round trip and is not too large. */
export function serializeBody(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    invalid(`quiz body is not JSON-serializable: ${(error as Error).message}`);
  }
  if (text === undefined) invalid('quiz body must be a JSON value');
  if (text.length > LIMITS.quizBody) invalid(`quiz body is too large (${text.length} characters, at most ${LIMITS.quizBody})`);
  if (!isJsonValue(value)) invalid('quiz body must contain only JSON values (no undefined, functions, NaN or class instances)');
  return text;
}

function isJsonValue(value: unknown, depth = 0): boolean {
  if (depth > 100) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isJsonValue(v, depth + 1));
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return false;
    return Object.values(value).every((v) => isJsonValue(v, depth + 1));
  }
  return false;
}

export function checkSnapshot(value: unknown): string {
  if (typeof value !== 'string') invalid('snapshot data must be a string');
  if (value.length === 0) invalid('snapshot data must not be empty');
  if (value.length > LIMITS.snapshot) invalid(`snapshot is too large (${value.length} characters, at most ${LIMITS.snapshot})`);
  return value;
}

export function checkNewQuiz(input: NewQuiz): { title: string; body: string } {
  if (input === null || typeof input !== 'object') invalid('quiz must be an object');
  return { title: checkText('title', input.title, LIMITS.title), body: serializeBody(input.body) };
}

export function checkNewSubmission(input: NewSubmission): NewSubmission {
  if (input === null || typeof input !== 'object') invalid('submission must be an object');
  return {
    liveSessionId: checkText('liveSessionId', input.liveSessionId, LIMITS.id),
    playerId: checkText('playerId', input.playerId, LIMITS.id),
    questionIndex: checkIndex('questionIndex', input.questionIndex, LIMITS.questionIndex),
    answer: checkText('answer', input.answer, LIMITS.answer, true),
    clientSubmissionId: checkText('clientSubmissionId', input.clientSubmissionId, LIMITS.clientSubmissionId),
    correct: checkCorrect(input.correct),
    points: checkPoints(input.points),
    ...(input.reactionMs == null ? {} : { reactionMs: checkReactionMs(input.reactionMs) }),
    ...(input.reactionFlag == null ? {} : { reactionFlag: checkText('reactionFlag', input.reactionFlag, 16) }),
  };
}

function checkReactionMs(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) invalid('reactionMs must be a finite number ≥ 0');
  return value;
}

export function checkGrades(grades: readonly Grade[]): Grade[] {
  if (!Array.isArray(grades)) invalid('grades must be an array');
  return grades.map((g) => ({
    ticket: checkIndex('ticket', g?.ticket, Number.MAX_SAFE_INTEGER),
    correct: checkCorrect(g.correct),
    points: checkPoints(g.points),
  }));
}
