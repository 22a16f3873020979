import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH, StoreError, hashSecret } from './store.js';
import type { NewSubmission, QuizStore, StoreOptions } from './store.js';

/**
 * The behaviour every `QuizStore` must have, run against each implementation (SQLite, memory; a
 * server database later), after hono's one-interface-many-implementations suites. The factory gets
 * the options under test (a fake clock, a scripted join code generator) and returns a fresh store.
 */
export function storeSuite(name: string, createStore: (options: StoreOptions) => QuizStore): void {
  /** A store with a clock that ticks 1 ms per reading, from 1,000. */
  function setup(options: StoreOptions = {}) {
    let time = 1_000;
    const store = createStore({ now: () => time++, ...options });
    return store;
  }

  function withSession(store: QuizStore) {
    const quiz = store.createQuiz({ title: 'Capitals', body: { questions: [{ text: 'France?', answer: 'Paris' }] } });
    const session = store.createLiveSession({ quizId: quiz.id, phase: 'lobby' });
    const ana = store.addPlayer({ liveSessionId: session.id, nickname: 'Ana', secretHash: hashSecret('ana') });
    const bo = store.addPlayer({ liveSessionId: session.id, nickname: 'Bo', secretHash: hashSecret('bo') });
    const answer = (over: Partial<NewSubmission> = {}): NewSubmission => ({
      liveSessionId: session.id,
      playerId: ana.id,
      questionIndex: 0,
      answer: 'Paris',
      clientSubmissionId: 'c1',
      correct: true,
      points: 100,
      ...over,
    });
    return { quiz, session, ana, bo, answer };
  }

  const code = (c: StoreError['code']) => (error: unknown) => {
    assert.ok(error instanceof StoreError, `expected a StoreError, got ${String(error)}`);
    assert.equal(error.code, c, error.message);
    return true;
  };
  const invalid = (pattern: RegExp) => (error: unknown) => {
    code('invalid')(error);
    assert.match((error as Error).message, pattern);
    return true;
  };

  // ------------------------------------------------------------------------------------------
  // Quizzes

  test(`${name}: quizzes are created, read, listed oldest first, updated and deleted`, () => {
    const store = setup();
    const a = store.createQuiz({ title: 'A', body: { questions: [{ text: 'q', choices: ['x', 'y'], answer: 1 }] } });
    const b = store.createQuiz({ title: 'B', body: [] });
    assert.equal(typeof a.id, 'string');
    assert.notEqual(a.id, b.id);
    assert.deepEqual(store.getQuiz(a.id), a);
    assert.deepEqual(
      store.listQuizzes().map((q) => q.title),
      ['A', 'B'],
    );
    assert.equal(store.getQuiz('nope'), undefined);

    const renamed = store.updateQuiz(a.id, { title: 'A2' });
    assert.equal(renamed.title, 'A2');
    assert.deepEqual(renamed.body, a.body, 'an absent field is left as it was');
    assert.ok(renamed.updatedAt > a.updatedAt);
    assert.equal(renamed.createdAt, a.createdAt);
    const rebodied = store.updateQuiz(a.id, { body: { questions: [] } });
    assert.deepEqual(rebodied.body, { questions: [] });
    assert.equal(rebodied.title, 'A2');
    assert.deepEqual(store.getQuiz(a.id), rebodied);
    assert.throws(() => store.updateQuiz('nope', { title: 'x' }), code('not_found'));

    assert.equal(store.deleteQuiz(b.id), true);
    assert.equal(store.deleteQuiz(b.id), false);
    assert.equal(store.getQuiz(b.id), undefined);
    assert.deepEqual(
      store.listQuizzes().map((q) => q.id),
      [a.id],
    );
    store.close();
  });

  test(`${name}: returned records are copies, the quiz body round-trips as JSON`, () => {
    const store = setup();
    const body = { questions: [{ text: 'Ünïcödé 🎉', n: 1.5, ok: true, none: null }] };
    const quiz = store.createQuiz({ title: 'T', body });
    body.questions[0].text = 'changed after create';
    const read = store.getQuiz(quiz.id)!;
    assert.equal((read.body as typeof body).questions[0].text, 'Ünïcödé 🎉');
    (read.body as typeof body).questions[0].text = 'changed after get';
    read.title = 'changed';
    assert.deepEqual(store.getQuiz(quiz.id), quiz);
    store.close();
  });

  test(`${name}: a quiz with live sessions cannot be deleted`, () => {
    const store = setup();
    const { quiz } = withSession(store);
    assert.throws(() => store.deleteQuiz(quiz.id), code('conflict'));
    assert.ok(store.getQuiz(quiz.id));
    store.close();
  });

  test(`${name}: quiz validation: empty, blank, over-long titles and non-JSON bodies are refused`, () => {
    const store = setup();
    assert.throws(() => store.createQuiz({ title: '', body: {} }), invalid(/title must not be empty/));
    assert.throws(() => store.createQuiz({ title: '   ', body: {} }), invalid(/title must not be empty/));
    assert.throws(() => store.createQuiz({ title: 'x'.repeat(201), body: {} }), invalid(/title is too long \(201 characters, at most 200\)/));
    assert.ok(store.createQuiz({ title: '가'.repeat(200), body: {} }), '200 characters is fine, whatever their byte length');
    assert.throws(() => store.createQuiz({ title: 'a\u0000b', body: {} }), invalid(/NUL/));
    assert.throws(() => store.createQuiz({ title: 'a\nb', body: {} }), invalid(/control characters/));
    assert.throws(() => store.createQuiz({ title: 42 as unknown as string, body: {} }), invalid(/title must be a string/));
    assert.throws(() => store.createQuiz({ title: 'T', body: undefined as never }), invalid(/quiz body/));
    assert.throws(() => store.createQuiz({ title: 'T', body: { f: () => 1 } as never }), invalid(/quiz body/));
    assert.throws(() => store.createQuiz({ title: 'T', body: { n: Number.NaN } }), invalid(/quiz body/));
    assert.throws(() => store.createQuiz({ title: 'T', body: { d: new Date(0) } as never }), invalid(/quiz body/));
    assert.throws(() => store.createQuiz({ title: 'T', body: 'x'.repeat(1_000_000) }), invalid(/quiz body is too large/));
    const quiz = store.createQuiz({ title: 'T', body: {} });
    assert.throws(() => store.updateQuiz(quiz.id, { title: '' }), invalid(/title/));
    assert.deepEqual(
      store.listQuizzes().map((q) => q.title),
      ['가'.repeat(200), 'T'],
      'nothing was stored by the refused calls',
    );
    store.close();
  });

  // ------------------------------------------------------------------------------------------
  // Live sessions

  test(`${name}: live sessions get a unique 6-character join code and are found by id and code`, () => {
    const store = setup();
    const quiz = store.createQuiz({ title: 'Q', body: {} });
    const sessions = Array.from({ length: 50 }, () =>
      store.createLiveSession({ quizId: quiz.id, phase: 'lobby' }),
    );
    const codes = new Set(sessions.map((s) => s.code));
    assert.equal(codes.size, 50);
    for (const s of sessions) {
      assert.equal(s.code.length, JOIN_CODE_LENGTH);
      for (const c of s.code) assert.ok(JOIN_CODE_ALPHABET.includes(c), `${c} in ${s.code}`);
    }
    const first = sessions[0];
    assert.deepEqual(first, {
      id: first.id,
      quizId: quiz.id,
      code: first.code,
      phase: 'lobby',
      stage: null,
      currentQuestion: null,
      createdAt: first.createdAt,
      updatedAt: first.createdAt,
    });
    assert.deepEqual(store.getLiveSession(first.id), first);
    assert.deepEqual(store.getLiveSessionByCode(first.code), first);
    assert.deepEqual(store.getLiveSessionByCode(` ${first.code.toLowerCase()} `), first, 'typed codes: any case, spaces around');
    assert.equal(store.getLiveSession('nope'), undefined);
    assert.equal(store.getLiveSessionByCode('0O1IL0'), undefined);
    assert.equal(store.getLiveSessionByCode(''), undefined);
    assert.throws(
      () => store.createLiveSession({ quizId: 'nope', phase: 'lobby' }),
      code('not_found'),
    );
    store.close();
  });

  test(`${name}: live sessions are listed newest first`, () => {
    const store = setup();
    assert.deepEqual(store.listLiveSessions(), []);
    const quiz = store.createQuiz({ title: 'Q', body: {} });
    const first = store.createLiveSession({ quizId: quiz.id, phase: 'before' });
    const second = store.createLiveSession({ quizId: quiz.id, phase: 'before' });
    assert.deepEqual(
      store.listLiveSessions().map((s) => s.id),
      [second.id, first.id],
    );
    store.close();
  });

  test(`${name}: a join code collision is retried with a fresh code; if none is free, a conflict`, () => {
    const script = ['AAAAAA', 'aaaaaa', 'AAAAAA', 'BBBBBB', ...Array(40).fill('AAAAAA')];
    const store = setup({ generateJoinCode: () => script.shift()! });
    const quiz = store.createQuiz({ title: 'Q', body: {} });
    const input = { quizId: quiz.id, phase: 'lobby' };
    assert.equal(store.createLiveSession(input).code, 'AAAAAA');
    assert.equal(store.createLiveSession(input).code, 'BBBBBB', 'two collisions (one in another case), then a free code');
    assert.throws(() => store.createLiveSession(input), code('conflict'));
    assert.equal(store.getLiveSessionByCode('AAAAAA')?.code, 'AAAAAA');
    store.close();
  });

  test(`${name}: phase, stage and current question are updated; null is written explicitly`, () => {
    const store = setup();
    const { session } = withSession(store);
    const started = store.updateLiveSession(session.id, { phase: 'question', stage: 'open', currentQuestion: 0 });
    assert.equal(started.phase, 'question');
    assert.equal(started.stage, 'open');
    assert.equal(started.currentQuestion, 0);
    assert.ok(started.updatedAt > session.updatedAt);
    const revealed = store.updateLiveSession(session.id, { stage: 'reveal' });
    assert.deepEqual([revealed.phase, revealed.stage, revealed.currentQuestion], ['question', 'reveal', 0]);
    const cleared = store.updateLiveSession(session.id, { phase: 'ended', stage: null, currentQuestion: null });
    assert.deepEqual([cleared.phase, cleared.stage, cleared.currentQuestion], ['ended', null, null]);
    assert.deepEqual(store.getLiveSession(session.id), cleared);
    assert.equal(cleared.code, session.code);
    assert.throws(() => store.updateLiveSession('nope', { phase: 'x' }), code('not_found'));
    assert.throws(() => store.updateLiveSession(session.id, { phase: '' }), invalid(/phase must not be empty/));
    assert.throws(() => store.updateLiveSession(session.id, { phase: 'p'.repeat(33) }), invalid(/phase is too long/));
    assert.throws(() => store.updateLiveSession(session.id, { currentQuestion: -1 }), invalid(/currentQuestion/));
    assert.throws(() => store.updateLiveSession(session.id, { currentQuestion: 1.5 }), invalid(/currentQuestion/));
    assert.throws(() => store.createLiveSession({ quizId: session.quizId, phase: '' }), invalid(/phase must not be empty/));
    assert.deepEqual(store.getLiveSession(session.id), cleared, 'refused updates change nothing');
    store.close();
  });

  // ------------------------------------------------------------------------------------------
  // Players

  test(`${name}: players join with a nickname unique per session, case-insensitively`, () => {
    const store = setup();
    const { quiz, session, ana, bo } = withSession(store);
    assert.deepEqual(ana, {
      id: ana.id,
      liveSessionId: session.id,
      nickname: 'Ana',
      nicknameKey: 'ana',
      secretHash: hashSecret('ana'),
      joinedAt: ana.joinedAt,
    });
    assert.notEqual(ana.id, bo.id);
    for (const taken of ['Ana', 'ANA', 'ana', 'ａｎａ' /* fullwidth, NFKC */]) {
      assert.throws(
        () => store.addPlayer({ liveSessionId: session.id, nickname: taken, secretHash: 'x' }),
        (error: unknown) => code('conflict')(error) && /taken/.test((error as Error).message),
        taken,
      );
    }
    const other = store.createLiveSession({ quizId: quiz.id, phase: 'lobby' });
    const anaElsewhere = store.addPlayer({ liveSessionId: other.id, nickname: 'ANA', secretHash: 'x' });
    assert.equal(anaElsewhere.nickname, 'ANA', 'the same nickname in another session is fine, kept as typed');

    assert.deepEqual(store.getPlayer(ana.id), ana);
    assert.equal(store.getPlayer('nope'), undefined);
    assert.deepEqual(
      store.listPlayers(session.id).map((p) => p.nickname),
      ['Ana', 'Bo'],
    );
    assert.deepEqual(store.listPlayers(other.id), [anaElsewhere]);
    assert.deepEqual(store.listPlayers('nope'), []);
    assert.deepEqual([store.countPlayers(session.id), store.countPlayers(other.id), store.countPlayers('nope')], [2, 1, 0]);
    assert.throws(() => store.addPlayer({ liveSessionId: 'nope', nickname: 'Cy', secretHash: 'x' }), code('not_found'));
    store.close();
  });

  test(`${name}: addPlayers stores a batch in order; a refused player does not stop the others`, () => {
    const store = setup();
    const { session } = withSession(store);
    const results = store.addPlayers([
      { liveSessionId: session.id, nickname: 'Cy', secretHash: 'c' },
      { liveSessionId: session.id, nickname: 'ANA', secretHash: 'x' },
      { liveSessionId: 'nope', nickname: 'Dee', secretHash: 'x' },
      { liveSessionId: session.id, nickname: 'cy', secretHash: 'x' },
      { liveSessionId: session.id, nickname: '', secretHash: 'x' },
      { liveSessionId: session.id, nickname: 'Dee', secretHash: 'd' },
    ]);
    assert.deepEqual(
      results.map((r) => (r.ok ? r.player.nickname : r.error.code)),
      ['Cy', 'conflict', 'not_found', 'conflict', 'invalid', 'Dee'],
    );
    assert.deepEqual(
      store.listPlayers(session.id).map((p) => p.nickname),
      ['Ana', 'Bo', 'Cy', 'Dee'],
    );
    assert.deepEqual(store.addPlayers([]), []);
    store.close();
  });

  test(`${name}: rejoin finds a player by secret hash or nickname, only within the session`, () => {
    const store = setup();
    const { quiz, session, ana, bo } = withSession(store);
    const other = store.createLiveSession({ quizId: quiz.id, phase: 'lobby' });
    assert.deepEqual(store.findPlayerBySecretHash(session.id, hashSecret('bo')), bo);
    assert.equal(store.findPlayerBySecretHash(session.id, hashSecret('nobody')), undefined);
    assert.equal(store.findPlayerBySecretHash(other.id, hashSecret('ana')), undefined);
    assert.deepEqual(store.findPlayerByNickname(session.id, 'aNa'), ana);
    assert.equal(store.findPlayerByNickname(session.id, 'Cy'), undefined);
    assert.equal(store.findPlayerByNickname(other.id, 'Ana'), undefined);
    store.close();
  });

  test(`${name}: nickname validation: empty, blank, over 32 characters, control characters`, () => {
    const store = setup();
    const { session } = withSession(store);
    const add = (nickname: string) => () => store.addPlayer({ liveSessionId: session.id, nickname, secretHash: 'x' });
    assert.throws(add(''), invalid(/nickname must not be empty/));
    assert.throws(add(' \t'), invalid(/nickname must not be empty/));
    assert.throws(add('n'.repeat(33)), invalid(/nickname is too long \(33 characters, at most 32\)/));
    assert.ok(add('🎉'.repeat(32))(), '32 emoji (64 UTF-16 units) is 32 characters');
    assert.throws(add('a\u0007b'), invalid(/control characters/));
    assert.throws(add('a\ud800'), invalid(/well-formed/));
    assert.throws(() => store.addPlayer({ liveSessionId: session.id, nickname: 'Cy', secretHash: '' }), invalid(/secretHash/));
    assert.equal(store.listPlayers(session.id).length, 3);
    store.close();
  });

  // ------------------------------------------------------------------------------------------
  // Submissions

  test(`${name}: submissions get strictly increasing tickets from 1 and the server's time`, () => {
    const store = setup();
    const { session, ana, bo, answer } = withSession(store);
    const a = store.appendSubmission(answer());
    const b = store.appendSubmission(answer({ playerId: bo.id, answer: 'Lyon', correct: false, points: 0 }));
    const c = store.appendSubmission(answer({ questionIndex: 1, clientSubmissionId: 'c2', answer: 'Berlin', correct: null, points: 0 }));
    assert.deepEqual(
      [a, b, c].map((r) => [r.submission.ticket, r.duplicate]),
      [
        [1, false],
        [2, false],
        [3, false],
      ],
    );
    assert.ok(a.submission.receivedAt < b.submission.receivedAt && b.submission.receivedAt < c.submission.receivedAt);
    assert.deepEqual(a.submission, {
      liveSessionId: session.id,
      ticket: 1,
      receivedAt: a.submission.receivedAt,
      playerId: ana.id,
      questionIndex: 0,
      answer: 'Paris',
      clientSubmissionId: 'c1',
      correct: true,
      points: 100,
    });
    assert.deepEqual(store.listSubmissions(session.id), [a.submission, b.submission, c.submission]);
    assert.deepEqual(store.listSubmissionsForQuestion(session.id, 0), [a.submission, b.submission]);
    assert.deepEqual(store.listSubmissionsForQuestion(session.id, 1), [c.submission]);
    assert.deepEqual(store.listSubmissionsForQuestion(session.id, 2), []);
    assert.deepEqual(store.listSubmissions('nope'), []);
    store.close();
  });

  test(`${name}: a retried submission (same client id) returns the original row and uses no ticket`, () => {
    const store = setup();
    const { session, bo, answer } = withSession(store);
    const first = store.appendSubmission(answer());
    const retry = store.appendSubmission(answer({ answer: 'Paris (retry with other text)', points: 5 }));
    assert.equal(retry.duplicate, true);
    assert.deepEqual(retry.submission, first.submission, 'the original answer, ticket and time win');
    // The same client id is another submission for another player or another question.
    const otherPlayer = store.appendSubmission(answer({ playerId: bo.id }));
    const otherQuestion = store.appendSubmission(answer({ questionIndex: 1 }));
    const newId = store.appendSubmission(answer({ clientSubmissionId: 'c2', answer: 'Paris!' }));
    assert.deepEqual(
      [otherPlayer, otherQuestion, newId].map((r) => [r.submission.ticket, r.duplicate]),
      [
        [2, false],
        [3, false],
        [4, false],
      ],
    );
    assert.equal(store.listSubmissions(session.id).length, 4);
    assert.deepEqual(store.appendSubmission(answer({ playerId: bo.id })).submission.ticket, 2);
    assert.equal(store.appendSubmission(answer({ clientSubmissionId: 'c3' })).submission.ticket, 5, 'no ticket was used by retries');
    store.close();
  });

  test(`${name}: a batch is stored in order with consecutive tickets, duplicates included, all or nothing`, () => {
    const store = setup();
    const { session, bo, answer } = withSession(store);
    const first = store.appendSubmission(answer());
    const batch = store.appendSubmissions([
      answer({ playerId: bo.id }),
      answer(),
      answer({ clientSubmissionId: 'c2' }),
    ]);
    assert.deepEqual(
      batch.map((r) => [r.submission.ticket, r.duplicate]),
      [
        [2, false],
        [1, true],
        [3, false],
      ],
    );
    assert.deepEqual(batch[1].submission, first.submission);
    assert.throws(() => store.appendSubmissions([answer({ clientSubmissionId: 'c4' }), answer({ playerId: 'nope' })]), code('not_found'));
    assert.deepEqual(
      store.listSubmissions(session.id).map((s) => s.ticket),
      [1, 2, 3],
      'the refused batch stored nothing and used no ticket',
    );
    assert.deepEqual(store.appendSubmissions([]), []);
    store.close();
  });

  test(`${name}: two live sessions have independent ticket sequences`, () => {
    const store = setup();
    const one = withSession(store);
    const two = withSession(store);
    const tickets = [
      store.appendSubmission(one.answer()).submission.ticket,
      store.appendSubmission(two.answer()).submission.ticket,
      store.appendSubmission(one.answer({ clientSubmissionId: 'c2' })).submission.ticket,
      store.appendSubmission(one.answer({ clientSubmissionId: 'c3' })).submission.ticket,
      store.appendSubmission(two.answer({ clientSubmissionId: 'c2' })).submission.ticket,
    ];
    assert.deepEqual(tickets, [1, 1, 2, 3, 2]);
    assert.deepEqual(
      store.listSubmissions(one.session.id).map((s) => s.ticket),
      [1, 2, 3],
    );
    assert.deepEqual(
      store.listSubmissions(two.session.id).map((s) => s.ticket),
      [1, 2],
    );
    store.close();
  });

  test(`${name}: a submission needs a known session and a player of that session`, () => {
    const store = setup();
    const one = withSession(store);
    const two = withSession(store);
    assert.throws(() => store.appendSubmission(one.answer({ liveSessionId: 'nope' })), code('not_found'));
    assert.throws(() => store.appendSubmission(one.answer({ playerId: 'nope' })), code('not_found'));
    assert.throws(() => store.appendSubmission(one.answer({ playerId: two.ana.id })), code('not_found'), 'a player of another session');
    assert.equal(store.appendSubmission(one.answer()).submission.ticket, 1, 'refused submissions used no ticket');
    store.close();
  });

  test(`${name}: submission validation at the store boundary`, () => {
    const store = setup();
    const { session, answer } = withSession(store);
    const cases: [Partial<NewSubmission>, RegExp][] = [
      [{ answer: '' }, /answer must not be empty/],
      [{ answer: '  ' }, /answer must not be empty/],
      [{ answer: 'a'.repeat(1001) }, /answer is too long/],
      [{ answer: 'a\u0000' }, /NUL/],
      [{ clientSubmissionId: '' }, /clientSubmissionId must not be empty/],
      [{ clientSubmissionId: 'c'.repeat(65) }, /clientSubmissionId is too long/],
      [{ questionIndex: -1 }, /questionIndex must be an integer/],
      [{ questionIndex: 0.5 }, /questionIndex/],
      [{ questionIndex: Number.NaN }, /questionIndex/],
      [{ points: 1.5 }, /points must be a safe integer/],
      [{ points: Number.POSITIVE_INFINITY }, /points/],
      [{ correct: 'yes' as never }, /correct must be true, false or null/],
      [{ playerId: '' }, /playerId must not be empty/],
    ];
    for (const [over, message] of cases) assert.throws(() => store.appendSubmission(answer(over)), invalid(message), message.source);
    const multiline = store.appendSubmission(answer({ answer: 'line 1\nline\t2' }));
    assert.equal(multiline.submission.answer, 'line 1\nline\t2', 'answers may span lines');
    assert.equal(multiline.submission.ticket, 1);
    assert.equal(store.appendSubmission(answer({ clientSubmissionId: 'c2', points: -50 })).submission.points, -50);
    assert.equal(store.listSubmissions(session.id).length, 2);
    store.close();
  });

  test(`${name}: regrading updates correctness and points, all or nothing`, () => {
    const store = setup();
    const { session, bo, answer } = withSession(store);
    store.appendSubmission(answer());
    store.appendSubmission(answer({ playerId: bo.id, answer: 'paris', correct: false, points: 0 }));
    store.gradeSubmissions(session.id, [
      { ticket: 2, correct: true, points: 80 },
      { ticket: 1, correct: null, points: 0 },
    ]);
    assert.deepEqual(
      store.listSubmissions(session.id).map((s) => [s.ticket, s.correct, s.points, s.answer]),
      [
        [1, null, 0, 'Paris'],
        [2, true, 80, 'paris'],
      ],
    );
    const before = store.listSubmissions(session.id);
    assert.throws(
      () =>
        store.gradeSubmissions(session.id, [
          { ticket: 1, correct: true, points: 1 },
          { ticket: 3, correct: true, points: 1 },
        ]),
      code('not_found'),
    );
    assert.throws(() => store.gradeSubmissions(session.id, [{ ticket: 1, correct: true, points: 0.5 }]), code('invalid'));
    assert.throws(() => store.gradeSubmissions('nope', [{ ticket: 1, correct: true, points: 1 }]), code('not_found'));
    assert.deepEqual(store.listSubmissions(session.id), before, 'the failed regrade changed nothing');
    store.gradeSubmissions(session.id, []);
    store.close();
  });

  // ------------------------------------------------------------------------------------------
  // Snapshots

  test(`${name}: a session's snapshot is saved, replaced and loaded`, () => {
    const store = setup();
    const { quiz, session } = withSession(store);
    assert.equal(store.loadSnapshot(session.id), undefined);
    const first = store.saveSnapshot(session.id, JSON.stringify({ v: 1, phase: 'lobby' }));
    assert.deepEqual(store.loadSnapshot(session.id), first);
    const second = store.saveSnapshot(session.id, JSON.stringify({ v: 1, phase: 'question' }));
    assert.ok(second.savedAt > first.savedAt);
    assert.deepEqual(store.loadSnapshot(session.id), { liveSessionId: session.id, data: '{"v":1,"phase":"question"}', savedAt: second.savedAt });
    const other = store.createLiveSession({ quizId: quiz.id, phase: 'lobby' });
    assert.equal(store.loadSnapshot(other.id), undefined, 'snapshots are per session');
    assert.throws(() => store.saveSnapshot('nope', '{}'), code('not_found'));
    assert.throws(() => store.saveSnapshot(session.id, ''), invalid(/snapshot/));
    assert.throws(() => store.saveSnapshot(session.id, 42 as never), invalid(/snapshot/));
    store.close();
  });

  test(`${name}: a picture is stored as given and read back by id; a copy, not the caller's buffer`, () => {
    const store = setup();
    const bytes = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const saved = store.saveImage({ mime: 'image/png', bytes });
    bytes[4] = 99;
    const read = store.getImage(saved.id)!;
    assert.equal(read.mime, 'image/png');
    assert.deepEqual([...read.bytes], [0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    assert.equal(store.getImage('no-such-image'), undefined);
    store.close();
  });

  test(`${name}: a session is archived and brought back; an unknown one is refused`, () => {
    const store = setup();
    const { session } = withSession(store);
    assert.deepEqual([...store.archivedSessions()], []);
    store.setArchived(session.id, true);
    store.setArchived(session.id, true);
    assert.deepEqual([...store.archivedSessions()], [session.id]);
    store.setArchived(session.id, false);
    assert.deepEqual([...store.archivedSessions()], []);
    assert.throws(() => store.setArchived('nope', true), (error: unknown) => error instanceof StoreError && error.code === 'not_found');
    store.close();
  });
}
