import { randomUUID } from 'node:crypto';
import { chmodSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
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

export interface SqliteStoreOptions extends StoreOptions {
  /** Database file, or `':memory:'` (tests). */
  path: string;
}

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many ran. Append only:
 * never edit a migration that has shipped, add the next one.
 */
export const MIGRATIONS: readonly string[] = [
  /* 1 */ `
  CREATE TABLE quizzes (
    id         TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL CHECK (json_valid(body)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE live_sessions (
    id               TEXT PRIMARY KEY,
    -- RESTRICT: deleting a quiz must not silently delete its sessions' results.
    quiz_id          TEXT NOT NULL REFERENCES quizzes (id) ON DELETE RESTRICT,
    code             TEXT NOT NULL UNIQUE,
    host_token_hash  TEXT NOT NULL,
    phase            TEXT NOT NULL,
    stage            TEXT,
    current_question INTEGER,
    -- The next submission ticket: allocated and incremented in the insert's transaction.
    next_ticket      INTEGER NOT NULL DEFAULT 1,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX live_sessions_quiz ON live_sessions (quiz_id);

  CREATE TABLE players (
    id              TEXT PRIMARY KEY,
    live_session_id TEXT NOT NULL REFERENCES live_sessions (id) ON DELETE CASCADE,
    nickname        TEXT NOT NULL,
    nickname_key    TEXT NOT NULL,
    secret_hash     TEXT NOT NULL,
    joined_at       INTEGER NOT NULL,
    seq             INTEGER NOT NULL,
    UNIQUE (live_session_id, nickname_key),
    -- Target of the submissions' composite key: a submission's player is in the same session.
    UNIQUE (live_session_id, id)
  ) STRICT;
  CREATE INDEX players_secret ON players (live_session_id, secret_hash);

  CREATE TABLE submissions (
    live_session_id      TEXT NOT NULL REFERENCES live_sessions (id) ON DELETE CASCADE,
    ticket               INTEGER NOT NULL,
    received_at          INTEGER NOT NULL,
    player_id            TEXT NOT NULL,
    question_index       INTEGER NOT NULL,
    answer               TEXT NOT NULL,
    client_submission_id TEXT NOT NULL,
    correct              INTEGER CHECK (correct IN (0, 1)),
    points               INTEGER NOT NULL,
    PRIMARY KEY (live_session_id, ticket),
    UNIQUE (live_session_id, player_id, question_index, client_submission_id),
    FOREIGN KEY (live_session_id, player_id) REFERENCES players (live_session_id, id) ON DELETE CASCADE
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX submissions_question ON submissions (live_session_id, question_index, ticket);

  CREATE TABLE snapshots (
    live_session_id TEXT PRIMARY KEY REFERENCES live_sessions (id) ON DELETE CASCADE,
    data            TEXT NOT NULL,
    saved_at        INTEGER NOT NULL
  ) STRICT;
  `,
  /* 2 */ `
  -- A player's join order: without it, numbering the next player scanned every player of the session.
  CREATE UNIQUE INDEX players_order ON players (live_session_id, seq);
  `,
  /* 3 */ `
  -- The unsalted hash of the host password sat in every row, unused: the host proves itself to
  -- the running server (HostAuth), never to the database.
  ALTER TABLE live_sessions DROP COLUMN host_token_hash;
  `,
  /* 4 */ `
  -- The reaction time the server accepted for an answer, and why it was capped or not used (fairness.ts).
  ALTER TABLE submissions ADD COLUMN reaction_ms REAL;
  ALTER TABLE submissions ADD COLUMN reaction_flag TEXT;
  `,
  /* 5: pictures and archived sessions */ `
  -- Sessions the host put away: listed apart, kept whole.
  CREATE TABLE archived_sessions (
    live_session_id TEXT PRIMARY KEY REFERENCES live_sessions (id) ON DELETE CASCADE,
    archived_at     INTEGER NOT NULL
  ) STRICT;
  -- Pictures of questions and options, referred to by id from a quiz's body.
  CREATE TABLE images (
    id         TEXT PRIMARY KEY,
    mime       TEXT NOT NULL,
    bytes      BLOB NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

interface QuizRow {
  id: string;
  title: string;
  body: string;
  created_at: number;
  updated_at: number;
}
interface SessionRow {
  id: string;
  quiz_id: string;
  code: string;
  phase: string;
  stage: string | null;
  current_question: number | null;
  created_at: number;
  updated_at: number;
}
interface PlayerRow {
  id: string;
  live_session_id: string;
  nickname: string;
  nickname_key: string;
  secret_hash: string;
  joined_at: number;
}
interface SubmissionRow {
  live_session_id: string;
  ticket: number;
  received_at: number;
  player_id: string;
  question_index: number;
  answer: string;
  client_submission_id: string;
  correct: number | null;
  points: number;
  reaction_ms: number | null;
  reaction_flag: string | null;
}
interface SnapshotRow {
  live_session_id: string;
  data: string;
  saved_at: number;
}

type NewSessionRow = Omit<LiveSessionRecord, 'id' | 'code' | 'createdAt' | 'updatedAt'>;
type Statements = ReturnType<typeof prepareStatements>;

const SESSION_COLUMNS = 'id, quiz_id, code, phase, stage, current_question, created_at, updated_at';
const PLAYER_COLUMNS = 'id, live_session_id, nickname, nickname_key, secret_hash, joined_at';

/**
 * `QuizStore` on better-sqlite3: one connection, statements prepared once, every multi-statement
 * write in one transaction.
 */
export class SqliteQuizStore implements QuizStore {
  readonly #db: Database.Database;
  readonly #now: () => number;
  readonly #generateJoinCode: () => string;
  readonly #generateId: () => string;
  readonly #s: Statements;
  readonly #appendTx: Database.Transaction<(input: NewSubmission) => AppendResult>;

  readonly #appendManyTx: Database.Transaction<(inputs: NewSubmission[]) => AppendResult[]>;
  readonly #addPlayersTx: Database.Transaction<(inputs: readonly NewPlayer[]) => AddPlayerResult[]>;
  readonly #gradeTx: Database.Transaction<(liveSessionId: string, grades: Grade[]) => void>;
  readonly #createSessionTx: Database.Transaction<(row: NewSessionRow) => LiveSessionRecord>;

  constructor(options: SqliteStoreOptions) {
    this.#now = options.now ?? Date.now;
    this.#generateJoinCode = options.generateJoinCode ?? generateJoinCode;
    this.#generateId = options.generateId ?? randomUUID;
    const db = openPrivately(options.path);
    this.#db = db;
    try {
      // WAL: readers do not block the writer, and a commit is one sequential append to the log.
      db.pragma('journal_mode = WAL');
      // FULL, not NORMAL. In WAL mode NORMAL does not fsync the log at commit (only at
      // checkpoints): a committed transaction survives the process crashing, but an OS crash or
      // power loss can roll it back. We tell a player "answer accepted" right after the commit
      // returns, so that answer must be on stable storage by then: FULL fsyncs the WAL on every
      // commit. (The pragma is per connection, not per statement; the other writes are rare
      // host actions, so paying the fsync for them too costs nothing that matters.)
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      // Wait for a lock instead of failing at once if another process (a backup, the sqlite3 CLI)
      // holds it.
      db.pragma('busy_timeout = 5000');
      migrate(db);
      restrictModes(options.path);
    } catch (error) {
      db.close();
      throw error;
    }

    this.#s = prepareStatements(db);
    const s = this.#s;

    // Ticket allocation and insert in one transaction: either both happen or neither, so tickets
    // have no gaps and no two rows share one. IMMEDIATE takes the write lock up front, which
    // matters only if another process ever writes the same file.
    this.#appendTx = db.transaction((input: NewSubmission): AppendResult => {
      const existing = s.submissionByClientId.get(input.liveSessionId, input.playerId, input.questionIndex, input.clientSubmissionId);
      if (existing) return { submission: submissionRecord(existing), duplicate: true };
      if (!s.sessionExists.get(input.liveSessionId)) throw new StoreError('not_found', `no live session ${input.liveSessionId}`);
      if (!s.playerInSession.get(input.liveSessionId, input.playerId)) {
        throw new StoreError('not_found', `no player ${input.playerId} in live session ${input.liveSessionId}`);
      }
      const { ticket } = s.takeTicket.get(input.liveSessionId)!;
      const receivedAt = this.#now();
      s.insertSubmission.run(
        input.liveSessionId,
        ticket,
        receivedAt,
        input.playerId,
        input.questionIndex,
        input.answer,
        input.clientSubmissionId,
        input.correct === null ? null : input.correct ? 1 : 0,
        input.points,
        input.reactionMs ?? null,
        input.reactionFlag ?? null,
      );
      return { submission: { ...input, ticket, receivedAt }, duplicate: false };
    });

    // The inner transactions become savepoints: one commit, one fsync for the whole batch.
    this.#appendManyTx = db.transaction((inputs: NewSubmission[]): AppendResult[] => inputs.map((input) => this.#appendTx(input)));

    // A refused insert (a taken nickname) is undone by SQLite alone; the transaction goes on.
    this.#addPlayersTx = db.transaction((inputs: readonly NewPlayer[]) => addEachPlayer(inputs, (input) => this.addPlayer(input)));

    this.#gradeTx = db.transaction((liveSessionId: string, grades: Grade[]) => {
      for (const g of grades) {
        const { changes } = s.grade.run(g.correct === null ? null : g.correct ? 1 : 0, g.points, liveSessionId, g.ticket);
        // Throwing rolls back the grades already applied in this call.
        if (changes === 0) throw new StoreError('not_found', `no submission with ticket ${g.ticket} in live session ${liveSessionId}`);
      }
    });

    this.#createSessionTx = db.transaction((row: NewSessionRow): LiveSessionRecord => {
      if (!s.quizExists.get(row.quizId)) throw new StoreError('not_found', `no quiz ${row.quizId}`);
      const code = this.#freshCode();
      const now = this.#now();
      const record: LiveSessionRecord = { id: this.#generateId(), ...row, code, createdAt: now, updatedAt: now };
      s.insertSession.run(
        record.id,
        record.quizId,
        record.code,
        record.phase,
        record.stage,
        record.currentQuestion,
        now,
        now,
      );
      return record;
    });
  }

  // Quizzes

  createQuiz(input: NewQuiz): QuizRecord {
    const { title, body } = checkNewQuiz(input);
    const now = this.#now();
    const id = this.#generateId();
    this.#s.insertQuiz.run(id, title, body, now, now);
    return { id, title, body: JSON.parse(body), createdAt: now, updatedAt: now };
  }

  getQuiz(id: string): QuizRecord | undefined {
    const row = this.#s.getQuiz.get(id);
    return row && quizRecord(row);
  }

  listQuizzes(): QuizRecord[] {
    return this.#s.listQuizzes.all().map(quizRecord);
  }

  updateQuiz(id: string, patch: QuizPatch): QuizRecord {
    const title = patch.title === undefined ? null : checkText('title', patch.title, LIMITS.title);
    const body = patch.body === undefined ? null : serializeBody(patch.body);
    const row = this.#s.updateQuiz.get({ id, title, body, now: this.#now() });
    if (!row) throw new StoreError('not_found', `no quiz ${id}`);
    return quizRecord(row);
  }

  deleteQuiz(id: string): boolean {
    // One statement; checking first gives a clear error instead of "FOREIGN KEY constraint failed".
    if (this.#s.quizHasSessions.get(id)) throw new StoreError('conflict', `quiz ${id} has live sessions`);
    return this.#s.deleteQuiz.run(id).changes > 0;
  }

  // Live sessions

  createLiveSession(input: NewLiveSession): LiveSessionRecord {
    return this.#createSessionTx.immediate({
      quizId: checkText('quizId', input.quizId, LIMITS.id),
      phase: checkText('phase', input.phase, LIMITS.phase),
      stage: checkOptionalText('stage', input.stage ?? null, LIMITS.stage),
      currentQuestion: checkOptionalIndex('currentQuestion', input.currentQuestion ?? null, LIMITS.questionIndex),
    });
  }

  /** Inside the create transaction, so the check and the insert see the same table. */
  #freshCode(): string {
    for (let attempt = 0; attempt < JOIN_CODE_ATTEMPTS; attempt++) {
      const code = normalizeJoinCode(this.#generateJoinCode());
      if (code === undefined) throw new StoreError('invalid', 'the join code generator produced an invalid code');
      if (!this.#s.codeExists.get(code)) return code;
    }
    throw new StoreError('conflict', `no free join code after ${JOIN_CODE_ATTEMPTS} attempts`);
  }

  getLiveSession(id: string): LiveSessionRecord | undefined {
    const row = this.#s.getSession.get(id);
    return row && sessionRecord(row);
  }

  getLiveSessionByCode(code: string): LiveSessionRecord | undefined {
    const normalized = normalizeJoinCode(code);
    const row = normalized === undefined ? undefined : this.#s.getSessionByCode.get(normalized);
    return row && sessionRecord(row);
  }

  listLiveSessions(): LiveSessionRecord[] {
    return this.#s.listSessions.all().map(sessionRecord);
  }

  updateLiveSession(id: string, patch: LiveSessionPatch): LiveSessionRecord {
    const phase = patch.phase === undefined ? null : checkText('phase', patch.phase, LIMITS.phase);
    const stage = patch.stage === undefined ? null : checkOptionalText('stage', patch.stage, LIMITS.stage);
    const question =
      patch.currentQuestion === undefined ? null : checkOptionalIndex('currentQuestion', patch.currentQuestion, LIMITS.questionIndex);
    const row = this.#s.updateSession.get({
      id,
      set_phase: patch.phase === undefined ? 0 : 1,
      phase,
      set_stage: patch.stage === undefined ? 0 : 1,
      stage,
      set_question: patch.currentQuestion === undefined ? 0 : 1,
      question,
      now: this.#now(),
    });
    if (!row) throw new StoreError('not_found', `no live session ${id}`);
    return sessionRecord(row);
  }

  // Players

  addPlayer(input: NewPlayer): PlayerRecord {
    const liveSessionId = checkText('liveSessionId', input.liveSessionId, LIMITS.id);
    const nickname = checkText('nickname', input.nickname, LIMITS.nickname);
    const secretHash = checkText('secretHash', input.secretHash, LIMITS.hash);
    if (!this.#s.sessionExists.get(liveSessionId)) throw new StoreError('not_found', `no live session ${liveSessionId}`);
    const player: PlayerRecord = {
      id: this.#generateId(),
      liveSessionId,
      nickname,
      nicknameKey: nicknameKey(nickname),
      secretHash,
      joinedAt: this.#now(),
    };
    try {
      // One statement, so no transaction needed: the UNIQUE constraint is the collision check.
      this.#s.insertPlayer.run(player.id, liveSessionId, nickname, player.nicknameKey, secretHash, player.joinedAt, liveSessionId);
    } catch (error) {
      if (isConstraint(error, 'SQLITE_CONSTRAINT_UNIQUE') && String((error as Error).message).includes('nickname_key')) {
        throw new StoreError('conflict', `nickname "${nickname}" is taken in this session`);
      }
      throw error;
    }
    return player;
  }

  addPlayers(inputs: readonly NewPlayer[]): AddPlayerResult[] {
    return this.#addPlayersTx.immediate(inputs);
  }

  getPlayer(id: string): PlayerRecord | undefined {
    const row = this.#s.getPlayer.get(id);
    return row && playerRecord(row);
  }

  listPlayers(liveSessionId: string): PlayerRecord[] {
    return this.#s.listPlayers.all(liveSessionId).map(playerRecord);
  }

  countPlayers(liveSessionId: string): number {
    return this.#s.countPlayers.get(liveSessionId)!.n;
  }

  findPlayerBySecretHash(liveSessionId: string, secretHash: string): PlayerRecord | undefined {
    const row = this.#s.playerBySecret.get(liveSessionId, secretHash);
    return row && playerRecord(row);
  }

  findPlayerByNickname(liveSessionId: string, nickname: string): PlayerRecord | undefined {
    if (typeof nickname !== 'string') return undefined;
    const row = this.#s.playerByNickname.get(liveSessionId, nicknameKey(nickname));
    return row && playerRecord(row);
  }

  // Submissions

  appendSubmission(input: NewSubmission): AppendResult {
    return this.#appendTx.immediate(checkNewSubmission(input));
  }

  appendSubmissions(inputs: readonly NewSubmission[]): AppendResult[] {
    return this.#appendManyTx.immediate(inputs.map(checkNewSubmission));
  }

  listSubmissionsForQuestion(liveSessionId: string, questionIndex: number): SubmissionRecord[] {
    return this.#s.listSubmissionsForQuestion.all(liveSessionId, questionIndex).map(submissionRecord);
  }

  listSubmissions(liveSessionId: string): SubmissionRecord[] {
    return this.#s.listSubmissions.all(liveSessionId).map(submissionRecord);
  }

  gradeSubmissions(liveSessionId: string, grades: readonly Grade[]): void {
    const checked = checkGrades(grades);
    if (!this.#s.sessionExists.get(liveSessionId)) throw new StoreError('not_found', `no live session ${liveSessionId}`);
    this.#gradeTx.immediate(liveSessionId, checked);
  }

  // Snapshots

  saveSnapshot(liveSessionId: string, data: string): SnapshotRecord {
    const checked = checkSnapshot(data);
    if (!this.#s.sessionExists.get(liveSessionId)) throw new StoreError('not_found', `no live session ${liveSessionId}`);
    return snapshotRecord(this.#s.saveSnapshot.get(liveSessionId, checked, this.#now())!);
  }

  setArchived(liveSessionId: string, archived: boolean): void {
    if (!this.getLiveSession(liveSessionId)) throw new StoreError('not_found', `no live session ${liveSessionId}`);
    if (archived) this.#s.archive.run(liveSessionId, this.#now());
    else this.#s.unarchive.run(liveSessionId);
  }

  archivedSessions(): Set<string> {
    return new Set(this.#s.archived.all().map((row) => row.live_session_id));
  }

  saveImage(input: NewImage): ImageRecord {
    const record = { id: this.#generateId(), mime: input.mime, bytes: Uint8Array.from(input.bytes), createdAt: this.#now() };
    this.#s.saveImage.run(record.id, record.mime, Buffer.from(record.bytes), record.createdAt);
    return record;
  }

  getImage(id: string): ImageRecord | undefined {
    const row = this.#s.getImage.get(id);
    return row && { id: row.id, mime: row.mime, bytes: new Uint8Array(row.bytes), createdAt: row.created_at };
  }

  loadSnapshot(liveSessionId: string): SnapshotRecord | undefined {
    const row = this.#s.loadSnapshot.get(liveSessionId);
    return row && snapshotRecord(row);
  }

  /** The schema version of the open database (for diagnostics and tests). */
  get schemaVersion(): number {
    return this.#db.pragma('user_version', { simple: true }) as number;
  }

  /** The connection's durability settings, as SQLite reports them (for diagnostics and tests). */
  get settings(): { journalMode: string; synchronous: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA'; foreignKeys: boolean } {
    const synchronous = this.#db.pragma('synchronous', { simple: true }) as number;
    return {
      journalMode: this.#db.pragma('journal_mode', { simple: true }) as string,
      synchronous: (['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const)[synchronous],
      foreignKeys: this.#db.pragma('foreign_keys', { simple: true }) === 1,
    };
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}

function prepareStatements(db: Database.Database) {
  return {
    insertQuiz: db.prepare<[string, string, string, number, number]>(
      'INSERT INTO quizzes (id, title, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
    ),
    getQuiz: db.prepare<[string], QuizRow>('SELECT * FROM quizzes WHERE id = ?'),
    listQuizzes: db.prepare<[], QuizRow>('SELECT * FROM quizzes ORDER BY created_at, id'),
    updateQuiz: db.prepare<{ id: string; title: string | null; body: string | null; now: number }, QuizRow>(
      `UPDATE quizzes SET title = coalesce(@title, title), body = coalesce(@body, body), updated_at = @now
       WHERE id = @id RETURNING *`,
    ),
    deleteQuiz: db.prepare<[string]>('DELETE FROM quizzes WHERE id = ?'),
    quizExists: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM quizzes WHERE id = ?'),
    quizHasSessions: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM live_sessions WHERE quiz_id = ? LIMIT 1'),

    codeExists: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM live_sessions WHERE code = ?'),
    insertSession: db.prepare<[string, string, string, string, string | null, number | null, number, number]>(
      `INSERT INTO live_sessions (id, quiz_id, code, phase, stage, current_question, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    getSession: db.prepare<[string], SessionRow>(`SELECT ${SESSION_COLUMNS} FROM live_sessions WHERE id = ?`),
    listSessions: db.prepare<[], SessionRow>(`SELECT ${SESSION_COLUMNS} FROM live_sessions ORDER BY created_at DESC, id DESC`),
    getSessionByCode: db.prepare<[string], SessionRow>(`SELECT ${SESSION_COLUMNS} FROM live_sessions WHERE code = ?`),
    sessionExists: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM live_sessions WHERE id = ?'),
    // Each column is set only when its "set_" flag is 1, so null can be written explicitly.
    updateSession: db.prepare<
      {
        id: string;
        set_phase: number;
        phase: string | null;
        set_stage: number;
        stage: string | null;
        set_question: number;
        question: number | null;
        now: number;
      },
      SessionRow
    >(
      `UPDATE live_sessions SET
         phase = CASE WHEN @set_phase THEN @phase ELSE phase END,
         stage = CASE WHEN @set_stage THEN @stage ELSE stage END,
         current_question = CASE WHEN @set_question THEN @question ELSE current_question END,
         updated_at = @now
       WHERE id = @id RETURNING ${SESSION_COLUMNS}`,
    ),

    insertPlayer: db.prepare<[string, string, string, string, string, number, string]>(
      `INSERT INTO players (id, live_session_id, nickname, nickname_key, secret_hash, joined_at, seq)
       VALUES (?, ?, ?, ?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM players WHERE live_session_id = ?))`,
    ),
    getPlayer: db.prepare<[string], PlayerRow>(`SELECT ${PLAYER_COLUMNS} FROM players WHERE id = ?`),
    countPlayers: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM players WHERE live_session_id = ?'),
    listPlayers: db.prepare<[string], PlayerRow>(`SELECT ${PLAYER_COLUMNS} FROM players WHERE live_session_id = ? ORDER BY seq`),
    playerBySecret: db.prepare<[string, string], PlayerRow>(
      `SELECT ${PLAYER_COLUMNS} FROM players WHERE live_session_id = ? AND secret_hash = ? ORDER BY seq LIMIT 1`,
    ),
    playerByNickname: db.prepare<[string, string], PlayerRow>(
      `SELECT ${PLAYER_COLUMNS} FROM players WHERE live_session_id = ? AND nickname_key = ?`,
    ),
    playerInSession: db.prepare<[string, string], { one: number }>(
      'SELECT 1 AS one FROM players WHERE live_session_id = ? AND id = ?',
    ),

    submissionByClientId: db.prepare<[string, string, number, string], SubmissionRow>(
      `SELECT * FROM submissions
       WHERE live_session_id = ? AND player_id = ? AND question_index = ? AND client_submission_id = ?`,
    ),
    takeTicket: db.prepare<[string], { ticket: number }>(
      'UPDATE live_sessions SET next_ticket = next_ticket + 1 WHERE id = ? RETURNING next_ticket - 1 AS ticket',
    ),
    insertSubmission: db.prepare<[string, number, number, string, number, string, string, number | null, number, number | null, string | null]>(
      `INSERT INTO submissions
         (live_session_id, ticket, received_at, player_id, question_index, answer, client_submission_id, correct, points, reaction_ms, reaction_flag)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    listSubmissions: db.prepare<[string], SubmissionRow>('SELECT * FROM submissions WHERE live_session_id = ? ORDER BY ticket'),
    listSubmissionsForQuestion: db.prepare<[string, number], SubmissionRow>(
      'SELECT * FROM submissions WHERE live_session_id = ? AND question_index = ? ORDER BY ticket',
    ),
    grade: db.prepare<[number | null, number, string, number]>(
      'UPDATE submissions SET correct = ?, points = ? WHERE live_session_id = ? AND ticket = ?',
    ),

    saveSnapshot: db.prepare<[string, string, number], SnapshotRow>(
      `INSERT INTO snapshots (live_session_id, data, saved_at) VALUES (?, ?, ?)
       ON CONFLICT (live_session_id) DO UPDATE SET data = excluded.data, saved_at = excluded.saved_at
       RETURNING *`,
    ),
    loadSnapshot: db.prepare<[string], SnapshotRow>('SELECT * FROM snapshots WHERE live_session_id = ?'),
    archive: db.prepare<[string, number]>('INSERT OR IGNORE INTO archived_sessions (live_session_id, archived_at) VALUES (?, ?)'),
    unarchive: db.prepare<[string]>('DELETE FROM archived_sessions WHERE live_session_id = ?'),
    archived: db.prepare<[], { live_session_id: string }>('SELECT live_session_id FROM archived_sessions'),
    saveImage: db.prepare<[string, string, Buffer, number]>('INSERT INTO images (id, mime, bytes, created_at) VALUES (?, ?, ?, ?)'),
    getImage: db.prepare<[string], { id: string; mime: string; bytes: Buffer; created_at: number }>('SELECT * FROM images WHERE id = ?'),
  };
}

/** Owner-only permissions for the database and its sidecars: answers, nicknames and seat secrets' hashes. */
const PRIVATE_MODE = 0o600;

/**
 * Opens (creating if needed) the database with a umask that keeps it owner-only from its first
 * byte. SQLite gives the -wal and -shm files the database file's permissions when it creates them.
 */
function openPrivately(path: string): Database.Database {
  if (path === ':memory:') return new Database(path);
  const umask = process.umask(0o077);
  try {
    return new Database(path);
  } finally {
    process.umask(umask);
  }
}

/** A database created before (0644 under the usual umask) is made owner-only too, sidecars included. */
function restrictModes(path: string): void {
  if (path === ':memory:') return;
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      if ((statSync(file).mode & 0o777) !== PRIVATE_MODE) chmodSync(file, PRIVATE_MODE);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new Error(`database schema version ${version} is newer than this build knows (${MIGRATIONS.length})`);
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      // user_version is in the database header and part of the transaction: a migration and its
      // version bump commit together or not at all.
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

function isConstraint(error: unknown, code: string): boolean {
  return error instanceof Database.SqliteError && error.code === code;
}

function quizRecord(row: QuizRow): QuizRecord {
  return { id: row.id, title: row.title, body: JSON.parse(row.body), createdAt: row.created_at, updatedAt: row.updated_at };
}

function sessionRecord(row: SessionRow): LiveSessionRecord {
  return {
    id: row.id,
    quizId: row.quiz_id,
    code: row.code,
    phase: row.phase,
    stage: row.stage,
    currentQuestion: row.current_question,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function playerRecord(row: PlayerRow): PlayerRecord {
  return {
    id: row.id,
    liveSessionId: row.live_session_id,
    nickname: row.nickname,
    nicknameKey: row.nickname_key,
    secretHash: row.secret_hash,
    joinedAt: row.joined_at,
  };
}

function submissionRecord(row: SubmissionRow): SubmissionRecord {
  return {
    liveSessionId: row.live_session_id,
    ticket: row.ticket,
    receivedAt: row.received_at,
    playerId: row.player_id,
    questionIndex: row.question_index,
    answer: row.answer,
    clientSubmissionId: row.client_submission_id,
    correct: row.correct === null ? null : row.correct === 1,
    points: row.points,
    ...(row.reaction_ms === null ? {} : { reactionMs: row.reaction_ms }),
    ...(row.reaction_flag === null ? {} : { reactionFlag: row.reaction_flag }),
  };
}

function snapshotRecord(row: SnapshotRow): SnapshotRecord {
  return { liveSessionId: row.live_session_id, data: row.data, savedAt: row.saved_at };
}
