import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkReaction, reactionBounds, type ReactionEvidence } from './fairness.js';
import { LiveSession } from './live-session.js';
import type { Quiz } from './quiz.js';

// Answers open at 10,000; announced 500 ms ahead; the answer arrives 300 ms after the open from a
// player with a 40 ms round trip and a clock known to ±2 ms.
const evidence = (claimedMs: number | undefined, over: Partial<ReactionEvidence> = {}): ReactionEvidence => ({
  claimedMs,
  arrivedAt: 10_300,
  opensAt: 10_000,
  announcedAt: 9_500,
  rttMs: 40,
  uncertaintyMs: 2,
  ...over,
});

test('an honest claim lies between arrival − round trip − uncertainty − slack and arrival + uncertainty + slack', () => {
  assert.deepEqual(reactionBounds(evidence(0)), { min: 300 - 40 - 2 - 10, max: 300 + 2 + 10 });
  assert.deepEqual(checkReaction(evidence(275.04)), { reactionMs: 275, flag: null });
  assert.deepEqual(checkReaction(evidence(248)), { reactionMs: 248, flag: null });
});

test('a claim faster than the link allows is capped at the bound and flagged; so is one slower than the arrival', () => {
  assert.deepEqual(checkReaction(evidence(1)), { reactionMs: 248, flag: 'capped' });
  assert.deepEqual(checkReaction(evidence(5000)), { reactionMs: 312, flag: 'capped' });
});

test('an announcement that reached the player after the instant widens the bound by its lateness', () => {
  // Written 30 ms before the open with a 40 ms round trip: it may have arrived 10 ms late.
  assert.equal(reactionBounds(evidence(0, { announcedAt: 9_970 })).min, 238);
});

test("the server's own recent lag widens the lower bound: it stamped the arrival late", () => {
  assert.equal(reactionBounds(evidence(0, { serverLagMs: 120 })).min, 248 - 120);
  assert.deepEqual(checkReaction(evidence(150, { serverLagMs: 120 })), { reactionMs: 150, flag: null });
});

test('no claim, no round trip, or a clock above the threshold: ranked by arrival', () => {
  assert.deepEqual(checkReaction(evidence(undefined)), { reactionMs: null, flag: 'unsynced' });
  assert.deepEqual(checkReaction(evidence(250, { uncertaintyMs: 26 })), { reactionMs: null, flag: 'unsynced' });
  assert.deepEqual(checkReaction(evidence(250, { uncertaintyMs: null })), { reactionMs: null, flag: 'unsynced' });
  assert.deepEqual(checkReaction(evidence(250, { rttMs: null })), { reactionMs: null, flag: 'unsynced' });
  assert.deepEqual(checkReaction(evidence(-1)), { reactionMs: null, flag: 'unsynced' });
});

const quiz = (ranking: Quiz['ranking'], mode: Quiz['mode'] = 'cotato'): Quiz => ({
  title: 'Fair',
  mode,
  ranking,
  falseStartPenaltyMs: 500,
  questions: [{ kind: 'choice', text: '?', options: ['a', 'b'], correct: [0] }],
});

function scheduled(ranking: Quiz['ranking'], mode: Quiz['mode'] = 'cotato'): LiveSession {
  const s = LiveSession.create(quiz(ranking, mode));
  for (const id of ['fast-net', 'fast-hand', 'unsynced']) s.join(id, id, 0);
  s.show(0, 0);
  s.open(100, { delayMs: 1000, scheduled: true });
  return s;
}

test('a scheduled open: refused as a false start until announced and until its instant; the false starter waits out the penalty', () => {
  const s = scheduled('arrival');
  assert.equal(s.openingPending, true);
  const early = s.submit('fast-net', 0, 0, 'a', 1200);
  assert.equal(!early.accepted && early.reason, 'false-start', 'the delay has run, but nothing is announced yet');
  assert.equal(s.announceOpen(1200, 1300).ok, true);
  assert.equal(s.openingPending, false);
  assert.equal(s.cancelOpen(1250).ok, false, 'announced: too late to take back');
  assert.equal(s.submit('fast-hand', 0, 0, 'b', 1299).accepted, false);
  assert.equal(s.submit('unsynced', 0, 0, 'c', 1300).accepted, true);
  const penalised = s.submit('fast-net', 0, 0, 'd', 1799);
  assert.equal(!penalised.accepted && penalised.reason, 'false-start');
  assert.equal(s.submit('fast-net', 0, 0, 'e', 1800).accepted, true);
  assert.deepEqual(LiveSession.fromSnapshot(s.toSnapshot()).questionState(0)!.falseStarts, ['fast-net', 'fast-hand'], 'false starts survive a restart');
});

test('"reaction" ranks by the checked reaction time (ties by ticket), falling back to arrival; "arrival" by ticket', () => {
  for (const ranking of ['reaction', 'arrival'] as const) {
    const s = scheduled(ranking);
    s.announceOpen(1100, 1200);
    s.submit('fast-net', 0, 0, 'a', 1300, { reactionMs: 95, flag: null });
    s.submit('unsynced', 0, 0, 'b', 1350, { reactionMs: null, flag: 'unsynced' });
    s.submit('fast-hand', 0, 0, 'c', 1400, { reactionMs: 60, flag: null });
    const order = s.questionRanking(0).map((e) => [e.playerId, e.reactionMs]);
    assert.deepEqual(
      order,
      ranking === 'reaction'
        ? [['fast-hand', 60], ['fast-net', 95], ['unsynced', null]]
        : [['fast-net', 95], ['unsynced', null], ['fast-hand', 60]],
    );
  }
});

test('speed mode under "reaction": points from the reaction time', () => {
  const s = scheduled('reaction', 'speed');
  s.announceOpen(1100, 1200);
  s.submit('fast-net', 0, 0, 'a', 1300 + 10_000, { reactionMs: 0, flag: null });
  const [entry] = s.questionRanking(0);
  assert.equal(entry.points, 1000, 'a 0 ms reaction scores the maximum, whenever it arrived');
});
