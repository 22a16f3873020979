/**
 * The realtime side attacked with real baro clients over real sockets: an answer flood, one seat
 * opened from 41 sessions, a join flood from one address. What the server sends is counted at its
 * own sockets (bytesWritten), never inferred from timing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import type { Quiz } from '../domain/quiz.js';
import { joinAs, quizClient, startTestApp, TestHost, TestPlayer, waitFor } from '../test-support/quiz-clients.js';
import type { SeatTaken } from '../shared/protocol.js';

const WRONG = 'w'.repeat(200);

async function shortQuestionRoom(options: Parameters<typeof startTestApp>[0] = {}, maxAttempts?: number) {
  const app = await startTestApp({ demo: false, pingIntervalMs: 600_000, ...options });
  const sockets: Socket[] = [];
  app.httpServer.on('connection', (socket: Socket) => sockets.push(socket));
  const quiz: Quiz = { title: 'Flood', mode: 'cotato', ...(maxAttempts ? { maxAttempts } : {}), questions: [{ kind: 'short', text: 'Say right', accepted: ['right'] }] };
  const room = app.rooms.create(app.store.createQuiz({ title: quiz.title, body: quiz as never }).id);
  const host = new TestHost(quizClient(app.url));
  await host.hello(room.id);
  const sent = () => sockets.reduce((sum, socket) => sum + socket.bytesWritten, 0);
  const open = async () => {
    await host.command({ command: 'show', index: 0 });
    await host.command({ command: 'open' });
  };
  return { app, room, host, sent, open };
}

test('answer flood: retries stop at the attempt cap and the bytes sent per accepted answer stay bounded', { timeout: 30_000 }, async () => {
  const { app, room, host, sent, open } = await shortQuestionRoom();
  // Without clock sync: its answers (one a second while the window fills) would be counted too.
  const { player } = await joinAs(app.url, room.code, 'Flooder', undefined, { syncClock: false });
  try {
    await open();
    await player.until((p) => p.state?.stage === 'open');
    // The host's pushes would be counted too.
    host.client.close();
    for (let i = 0; i < 200 && (await app.baro.sessionsIn(`host:${room.id}`)).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(await app.baro.sessionsIn(`host:${room.id}`), []);
    // One at a time first, counting what the server writes for each accepted answer (the ack and the player's own view).
    const perAnswer: number[] = [];
    for (let i = 1; i <= 20; i++) {
      const before = sent();
      // Another wrong answer each time (the same one again is refused as 'same-answer'), all of the same length.
      const reply = await player.client.emitWithAck('submit', { questionIndex: 0, answer: WRONG.slice(2) + String(i).padStart(2, '0'), clientSubmissionId: `one-${i}` });
      assert.equal(reply.accepted, true);
      await player.until((p) => p.you?.attempts === i);
      perAnswer.push(sent() - before);
    }
    assert.equal(player.you!.current.length, 5, 'the view carries the last 5 answers');
    const steady = perAnswer.slice(5);
    assert.ok(Math.max(...steady) - Math.min(...steady) <= 40, `bytes per answer do not grow with the answers: ${perAnswer.join(' ')}`);
    assert.ok(Math.max(...perAnswer) < 1024, `at most ${Math.max(...perAnswer)} bytes per accepted answer`);

    // Then the flood: 200 more at once, under the session's event rate limit. All are refused.
    const before = sent();
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) => player.client.emitWithAck('submit', { questionIndex: 0, answer: WRONG, clientSubmissionId: `flood-${i}` })),
    );
    assert.deepEqual(new Set(replies.map((r) => !r.accepted && r.reason)), new Set(['too-many-attempts']));
    assert.equal(app.store.listSubmissions(room.id).length, 20, 'stored: the cap');
    const floodBytes = sent() - before;
    assert.ok(floodBytes < 200 * 200, `the 200 refusals cost ${floodBytes} bytes`);
    assert.equal(player.you!.canSubmit, false);
  } finally {
    player.client.close();
    await app.dispose();
  }
});

test('one seat from 41 sessions: the 3 newest keep it, the others are told and unseated; an answer reaches 3 pages', { timeout: 30_000 }, async () => {
  const { app, room, host, sent, open } = await shortQuestionRoom();
  const { player: first, seat } = await joinAs(app.url, room.code, 'Many', undefined, { syncClock: false });
  const pages: { player: TestPlayer; taken: SeatTaken[] }[] = [{ player: first, taken: [] }];
  first.client.on('seat:taken', (event) => pages[0].taken.push(event));
  try {
    for (let i = 1; i < 41; i++) {
      const player = new TestPlayer(quizClient(app.url), { syncClock: false });
      const page = { player, taken: [] as SeatTaken[] };
      player.client.on('seat:taken', (event) => page.taken.push(event));
      pages.push(page);
      const reply = await player.client.emitWithAck('rejoin', { code: room.code, playerId: seat.playerId, secret: seat.secret });
      assert.equal(reply.ok, true, `page ${i}`);
    }
    const evicted = pages.slice(0, 38);
    const seated = pages.slice(38);
    await waitFor<number>((listener) => {
      for (const page of evicted) page.player.client.on('seat:taken', () => listener(evicted.filter((p) => p.taken.length > 0).length));
      listener(evicted.filter((p) => p.taken.length > 0).length);
    }, (count) => count === 38);
    assert.match(evicted[0].taken[0].message, /opened on another page/);
    assert.ok(seated.every((p) => p.taken.length === 0));
    await host.until((s) => s.playerTotal === 1);
    // baro's presence has the seat as the quiz sees it: the 3 newest pages, each in the players'
    // room as this player.
    const seatMembers = await app.baro.presence.members(`seat:${room.id}:${seat.playerId}`);
    assert.deepEqual(new Set(seatMembers.keys()), new Set(seated.map((p) => p.player.client.sessionId)));
    const inPlayersRoom = [...(await app.baro.presence.members(`players:${room.id}`)).values()].filter((member) => member.info.playerId !== undefined);
    assert.deepEqual(inPlayersRoom.map((member) => member.info), [{ playerId: seat.playerId }, { playerId: seat.playerId }, { playerId: seat.playerId }]);

    await open();
    await Promise.all(seated.map((p) => p.player.until((x) => x.state?.stage === 'open')));
    const before = sent();
    const youBefore = pages.map((p) => p.player.you);
    const reply = await seated[2].player.client.emitWithAck('submit', { questionIndex: 0, answer: 'wrong', clientSubmissionId: 'a' });
    assert.equal(reply.accepted, true);
    await Promise.all(seated.map((p) => p.player.until((x) => x.you?.attempts === 1)));
    // Each unseated page answers in order on its own session: a view sent to it would have come first.
    for (const page of evicted) {
      const refused = await page.player.client.emitWithAck('submit', { questionIndex: 0, answer: 'x', clientSubmissionId: 'b' });
      assert.deepEqual(refused.accepted === false && refused.reason, 'not-joined');
    }
    assert.ok(evicted.every((p, i) => p.player.you === youBefore[i]), 'no unseated page got the view');
    const bytes = sent() - before;
    assert.ok(bytes < 38 * 200 + 3 * 600, `${bytes} bytes for one answer and 38 refusals`);
  } finally {
    for (const page of pages) page.player.client.close();
    host.client.close();
    await app.dispose();
  }
});

test('join flood from one address: join, leave, join again; the join past the limit is refused, rate-limited', { timeout: 30_000 }, async () => {
  const { app, room, host } = await shortQuestionRoom({ joinsPerMinute: 5 });
  host.client.close();
  try {
    for (let i = 1; i <= 5; i++) {
      const { player } = await joinAs(app.url, room.code, `Squatter ${i}`);
      player.client.close();
    }
    const next = quizClient(app.url);
    const refused = await next.emitWithAck('join', { code: room.code, nickname: 'Squatter 6' });
    next.close();
    assert.equal(refused.ok, false);
    assert.ok(!refused.ok && refused.code === 'rate-limited', JSON.stringify(refused));
    assert.ok(!refused.ok && refused.retryAfterMs! > 0 && refused.retryAfterMs! <= 12_000, JSON.stringify(refused));
    assert.match(!refused.ok ? refused.error : '', /too many joins from your network: try again in \d+ s/);
    assert.equal(room.session.playerCount, 5);
  } finally {
    await app.dispose();
  }
});
