import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveSession, randomDelay } from './live-session.js';
import type { Quiz } from './quiz.js';

const quiz = (mode: Quiz['mode'] = 'cotato'): Quiz => ({
  title: 'Cotato night',
  mode,
  questions: [
    { kind: 'short', text: 'Capital of Korea?', accepted: ['Seoul'] },
    { kind: 'choice', text: '2 + 2?', options: ['3', '4', '5'], correct: [1] },
    { kind: 'short', text: 'Club name?', accepted: ['Cotato'] },
  ],
});

function withPlayers(mode: Quiz['mode'] = 'cotato'): LiveSession {
  const s = LiveSession.create(quiz(mode));
  for (const [id, nick] of [['p1', 'Alice'], ['p2', 'Bob'], ['p3', 'Carol']]) assert.equal(s.join(id, nick, 0).ok, true);
  return s;
}

const accepted = (r: ReturnType<LiveSession['submit']>) => {
  assert.equal(r.accepted, true, JSON.stringify(r));
  return r as Extract<typeof r, { accepted: true }>;
};
const refused = (r: ReturnType<LiveSession['submit']>, reason: string) => {
  assert.equal(r.accepted, false, JSON.stringify(r));
  assert.equal((r as Extract<typeof r, { accepted: false }>).reason, reason);
};

test('join: unique nicknames (case-insensitive), rejoin by id', () => {
  const s = withPlayers();
  assert.equal(s.join('p4', 'alice', 1).ok, false);
  assert.equal(s.join('p1', 'Dave', 1).ok, false);
  assert.equal(s.join('p5', 'bad\nname', 1).ok, false);
  const again = s.rejoin('p2');
  assert.equal(again.ok && again.player.nickname, 'Bob');
  assert.equal(s.rejoin('nobody').ok, false);
});

test('phases and stages: before → ongoing → finished, one question at a time', () => {
  const s = withPlayers();
  assert.equal(s.phase, 'before');
  assert.equal(s.open(0).ok, false);
  assert.equal(s.next(0).ok, true);
  assert.equal(s.phase, 'ongoing');
  assert.equal(s.questionState(0)?.stage, 'shown');
  assert.equal(s.next(1).ok, false, 'cannot move on before closing');
  assert.equal(s.open(10).ok, true);
  assert.equal(s.show(1, 11).ok, false, 'cannot show another while one is open');
  assert.equal(s.close(20).ok, true);
  assert.equal(s.show(0, 21).ok, true, 're-showing the current question is harmless');
  assert.equal(s.next(30).ok, true);
  assert.equal(s.currentIndex, 1);
  assert.equal(s.show(0, 31).ok, false, 'a played question cannot be shown again');
  assert.equal(s.open(40).ok, true);
  assert.equal(s.finish(50).ok, true);
  assert.equal(s.questionState(1)?.stage, 'closed');
  assert.equal(s.phase, 'finished');
  assert.equal(s.show(2, 60).ok, false);
});

test('refusals: before start, shown-not-open, random delay window, after close, countdown', () => {
  const s = withPlayers();
  refused(s.submit('p1', 0, 'Seoul', 'a', 0), 'session-not-started');
  refused(s.submit('ghost', 0, 'Seoul', 'a', 0), 'unknown-player');
  s.show(0, 100);
  refused(s.submit('p1', 0, 'Seoul', 'a', 101), 'not-open');
  const delay = randomDelay(1000, 3000, () => 0.5);
  assert.equal(delay, 2000);
  s.open(200, { delayMs: delay });
  refused(s.submit('p1', 0, 'Seoul', 'a', 200), 'not-open-yet');
  refused(s.submit('p1', 0, 'Seoul', 'a', 2199), 'not-open-yet');
  refused(s.submit('p1', 1, 4, 'b', 2300), 'not-current-question');
  refused(s.submit('p1', 0, 42, 'c', 2300), 'invalid-answer');
  accepted(s.submit('p1', 0, 'Seoul', 'a', 2200));
  s.close(3000);
  refused(s.submit('p2', 0, 'Seoul', 'x', 3000), 'closed');
  s.next(4000);
  s.open(4000, { timeLimitMs: 1000 });
  accepted(s.submit('p2', 1, 1, 'y', 4999));
  refused(s.submit('p3', 1, 1, 'z', 5000), 'time-up');
  s.close(6000);
  s.finish(7000);
  refused(s.submit('p3', 2, 'Cotato', 'w', 7001), 'session-finished');
  // none of the refused submissions was counted, tickets stay dense
  assert.deepEqual(s.submissions.map((x) => x.ticket), [1, 2]);
});

test('an open inside its delay can be cancelled: the question is shown again and opens afresh; once open it cannot', () => {
  const s = withPlayers();
  assert.equal(s.cancelOpen(0).ok, false);
  s.show(0, 100);
  assert.deepEqual(s.cancelOpen(150), { ok: false, reason: 'no question is opening' });
  s.open(200, { delayMs: 1000, timeLimitMs: 5000 });
  assert.equal(s.cancelOpen(1199).ok, true);
  assert.equal(s.questionState(0)!.stage, 'shown');
  refused(s.submit('p1', 0, 'Seoul', 'a', 1300), 'not-open');
  s.open(2000);
  assert.deepEqual([s.questionState(0)!.opensAt, s.questionState(0)!.deadline], [2000, null]);
  accepted(s.submit('p1', 0, 'Seoul', 'a', 2000));
  assert.deepEqual(s.cancelOpen(2001), { ok: false, reason: 'answers are already open: close the question instead' });
  assert.equal(s.questionState(0)!.stage, 'open');
});

test('cotato: retry until right, first correct counts, scorer by ticket, no answers after correct', () => {
  const s = withPlayers();
  s.next(0);
  s.open(0);
  const wrong = accepted(s.submit('p1', 0, 'Busan', 'p1-1', 10));
  assert.deepEqual([wrong.correct, wrong.attempt, wrong.ticket], [false, 1, 1]);
  const bob = accepted(s.submit('p2', 0, 'seoul', 'p2-1', 10)); // same ms, later ticket
  assert.deepEqual([bob.correct, bob.attempt, bob.ticket], [true, 1, 2]);
  const retry = accepted(s.submit('p1', 0, ' SEOUL ', 'p1-2', 11));
  assert.deepEqual([retry.correct, retry.attempt, retry.ticket], [true, 2, 3]);
  refused(s.submit('p1', 0, 'Seoul', 'p1-3', 12), 'already-correct');
  s.close(20);
  assert.equal(s.scorer(0), 'p2');
  assert.deepEqual(
    s.questionRanking(0).map((e) => [e.rank, e.nickname, e.ticket, e.attempt, e.points]),
    [
      [1, 'Bob', 2, 1, 1],
      [2, 'Alice', 3, 2, 0],
    ],
  );
});

test('duplicate client submission id is not double-counted', () => {
  const s = withPlayers();
  s.next(0);
  s.open(0);
  const first = accepted(s.submit('p1', 0, 'Busan', 'same', 5));
  const dup = accepted(s.submit('p1', 0, 'Busan', 'same', 6));
  assert.deepEqual(dup, { ...first, duplicate: true });
  const next = accepted(s.submit('p1', 0, 'Seoul', 'other', 7));
  assert.equal(next.attempt, 2);
  assert.equal(next.ticket, 2);
  // a resend after close still answers with the original outcome
  s.close(8);
  assert.equal(accepted(s.submit('p1', 0, 'Seoul', 'other', 9)).duplicate, true);
  assert.equal(s.submissions.length, 2);
  // same client id from another player is a different submission
  const s2 = withPlayers();
  s2.next(0);
  s2.open(0);
  accepted(s2.submit('p1', 0, 'Seoul', 'x', 1));
  assert.equal(accepted(s2.submit('p2', 0, 'Seoul', 'x', 2)).duplicate, false);
});

function playCotato(): LiveSession {
  const s = withPlayers();
  // Q1: Bob first; Q2: Alice first; Q3: Carol wrong then right first (ticket order decides)
  s.next(0); s.open(0);
  s.submit('p2', 0, 'Seoul', 'b1', 1); // t1
  s.submit('p1', 0, 'Seoul', 'a1', 2); // t2
  s.close(3);
  s.next(4); s.open(4);
  s.submit('p1', 1, 1, 'a2', 5); // t3
  s.submit('p2', 1, 1, 'b2', 6); // t4
  s.submit('p3', 1, 0, 'c2', 6); // t5 wrong
  s.close(7);
  s.next(8); s.open(8);
  s.submit('p3', 2, 'Kotato', 'c3', 9); // t6 wrong
  s.submit('p3', 2, 'cotato', 'c3b', 10); // t7 right
  s.submit('p1', 2, 'Cotato', 'a3', 10); // t8 right
  s.close(11);
  s.finish(12);
  return s;
}

test('cotato: crowned by most wins, winner by earliest winning tickets', () => {
  const s = playCotato();
  const r = s.finalResults();
  assert.equal(r.finished, true);
  assert.deepEqual(r.scorers, ['p2', 'p1', 'p3']);
  // everyone has one win: all crowned; ticket sums Bob 1, Alice 3, Carol 7
  assert.deepEqual(r.crowned.map((e) => [e.nickname, e.wins, e.ticketSum]), [['Bob', 1, 1], ['Alice', 1, 3], ['Carol', 1, 7]]);
  assert.equal(r.winner?.nickname, 'Bob');
  assert.deepEqual(r.leaderboard.map((e) => [e.rank, e.nickname, e.correct]), [[1, 'Bob', 2], [2, 'Alice', 3], [3, 'Carol', 1]]);
});

test('cotato: most wins beats earlier tickets; nobody scoring crowns nobody', () => {
  const s = withPlayers();
  s.next(0); s.open(0); s.submit('p1', 0, 'Seoul', '1', 1); s.close(2);
  s.next(3); s.open(3); s.submit('p2', 1, 1, '2', 4); s.close(5);
  s.next(6); s.open(6); s.submit('p2', 2, 'Cotato', '3', 7); s.close(8);
  s.finish(9);
  const r = s.finalResults();
  assert.deepEqual(r.crowned.map((e) => e.nickname), ['Bob']);
  assert.equal(r.winner?.wins, 2);
  assert.deepEqual(r.leaderboard.map((e) => e.nickname), ['Bob', 'Alice', 'Carol']);

  const empty = withPlayers();
  empty.finish(0);
  assert.deepEqual(empty.finalResults().crowned, []);
  assert.equal(empty.finalResults().winner, null);
  assert.deepEqual(empty.leaderboard().map((e) => e.rank), [1, 1, 1]);
});

test('regrade after close re-marks submissions and changes the scorer', () => {
  const s = withPlayers();
  s.next(0); s.open(0);
  s.submit('p1', 0, '서울', 'a', 1); // t1 wrong for now
  s.submit('p1', 0, 'Seoul', 'a2', 2); // t2 right (retry)
  s.submit('p2', 0, 'Seoul', 'b', 3); // t3
  assert.equal(s.regrade(0, '서울').ok, false, 'not before close');
  s.close(4);
  assert.equal(s.scorer(0), 'p1');
  assert.equal(s.questionRanking(0)[0].ticket, 2);
  const r = s.regrade(0, ' 서 울 ');
  assert.deepEqual(r, { ok: true, changed: 1 });
  assert.equal(s.questionRanking(0)[0].ticket, 1, 'the earlier, now-correct attempt is the first correct one');
  assert.equal(s.regrade(1, 'x').ok, false, 'choice questions are not regraded');

  // regrade makes a different player the scorer
  const t = withPlayers();
  t.next(0); t.open(0);
  t.submit('p3', 0, 'Soul', 'c', 1); // t1
  t.submit('p2', 0, 'Seoul', 'b', 2); // t2
  t.close(3);
  assert.equal(t.scorer(0), 'p2');
  t.regrade(0, 'soul');
  assert.equal(t.scorer(0), 'p3');
  assert.equal(t.leaderboard()[0].nickname, 'Carol');
});

test('speed mode: one answer, points = round(1000 × (1 − elapsed/limit/2))', () => {
  const s = withPlayers('speed');
  s.next(0);
  s.open(1000, { delayMs: 500, timeLimitMs: 10_000 }); // opens at 1500, deadline 11500
  const a = accepted(s.submit('p1', 0, 'Seoul', 'a', 1500)); // elapsed 0 → 1000
  refused(s.submit('p1', 0, 'Busan', 'a2', 1600), 'already-answered');
  accepted(s.submit('p2', 0, 'Seoul', 'b', 6500)); // elapsed 5000 → 750
  accepted(s.submit('p3', 0, 'Busan', 'c', 2000)); // wrong → 0
  assert.equal(a.correct, true);
  s.close(12_000);
  assert.deepEqual(s.questionRanking(0).map((e) => [e.nickname, e.points, e.elapsedMs]), [['Alice', 1000, 0], ['Bob', 750, 5000]]);
  s.next(12_000);
  s.open(12_000); // default 20 s countdown in speed mode
  assert.equal(s.questionState(1)?.deadline, 32_000);
  accepted(s.submit('p2', 1, 1, 'b2', 12_000)); // 1000
  accepted(s.submit('p1', 1, 1, 'a2', 22_000)); // elapsed 10000/20000 → 750
  refused(s.submit('p3', 1, 1, 'c2', 32_000), 'time-up');
  s.finish(40_000);
  const r = s.finalResults();
  // tickets: Alice 1 + 5 = 6, Bob 2 + 4 = 6 → same points and ticket sum → shared rank, join order
  assert.deepEqual(
    r.leaderboard.map((e) => [e.rank, e.nickname, e.points, e.correct, e.ticketSum]),
    [[1, 'Alice', 1750, 2, 6], [1, 'Bob', 1750, 2, 6], [3, 'Carol', 0, 0, 0]],
  );
  assert.equal(r.winner?.nickname, 'Alice');
  assert.deepEqual(r.crowned.map((e) => e.nickname).sort(), ['Alice', 'Bob']);
});

test('snapshot round-trip gives identical results and keeps the ticket counter', () => {
  const s = playCotato();
  const json = JSON.stringify(s.toSnapshot());
  const restored = LiveSession.fromSnapshot(JSON.parse(json));
  assert.deepEqual(restored.finalResults(), s.finalResults());
  assert.equal(restored.toCsv(), s.toCsv());
  assert.deepEqual(restored.toSnapshot(), s.toSnapshot());

  // mid-question restart: tickets continue strictly increasing
  const live = withPlayers();
  live.next(0); live.open(0, { delayMs: 100 });
  live.submit('p1', 0, 'Busan', 'a', 100);
  const back = LiveSession.fromSnapshot(JSON.parse(JSON.stringify(live.toSnapshot())));
  refused(back.submit('p2', 0, 'Seoul', 'b', 99), 'not-open-yet');
  assert.equal(accepted(back.submit('p1', 0, 'Busan', 'a', 150)).duplicate, true);
  assert.equal(accepted(back.submit('p2', 0, 'Seoul', 'b', 150)).ticket, 2);
  // the snapshot is a copy: mutating it does not touch the session
  const snap = back.toSnapshot();
  snap.submissions.length = 0;
  assert.equal(back.submissions.length, 2);
  assert.throws(() => LiveSession.fromSnapshot({ ...snap, version: 2 as 1 }));
});

test('CSV export of results and submissions is escaped and formula-guarded', () => {
  const s = LiveSession.create(quiz());
  s.join('p1', '-Dash', 0);
  s.join('p2', 'Bob', 0);
  s.next(0); s.open(0);
  s.submit('p2', 0, '=HYPERLINK("http://evil","x")', 'b1', 1);
  s.submit('p2', 0, 'a,b\nc', 'b2', 2);
  s.submit('p1', 0, 'Seoul', 'a1', 3);
  s.close(4);
  s.finish(5);
  assert.equal(
    s.toCsv(),
    'rank,nickname,wins,correct,points,ticketSum,q1,q2,q3\r\n' + "1,'-Dash,1,1,1,3,3,,\r\n" + '2,Bob,0,0,0,0,,,\r\n',
  );
  assert.equal(
    s.submissionsCsv(),
    'ticket,at,question,nickname,answer,attempt,correct\r\n' +
      `1,1,1,Bob,"'=HYPERLINK(""http://evil"",""x"")",1,no\r\n` +
      '2,2,1,Bob,"a,b\nc",2,no\r\n' +
      "3,3,1,'-Dash,Seoul,1,yes\r\n",
  );
});

test('cotato: retries stop at the quiz maxAttempts (default 20), and duplicates still get their outcome', () => {
  const s = LiveSession.create({ ...quiz(), maxAttempts: 3 });
  s.join('p1', 'Alice', 0);
  s.next(0);
  s.open(0);
  for (let i = 1; i <= 3; i++) assert.equal(accepted(s.submit('p1', 0, `wrong ${i}`, `p1-${i}`, 10)).attempt, i);
  assert.equal(s.maySubmit('p1'), false);
  refused(s.submit('p1', 0, 'Seoul', 'p1-4', 11), 'too-many-attempts');
  assert.equal(accepted(s.submit('p1', 0, 'wrong 3', 'p1-3', 12)).duplicate, true);
  assert.equal(s.submissionsOf('p1', 0).length, 3);

  const byDefault = withPlayers();
  byDefault.next(0);
  byDefault.open(0);
  assert.equal(byDefault.maxAttempts, 20);
  // Each retry another answer (the same one again is refused as 'same-answer').
  for (let i = 1; i <= 20; i++) accepted(byDefault.submit('p2', 0, `Busan ${i}`, `p2-${i}`, 10));
  refused(byDefault.submit('p2', 0, 'Seoul', 'p2-21', 10), 'too-many-attempts');
});
