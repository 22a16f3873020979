/**
 * Issue 9, items 7 and 9, against the quiz as `npm start` runs it.
 * - Answer amplification: one seat joined from 41 sessions, each sending wrong 200-character
 *   answers to an open short question (unpatched: 3.6 GiB). Attempts per question are capped (the
 *   quiz's `maxAttempts`, default 20: then `too-many-attempts`), a seat keeps few sessions (the
 *   others get `not-joined`), and the server stays within +150 MiB.
 * - Join flood: one address joins, leaves and joins again (unpatched: 991 seats in 2.2 s). Joins
 *   per address are limited (120 a minute): the rest are refused `rate-limited`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { measureAttack } from './support/attack.js';
import { httpBystander } from './support/bystander.js';
import { ask, openShortQuestion, quizSession, type QuizSession } from './support/quiz-players.js';
import { startQuiz, type QuizTarget } from './support/target.js';

const MAX_ATTEMPTS = 20;
const JOINS_PER_MINUTE = 120;

describe('answer amplification', () => {
  let quiz: QuizTarget;
  let host: QuizSession;
  before(async () => {
    quiz = await startQuiz();
    host = await openShortQuestion(quiz.url, quiz.code, quiz.password);
  });
  after(async () => {
    host?.close();
    await quiz?.stop();
  });

  test('41 sessions of one seat flooding wrong answers: capped attempts, < +150 MiB', { timeout: 90_000 }, async (t) => {
    const first = quizSession(quiz.url);
    const seat = await ask(first, 'join', { code: quiz.code, nickname: 'flooder' });
    assert.equal(seat.ok, true, `join: ${seat.error}`);
    const pages: QuizSession[] = [first];
    for (let i = 0; i < 40; i++) {
      const page = quizSession(quiz.url);
      await ask(page, 'rejoin', { code: quiz.code, playerId: seat.playerId, secret: seat.secret });
      pages.push(page);
    }
    const outcomes = new Map<string, number>();
    const wrong = (n: number): string => `wrong ${n} `.padEnd(200, '가');
    // From the attack's start: the bystander's start and baseline come first.
    let started = 0;
    await measureAttack(t, 'answer amplification', quiz, { boundMiB: 150, bystander: () => httpBystander(quiz.url, '/'), describe: () => t.diagnostic(`answer amplification: ${JSON.stringify(Object.fromEntries(outcomes))}`) }, async (overBound) => {
      started = Date.now();
      let n = 0;
      // Each page keeps 20 answers in flight, for 8 s at most (under the session rate of 200/s).
      await Promise.all(
        pages.map(async (page) => {
          while (Date.now() - started < 8000 && !overBound()) {
            const batch = Array.from({ length: 20 }, () => ask(page, 'submit', { questionIndex: 1, answer: wrong(n), clientSubmissionId: `c${n++}` }, 5000).catch((error: Error) => ({ accepted: false, reason: error.message })));
            for (const reply of await Promise.all(batch)) {
              const key = reply.accepted ? 'accepted' : String(reply.reason);
              outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
            }
            if (outcomes.has('too-many-attempts') && Date.now() - started > 3000) return;
          }
        }),
      );
    });
    for (const page of pages) page.close();
    assert.ok((outcomes.get('accepted') ?? 0) <= MAX_ATTEMPTS, `${outcomes.get('accepted')} answers accepted from one seat (cap ${MAX_ATTEMPTS})`);
    assert.ok(outcomes.has('too-many-attempts'), 'answers past the cap are refused too-many-attempts');
  });
});

describe('join flood', () => {
  let quiz: QuizTarget;
  before(async () => {
    quiz = await startQuiz();
  });
  after(() => quiz?.stop());

  test('one address joining, leaving and joining again is refused rate-limited past its joins a minute', { timeout: 90_000 }, async (t) => {
    const ATTEMPTS = 300;
    let joined = 0;
    let started = 0;
    const refusals = new Map<string, number>();
    await measureAttack(t, 'join flood', quiz, { boundMiB: 100, bystander: () => httpBystander(quiz.url, '/'), describe: () => t.diagnostic(`join flood: ${joined} seats of ${ATTEMPTS}; refusals ${JSON.stringify(Object.fromEntries(refusals))}`) }, async () => {
      started = Date.now();
      for (let round = 0; round < ATTEMPTS / 20; round++) {
        await Promise.all(
          Array.from({ length: 20 }, async (_, i) => {
            const page = quizSession(quiz.url);
            const reply = await ask(page, 'join', { code: quiz.code, nickname: `squat${round}-${i}` }).catch((error: Error) => ({ ok: false, code: error.message }));
            if (reply.ok) joined++;
            else refusals.set(String(reply.code), (refusals.get(String(reply.code)) ?? 0) + 1);
            page.close();
          }),
        );
      }
    });
    // The burst, plus what the bucket refilled during the flood.
    const allowed = JOINS_PER_MINUTE + Math.ceil(((Date.now() - started) / 60_000) * JOINS_PER_MINUTE) + 1;
    assert.ok(joined <= allowed, `${joined} seats from one address in ${Date.now() - started} ms (limit ${JOINS_PER_MINUTE} a minute: ${allowed})`);
    assert.equal(refusals.get('rate-limited'), ATTEMPTS - joined, `refusals: ${JSON.stringify(Object.fromEntries(refusals))}`);
  });
});
