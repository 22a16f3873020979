/**
 * Issue 9, item 11 (the part that is not timing; the fairness work owns the rest): when the host
 * opens a question with a delay, players must receive nothing until answers are open, or they
 * learn that the open is coming. Unpatched, a new state version ("shown") reached players ~2 ms
 * after the command.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ask, command, hostSession, quizSession, type QuizSession } from './support/quiz-players.js';
import { startQuiz, type QuizTarget } from './support/target.js';
import { waitFor } from './support/wait.js';

const DELAY_MS = 1500;

let quiz: QuizTarget;
let host: QuizSession;
before(async () => {
  quiz = await startQuiz();
  host = await hostSession(quiz.url, quiz.code, quiz.password);
});
after(async () => {
  host?.close();
  await quiz?.stop();
});

test('no state reaches players between a delayed open command and the open itself', { timeout: 30_000 }, async (t) => {
  const player = quizSession(quiz.url);
  const states: { at: number; stage: unknown }[] = [];
  (player as unknown as { on(event: string, listener: (state: { stage: unknown }) => void): void }).on('state', (state) => states.push({ at: Date.now(), stage: state.stage }));
  assert.equal((await ask(player, 'join', { code: quiz.code, nickname: 'early bird' })).ok, true);
  await command(host, { command: 'show', index: 1 });
  await waitFor(() => states.some((state) => state.stage === 'shown'), 5000, 'the player sees the question');
  const before = states.length;
  const commanded = Date.now();
  await command(host, { command: 'open', delayMs: DELAY_MS });
  await waitFor(() => states.some((state) => state.stage === 'open'), DELAY_MS + 5000, 'answers open');
  const early = states.slice(before).filter((state) => state.stage !== 'open');
  t.diagnostic(`delayed open: ${early.length} state pushes before the open (first after ${early[0] ? early[0].at - commanded : '-'} ms)`);
  assert.deepEqual(early, [], 'players were told something before answers opened');
  player.close();
});
