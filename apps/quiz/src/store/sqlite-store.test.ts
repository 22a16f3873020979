import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, SCHEMA_VERSION, SqliteQuizStore } from './sqlite-store.js';
import { hashSecret } from './store.js';
import { storeSuite } from './store-suite.js';

storeSuite('SqliteQuizStore', (options) => new SqliteQuizStore({ ...options, path: ':memory:' }));

// The same behaviour on a real file (WAL, fsync on every commit), one file per test.
const suiteDir = mkdtempSync(join(tmpdir(), 'quiz-store-suite-'));
after(() => rmSync(suiteDir, { recursive: true, force: true }));
let files = 0;
storeSuite('SqliteQuizStore (file)', (options) => new SqliteQuizStore({ ...options, path: join(suiteDir, `${++files}.db`) }));

test('SqliteQuizStore: :memory: works (no WAL there) with the same settings otherwise', () => {
  const store = new SqliteQuizStore({ path: ':memory:' });
  assert.deepEqual(store.settings, { journalMode: 'memory', synchronous: 'FULL', foreignKeys: true });
  store.close();
});

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'quiz-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('SqliteQuizStore: everything survives close and reopen of the same file; tickets continue', (t) => {
  const path = join(tempDir(t), 'quiz.db');
  let store = new SqliteQuizStore({ path });
  const quiz = store.createQuiz({ title: 'Capitals', body: { questions: [{ text: 'France?' }] } });
  const session = store.createLiveSession({ quizId: quiz.id, phase: 'lobby' });
  store.updateLiveSession(session.id, { phase: 'question', stage: 'open', currentQuestion: 0 });
  const ana = store.addPlayer({ liveSessionId: session.id, nickname: 'Ana', secretHash: hashSecret('ana') });
  const bo = store.addPlayer({ liveSessionId: session.id, nickname: 'Bo', secretHash: hashSecret('bo') });
  const answer = (playerId: string, clientSubmissionId: string, questionIndex = 0) => ({
    liveSessionId: session.id,
    playerId,
    questionIndex,
    answer: 'Paris',
    clientSubmissionId,
    correct: true,
    points: 100,
  });
  for (let i = 0; i < 10; i++) store.appendSubmission(answer(i % 2 ? bo.id : ana.id, `c${i}`, i >> 1));
  store.gradeSubmissions(session.id, [{ ticket: 3, correct: false, points: 0 }]);
  store.saveSnapshot(session.id, '{"state":"q0"}');
  const before = {
    quizzes: store.listQuizzes(),
    session: store.getLiveSession(session.id),
    players: store.listPlayers(session.id),
    submissions: store.listSubmissions(session.id),
    snapshot: store.loadSnapshot(session.id),
  };
  store.close();
  store.close(); // idempotent

  store = new SqliteQuizStore({ path });
  t.after(() => store.close());
  assert.equal(store.schemaVersion, SCHEMA_VERSION);
  assert.deepEqual(
    {
      quizzes: store.listQuizzes(),
      session: store.getLiveSessionByCode(session.code),
      players: store.listPlayers(session.id),
      submissions: store.listSubmissions(session.id),
      snapshot: store.loadSnapshot(session.id),
    },
    before,
  );
  assert.equal(before.submissions.length, 10);
  assert.deepEqual(store.findPlayerBySecretHash(session.id, hashSecret('bo')), bo, 'rejoin after a restart');

  // A retry of a submission accepted before the restart still gets its original ticket.
  const retry = store.appendSubmission(answer(ana.id, 'c4', 2));
  assert.equal(retry.duplicate, true);
  assert.equal(retry.submission.ticket, 5);
  const next = store.appendSubmission(answer(ana.id, 'c10', 5));
  assert.deepEqual([next.submission.ticket, next.duplicate], [11, false]);
  assert.throws(() => store.addPlayer({ liveSessionId: session.id, nickname: 'ANA', secretHash: 'x' }), /taken/);
});

test('SqliteQuizStore: the file is in WAL mode with foreign keys enforced and the schema versioned', (t) => {
  const path = join(tempDir(t), 'quiz.db');
  const store = new SqliteQuizStore({ path });
  assert.deepEqual(store.settings, { journalMode: 'wal', synchronous: 'FULL', foreignKeys: true });
  store.createQuiz({ title: 'T', body: {} });
  const raw = new Database(path, { readonly: true });
  try {
    assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(raw.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    const tables = raw
      .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
      .all()
      .map((r) => r.name);
    assert.deepEqual(tables, ['archived_sessions', 'images', 'live_sessions', 'players', 'quizzes', 'snapshots', 'submissions']);
    assert.equal(raw.prepare('SELECT count(*) AS n FROM quizzes').pluck().get(), 1);
    // Numbering the next player is an index lookup, not a scan of the session's players.
    const plan = raw
      .prepare("EXPLAIN QUERY PLAN SELECT coalesce(max(seq), 0) + 1 FROM players WHERE live_session_id = 'x'")
      .all()
      .map((r) => (r as { detail: string }).detail);
    assert.ok(plan.some((d) => d.includes('players_order')), plan.join('; '));
  } finally {
    raw.close();
    store.close();
  }
  // Reopening does not re-run migrations (they would fail: the tables exist).
  const again = new SqliteQuizStore({ path });
  assert.equal(again.schemaVersion, SCHEMA_VERSION);
  assert.equal(again.listQuizzes().length, 1);
  again.close();
});

test('SqliteQuizStore: a database from a newer schema is refused, not damaged', (t) => {
  const path = join(tempDir(t), 'quiz.db');
  new SqliteQuizStore({ path }).close();
  const raw = new Database(path);
  raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  raw.close();
  assert.throws(() => new SqliteQuizStore({ path }), new RegExp(`schema version ${SCHEMA_VERSION + 1} is newer than this build knows \\(${SCHEMA_VERSION}\\)`));
  const check = new Database(path, { readonly: true });
  assert.equal(check.pragma('user_version', { simple: true }), SCHEMA_VERSION + 1);
  check.close();
});

test('SqliteQuizStore: a failing ticketed insert rolls back the ticket allocation', (t) => {
  // A trigger makes the insert fail after the ticket was taken: the transaction must undo both.
  const path = join(tempDir(t), 'quiz.db');
  let store = new SqliteQuizStore({ path });
  const quiz = store.createQuiz({ title: 'T', body: {} });
  const session = store.createLiveSession({ quizId: quiz.id, phase: 'lobby' });
  const ana = store.addPlayer({ liveSessionId: session.id, nickname: 'Ana', secretHash: 'x' });
  store.close();
  const raw = new Database(path);
  raw.exec(`CREATE TRIGGER refuse BEFORE INSERT ON submissions WHEN NEW.answer = 'boom'
            BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END`);
  raw.close();
  store = new SqliteQuizStore({ path });
  t.after(() => store.close());
  const input = { liveSessionId: session.id, playerId: ana.id, questionIndex: 0, correct: null, points: 0 };
  assert.throws(() => store.appendSubmission({ ...input, answer: 'boom', clientSubmissionId: 'a' }), /refused by test trigger/);
  assert.equal(store.appendSubmission({ ...input, answer: 'ok', clientSubmissionId: 'b' }).submission.ticket, 1);
  assert.deepEqual(
    store.listSubmissions(session.id).map((s) => s.ticket),
    [1],
  );
});

const modeOf = (file: string): number => statSync(file).mode & 0o777;

test('SqliteQuizStore: a new database and its -wal and -shm files are owner-only (0600), whatever the umask', (t) => {
  const path = join(tempDir(t), 'quiz.db');
  const umask = process.umask(0o022);
  let store: SqliteQuizStore;
  try {
    store = new SqliteQuizStore({ path });
  } finally {
    process.umask(umask);
  }
  t.after(() => store.close());
  store.createQuiz({ title: 'T', body: {} });
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    assert.ok(existsSync(file), file);
    assert.equal(modeOf(file).toString(8), '600', file);
  }
  assert.equal(process.umask(), umask, 'the process umask is restored');
});

test('SqliteQuizStore: an existing version-2 database file is migrated through 3, 4 and 5: the host hash column dropped, the reaction columns, pictures and archiving added, data kept, modes restricted', (t) => {
  const path = join(tempDir(t), 'quiz.db');
  // The file as a build of schema version 2 left it, world-readable (0644).
  const old = new Database(path);
  old.pragma('journal_mode = WAL');
  for (const migration of MIGRATIONS.slice(0, 2)) old.exec(migration);
  old.pragma('user_version = 2');
  old.prepare("INSERT INTO quizzes (id, title, body, created_at, updated_at) VALUES ('q1', 'Old quiz', '{}', 1, 1)").run();
  old
    .prepare(
      "INSERT INTO live_sessions (id, quiz_id, code, host_token_hash, phase, created_at, updated_at) VALUES ('s1', 'q1', 'ABCDEF', 'unsalted-sha256', 'lobby', 1, 1)",
    )
    .run();
  for (const file of [path, `${path}-wal`, `${path}-shm`]) chmodSync(file, 0o644);

  const store = new SqliteQuizStore({ path });
  t.after(() => store.close());
  assert.equal(store.schemaVersion, SCHEMA_VERSION);
  assert.deepEqual(store.getLiveSessionByCode('ABCDEF'), {
    id: 's1',
    quizId: 'q1',
    code: 'ABCDEF',
    phase: 'lobby',
    stage: null,
    currentQuestion: null,
    createdAt: 1,
    updatedAt: 1,
  });
  // Migration 4's tables work on the old rows.
  store.setArchived('s1', true);
  assert.deepEqual([...store.archivedSessions()], ['s1']);
  const image = store.saveImage({ mime: 'image/png', bytes: new Uint8Array([1, 2, 3]) });
  assert.deepEqual([...store.getImage(image.id)!.bytes], [1, 2, 3]);
  old.close();
  const raw = new Database(path, { readonly: true });
  t.after(() => raw.close());
  const columns = raw.prepare<[], { name: string }>('SELECT name FROM pragma_table_info(\'live_sessions\')').all().map((c) => c.name);
  assert.ok(!columns.includes('host_token_hash'), columns.join(', '));
  const submissionColumns = raw.prepare<[], { name: string }>('SELECT name FROM pragma_table_info(\'submissions\')').all().map((c) => c.name);
  for (const column of ['reaction_ms', 'reaction_flag']) assert.ok(submissionColumns.includes(column), `migration 4 adds ${column}: ${submissionColumns.join(', ')}`);
  assert.equal(raw.pragma('user_version', { simple: true }), 5);
  for (const file of [path, `${path}-wal`, `${path}-shm`]) assert.equal(modeOf(file).toString(8), '600', file);
});

test('SqliteQuizStore: a version-3 database file (host hash already dropped) gets migrations 4 and 5 only, its data kept', (t) => {
  const path = join(tempDir(t), 'quiz.db');
  const old = new Database(path);
  for (const migration of MIGRATIONS.slice(0, 3)) old.exec(migration);
  old.pragma('user_version = 3');
  old.prepare("INSERT INTO quizzes (id, title, body, created_at, updated_at) VALUES ('q1', 'Old quiz', '{}', 1, 1)").run();
  old.prepare("INSERT INTO live_sessions (id, quiz_id, code, phase, created_at, updated_at) VALUES ('s1', 'q1', 'ABCDEF', 'lobby', 1, 1)").run();
  old.close();

  const store = new SqliteQuizStore({ path });
  t.after(() => store.close());
  assert.equal(store.schemaVersion, 5);
  assert.equal(store.getLiveSessionByCode('ABCDEF')?.id, 's1');
  assert.deepEqual([...store.archivedSessions()], []);
  store.setArchived('s1', true);
  assert.ok(store.archivedSessions().has('s1'));
  assert.equal(store.getImage('00000000-0000-0000-0000-000000000000'), undefined);
});
