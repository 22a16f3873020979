/** Kick and lock in the domain: what a removed player loses, and that it survives a snapshot round trip. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveSession } from './live-session.js';
import type { Quiz } from './quiz.js';

const quiz: Quiz = {
  title: 'Moderated',
  mode: 'cotato',
  questions: [{ kind: 'choice', text: '2 + 2?', options: ['3', '4'], correct: [1] }],
};

function played(): LiveSession {
  const s = LiveSession.create(quiz);
  for (const [id, nick] of [['p1', 'Troll'], ['p2', 'Bob']]) assert.equal(s.join(id, nick, 0).ok, true);
  s.show(0, 1);
  s.open(2);
  assert.equal(s.submit('p1', 0, 1, 'a', 3).accepted, true);
  assert.equal(s.submit('p2', 0, 1, 'b', 4).accepted, true);
  s.close(5);
  return s;
}

test('a kicked player leaves the game: rankings and the scorer are recomputed without their answers, the nickname stays taken', () => {
  const s = played();
  assert.equal(s.scorer(0), 'p1');
  assert.deepEqual(s.kick('p1'), { ok: true });
  assert.equal(s.scorer(0), 'p2', 'the next correct answer scores');
  assert.deepEqual(
    s.leaderboard().map((row) => row.nickname),
    ['Bob'],
  );
  assert.equal(s.findPlayer('p1'), undefined);
  assert.equal(s.submissionsAt(0).length, 1);
  assert.equal(s.nicknameTaken('troll'), true, 'the same nickname cannot come straight back');
  assert.equal(s.kick('p1').ok, false, 'kicking twice is refused');
  assert.equal(s.kick('nobody').ok, false);
});

test('a kick survives a snapshot round trip, even when the records come back with the kicked player in them (as the store keeps them)', () => {
  const s = played();
  const before = s.toSnapshot();
  s.kick('p1');
  const restored = LiveSession.fromSnapshot({ ...s.toSnapshot({ records: false }), players: before.players, submissions: before.submissions });
  assert.equal(restored.findPlayer('p1'), undefined);
  assert.equal(restored.scorer(0), 'p2');
  assert.equal(restored.submissionsAt(0).length, 1);
});

test('lock: kept in the snapshot; refused once finished', () => {
  const s = LiveSession.create(quiz);
  assert.equal(s.locked, false);
  assert.deepEqual(s.setLocked(true), { ok: true });
  assert.equal(LiveSession.fromSnapshot(s.toSnapshot()).locked, true);
  s.setLocked(false);
  assert.equal(s.locked, false);
  s.finish(1);
  assert.equal(s.setLocked(true).ok, false);
});

test('a retry must be another answer: the same option, or the same text as graded, is refused without a ticket', () => {
  const s = LiveSession.create({ title: 'Retry', mode: 'cotato', questions: [{ kind: 'short', text: 'Capital?', accepted: ['Seoul'] }] });
  s.join('p1', 'Ana', 0);
  s.show(0, 1);
  s.open(2);
  assert.equal(s.submit('p1', 0, 'Busan', 'a', 3).accepted, true);
  const again = s.submit('p1', 0, ' BUSAN ', 'b', 4);
  assert.equal(again.accepted, false);
  assert.equal(!again.accepted && again.reason, 'same-answer');
  // The same request again (a network retry) still gets its original outcome.
  assert.equal(s.submit('p1', 0, 'Busan', 'a', 5).accepted, true);
  const right = s.submit('p1', 0, 'Seoul', 'c', 6);
  assert.equal(right.accepted && right.ticket, 2, 'the refused retry took no ticket');
});
