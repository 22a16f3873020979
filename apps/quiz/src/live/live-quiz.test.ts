/**
 * The live quiz end to end with real baro clients (Node) over real sockets: the game flow, the
 * fairness rules, refusals, durability across a restart, and host access.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { HOST_PASSWORD, joinAs, quizClient, startTestApp, TestHost, waitFor, type TestPlayer } from '../test-support/quiz-clients.js';

const answer = (player: TestPlayer, questionIndex: number, value: number | string, clientSubmissionId = `${Math.random()}`) =>
  player.client.emitWithAck('submit', { questionIndex, answer: value, clientSubmissionId });

async function game(transports?: Parameters<typeof joinAs>[3]) {
  const app = await startTestApp();
  const host = new TestHost(quizClient(app.url));
  await host.hello(app.demo!.liveId);
  const players: TestPlayer[] = [];
  for (const nickname of ['Ana', 'Bo', 'Cy']) players.push((await joinAs(app.url, app.demo!.code, nickname, transports)).player);
  const close = async () => {
    for (const p of players) p.client.close();
    host.client.close();
    await app.dispose();
  };
  return { app, host, players, close };
}

test('show, open, answer, close: tickets follow the order of acceptance and decide the ranking', { timeout: 20_000 }, async () => {
  const { host, players, close } = await game();
  const [ana, bo, cy] = players;
  try {
    await host.until((s) => s.players.length === 3);
    await host.command({ command: 'show', index: 0 });
    await Promise.all(players.map((p) => p.until((x) => x.state?.stage === 'shown' && x.state.question?.index === 0)));
    assert.equal(ana.state!.question!.options!.length, 4);
    assert.equal(ana.state!.reveal, null, 'no answer before close');

    const early = await answer(ana, 0, 2);
    assert.deepEqual(early, { accepted: false, reason: 'not-open', message: 'answers are not open yet' });

    await host.command({ command: 'open' });
    await Promise.all(players.map((p) => p.until((x) => x.state?.stage === 'open' && x.you?.canSubmit === true)));

    // Bo answers first, then a wrong Ana who retries, then Cy: the server's order is the ranking.
    const boReply = await answer(bo, 0, 2, 'bo-1');
    const anaWrong = await answer(ana, 0, 0);
    const cyReply = await answer(cy, 0, 2);
    const anaRight = await answer(ana, 0, 2, 'ana-2');
    const boAgain = await answer(bo, 0, 2, 'bo-1');
    assert.ok(boReply.accepted && anaWrong.accepted && cyReply.accepted && anaRight.accepted && boAgain.accepted);
    assert.deepEqual(
      [boReply, anaWrong, cyReply, anaRight].map((r) => r.accepted && [r.ticket, r.correct, r.attempt]),
      [
        [1, true, 1],
        [2, false, 1],
        [3, true, 1],
        [4, true, 2],
      ],
    );
    assert.equal(boAgain.duplicate, true, 'the retry of the same submission is recognised');
    assert.equal(boAgain.ticket, 1, 'and is answered with the original ticket');
    const again = await answer(bo, 0, 1);
    assert.deepEqual(again.accepted ? null : again.reason, 'already-correct');

    await host.command({ command: 'close' });
    const [closedBo, closedAna, closedCy] = await Promise.all([bo, ana, cy].map((p) => p.until((x) => x.state?.stage === 'closed' && x.you?.placement !== null)));
    const reveal = closedBo.state!.reveal!;
    assert.deepEqual(reveal.correctOptions, [2]);
    assert.deepEqual(
      reveal.ranking.map((r) => [r.nickname, r.ticket]),
      [
        ['Bo', 1],
        ['Cy', 3],
        ['Ana', 4],
      ],
    );
    assert.equal(reveal.scorer?.nickname, 'Bo');
    assert.deepEqual([closedBo.you!.placement, closedCy.you!.placement, closedAna.you!.placement], [1, 2, 3]);
    assert.equal(closedBo.you!.wins, 1);

    const late = await answer(cy, 0, 2);
    assert.deepEqual(late.accepted ? null : late.reason, 'closed');
    const hostView = await host.until((s) => s.public.stage === 'closed');
    assert.equal(hostView.submissionCount, 4, 'the duplicate was not counted');
    assert.deepEqual(
      hostView.players.map((p) => [p.nickname, p.answers, p.connected]),
      [
        ['Ana', 2, true],
        ['Bo', 1, true],
        ['Cy', 1, true],
      ],
    );
  } finally {
    await close();
  }
});

test('a random delay: players see "open" only once the server accepts answers', { timeout: 20_000 }, async () => {
  const app = await startTestApp({ randomDelayMs: { min: 400, max: 400 } });
  const host = new TestHost(quizClient(app.url));
  const { player } = await joinAs(app.url, app.demo!.code, 'Dee');
  try {
    await host.hello(app.demo!.liveId);
    await host.command({ command: 'show', index: 0 });
    await player.until((p) => p.state?.stage === 'shown');
    const openedAt = Date.now();
    await host.command({ command: 'open', delayMs: 'random' });
    const pending = await host.until((s) => s.opensInMs !== null);
    assert.ok(pending.opensInMs! > 0 && pending.opensInMs! <= 400);
    // Answering inside the delay is a false start: that player's answers open a second after everyone's.
    const tooSoon = await answer(player, 0, 2);
    assert.deepEqual(tooSoon.accepted ? null : tooSoon.reason, 'false-start');
    await player.until((p) => p.state?.stage === 'open', 3000);
    assert.ok(Date.now() - openedAt >= 390, `opened after ${Date.now() - openedAt} ms`);
    assert.ok(player.states.every((s) => s.stage !== 'open' || s.version === player.state!.version), 'no early "open"');
    const penalised = await answer(player, 0, 2);
    assert.deepEqual(penalised.accepted ? null : penalised.reason, 'false-start');
    let reply = penalised;
    for (let tries = 0; tries < 100 && !reply.accepted; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      reply = await answer(player, 0, 2);
    }
    assert.ok(reply.accepted && reply.at >= player.state!.opensAt! + 1000, 'accepted only once the penalty has run');
  } finally {
    player.client.close();
    host.client.close();
    await app.dispose();
  }
});

test('the host cancels an open inside its delay: players never see it open, and the next open works', { timeout: 20_000 }, async () => {
  const app = await startTestApp();
  const host = new TestHost(quizClient(app.url));
  const { player } = await joinAs(app.url, app.demo!.code, 'Fay');
  try {
    await host.hello(app.demo!.liveId);
    await host.command({ command: 'show', index: 0 });
    await player.until((p) => p.state?.stage === 'shown');
    // The delay leaves room for the round trips below on a loaded machine (CI).
    const opensAt = Date.now() + 1500;
    await host.command({ command: 'open', delayMs: 1500 });
    await host.until((s) => s.opensInMs !== null);
    await host.command({ command: 'cancel-open' });
    const cancelled = await host.until((s) => s.opensInMs === null && s.public.stage === 'shown');
    assert.equal(cancelled.public.stage, 'shown');
    await new Promise((resolve) => setTimeout(resolve, opensAt + 200 - Date.now()));
    assert.ok(player.states.every((s) => s.stage !== 'open'), 'the cancelled open never reached the player');
    const refused = await answer(player, 0, 2);
    assert.deepEqual(refused.accepted ? null : refused.reason, 'not-open');
    assert.deepEqual(await host.client.emitWithAck('host:command', { command: 'cancel-open' }), { ok: false, error: 'no question is opening' });
    await host.command({ command: 'open' });
    await player.until((p) => p.state?.stage === 'open');
    assert.equal((await answer(player, 0, 2)).accepted, true);
    assert.deepEqual(await host.client.emitWithAck('host:command', { command: 'cancel-open' }), { ok: false, error: 'answers are already open: close the question instead' });
  } finally {
    player.client.close();
    host.client.close();
    await app.dispose();
  }
});

test('an open timer that fires before the game clock reaches the opening waits for it, then tells the players', { timeout: 20_000 }, async () => {
  // A clock at half speed makes every timer fire early by its reckoning, as a real timer can by a millisecond.
  const start = Date.now();
  // Announced with no lead: a page syncs to the real clock, not to this one.
  const app = await startTestApp({ now: () => start + (Date.now() - start) / 2, openLead: { minMs: 0, maxMs: 0 } });
  const host = new TestHost(quizClient(app.url));
  const { player } = await joinAs(app.url, app.demo!.code, 'Eve');
  try {
    await host.hello(app.demo!.liveId);
    await host.command({ command: 'show', index: 0 });
    const opened = Date.now();
    await host.command({ command: 'open', delayMs: 200 });
    await player.until((p) => p.state?.stage === 'open', 3000);
    assert.ok(Date.now() - opened >= 395, `opened after ${Date.now() - opened} ms of wall time, 200 ms of game time`);
    assert.equal((await answer(player, 0, 2)).accepted, true);
  } finally {
    player.client.close();
    host.client.close();
    await app.dispose();
  }
});

test('a countdown closes the question by itself', { timeout: 20_000 }, async () => {
  const { host, players, close } = await game();
  try {
    await host.command({ command: 'show', index: 1 });
    await host.command({ command: 'open', timeLimitMs: 1000 });
    const open = await players[0].until((p) => p.state?.stage === 'open');
    assert.ok(open.state!.remainingMs! > 0 && open.state!.remainingMs! <= 1000);
    assert.equal((await answer(players[0], 1, ' 101 switching  PROTOCOLS ')).accepted, true);
    const closed = await players[0].until((p) => p.state?.stage === 'closed', 3000);
    assert.deepEqual(closed.state!.reveal!.acceptedAnswers, ['101', '101 Switching Protocols']);
    assert.equal(closed.state!.reveal!.scorer?.nickname, 'Ana');
  } finally {
    await close();
  }
});

test('over long-polling, SSE and polling the same game runs', { timeout: 30_000 }, async () => {
  for (const transport of ['long-polling', 'sse', 'polling'] as const) {
    const { host, players, close } = await game([transport]);
    try {
      await host.command({ command: 'show', index: 0 });
      await host.command({ command: 'open' });
      await Promise.all(players.map((p) => p.until((x) => x.state?.stage === 'open')));
      assert.equal(players[0].client.transport, transport);
      for (const p of players) assert.equal((await answer(p, 0, 2)).accepted, true);
      await host.command({ command: 'close' });
      const closed = await players[2].until((p) => p.state?.stage === 'closed');
      assert.deepEqual(
        closed.state!.reveal!.ranking.map((r) => r.nickname),
        ['Ana', 'Bo', 'Cy'],
      );
    } finally {
      await close();
    }
  }
});

test('a server restart between two questions loses no accepted answer; players come back to their seats', { timeout: 30_000 }, async () => {
  const app = await startTestApp();
  const host = new TestHost(quizClient(app.url));
  await host.hello(app.demo!.liveId);
  const seats = [];
  for (const nickname of ['Ana', 'Bo']) seats.push(await joinAs(app.url, app.demo!.code, nickname));
  try {
    await host.command({ command: 'show', index: 0 });
    await host.command({ command: 'open' });
    await Promise.all(seats.map(({ player }) => player.until((p) => p.state?.stage === 'open')));
    const replies = [await answer(seats[1].player, 0, 2), await answer(seats[0].player, 0, 1), await answer(seats[0].player, 0, 2)];
    assert.ok(replies.every((r) => r.accepted));
    await host.command({ command: 'close' });

    const restarted = await app.restart();
    // The old clients resume on the new server: a new session, so they rejoin with their seat's secret.
    const back = await Promise.all(
      seats.map(async ({ seat }) => {
        const client = quizClient(restarted.url);
        const reply = await client.emitWithAck('rejoin', { code: app.demo!.code, playerId: seat.playerId, secret: seat.secret });
        client.close();
        return reply;
      }),
    );
    assert.ok(back.every((r) => r.ok));
    const [anaBack, boBack] = back.map((r) => (r.ok ? r : assert.fail('rejoin refused')));
    assert.equal(anaBack.state.stage, 'closed');
    assert.deepEqual(
      anaBack.state.reveal!.ranking.map((r) => [r.nickname, r.ticket]),
      [
        ['Bo', 1],
        ['Ana', 3],
      ],
    );
    assert.deepEqual(anaBack.you.current.map((s) => [s.ticket, s.correct]), [
      [2, false],
      [3, true],
    ]);
    assert.equal(boBack.you.wins, 1);

    // The game goes on with the same tickets sequence.
    const host2 = new TestHost(quizClient(restarted.url));
    await host2.hello(app.demo!.liveId);
    await host2.command({ command: 'next' });
    const { player: cy } = await joinAs(restarted.url, app.demo!.code, 'Cy');
    // Cy answers the instant its button turns on, faster than a person: its clock must be synced first.
    await waitFor<number>((listener) => cy.sync.onChange((e) => listener(e.samples)), (samples) => samples >= 8);
    await host2.command({ command: 'open' });
    await cy.until((p) => p.state?.stage === 'open');
    const reply = await answer(cy, 1, '101');
    assert.ok(reply.accepted && reply.ticket === 4);
    host2.client.close();
    cy.client.close();
    const forged = quizClient(restarted.url);
    const refused = await forged.emitWithAck('rejoin', { code: app.demo!.code, playerId: seats[0].seat.playerId, secret: 'not-the-secret' });
    assert.equal(refused.ok, false);
    forged.close();
  } finally {
    for (const { player } of seats) player.client.close();
    host.client.close();
    await app.dispose();
  }
});

test('host access: a wrong password and a player sending host commands are refused', { timeout: 20_000 }, async () => {
  const app = await startTestApp();
  const { player } = await joinAs(app.url, app.demo!.code, 'Eve');
  const host = new TestHost(quizClient(app.url));
  try {
    await assert.rejects(host.hello(app.demo!.liveId, 'guess-the-password'), /wrong host password/);
    const command = await player.client.emitWithAck('host:command', { command: 'show', index: 0 });
    assert.deepEqual(command, { ok: false, error: 'say host:hello with the host password first' });
    assert.equal(player.state!.stage, null, 'nothing was shown');
    await host.hello(app.demo!.liveId, HOST_PASSWORD);
    await assert.rejects(host.command({ command: 'open' }), /open: no question is shown/);
    await assert.rejects(host.command({ command: 'launch' } as never), /unknown command/);
    await assert.rejects(host.command({ command: 'show', index: 99 }), /no question 99/);
  } finally {
    player.client.close();
    host.client.close();
    await app.dispose();
  }
});

test('bad player input gets clear errors: nicknames, codes, answers', { timeout: 20_000 }, async () => {
  const app = await startTestApp();
  const client = quizClient(app.url);
  try {
    const bad = async (request: unknown) => {
      const reply = await client.emitWithAck('join', request as never);
      return reply.ok ? 'joined' : reply.error;
    };
    assert.match(await bad({ code: 'ZZZZZZ', nickname: 'Ann' }), /no quiz has this code/);
    assert.match(await bad({ code: app.demo!.code, nickname: '' }), /nickname is empty/);
    assert.match(await bad({ code: app.demo!.code, nickname: 'x'.repeat(21) }), /longer than 20/);
    assert.match(await bad({ code: app.demo!.code, nickname: '<script>' }), /may only contain/);
    assert.match(await bad(null), /no quiz has this code/);
    const { player } = await joinAs(app.url, app.demo!.code.toLowerCase(), 'Ann');
    assert.match(await bad({ code: app.demo!.code, nickname: 'ANN' }), /taken/);
    const submit = (request: unknown) => player.client.emitWithAck('submit', request as never);
    assert.deepEqual(await submit({ questionIndex: 0, answer: 'x'.repeat(201), clientSubmissionId: 'a' }), {
      accepted: false,
      reason: 'invalid-answer',
      message: 'answer: an answer has at most 200 characters',
    });
    assert.equal(((await submit('nonsense')) as { reason: string }).reason, 'invalid-answer');
    const stranger = await client.emitWithAck('submit', { questionIndex: 0, answer: 1, clientSubmissionId: 'b' });
    assert.deepEqual(stranger, { accepted: false, reason: 'not-joined', message: 'join the quiz first' });
    player.client.close();
  } finally {
    client.close();
    await app.dispose();
  }
});

test('joins at the same instant: each nickname is seated once, the cap holds, and one connection gets one seat', { timeout: 30_000 }, async () => {
  const app = await startTestApp({ maxPlayers: 12 });
  const clients = Array.from({ length: 20 }, () => quizClient(app.url));
  try {
    // Every connection open first, so that the joins reach the server together.
    await Promise.all(clients.map((client) => waitFor<unknown>((listener) => (client.state === 'open' ? listener(null) : client.onState(listener)), () => client.state === 'open')));
    const code = app.demo!.code;
    // Sent together, these are stored in one group commit: nicknames are reserved before it, so
    // "Same" and "SAME" cannot both win, and the cap counts the seats still being stored.
    const replies = await Promise.all(clients.map((client, i) => client.emitWithAck('join', { code, nickname: i < 4 ? ['Same', 'SAME', 'same', ' same '][i] : `P${i}` })));
    const seated = replies.filter((r) => r.ok);
    assert.equal(seated.length, 12);
    const sameSeats = replies.slice(0, 4).filter((r) => r.ok).length;
    assert.equal(sameSeats, 1, 'one of the four spellings of "same" is seated');
    assert.equal(replies.slice(0, 4).filter((r) => !r.ok && /is taken/.test(r.error)).length, 3);
    assert.equal(replies.filter((r) => !r.ok && r.error === 'this quiz is full (12 players)').length, 20 - 12 - 3);
    assert.equal(app.store.countPlayers(app.demo!.liveId), 12);
    assert.equal(new Set(seated.map((r) => (r.ok ? r.playerId : ''))).size, 12);

    // One connection sending two joins before the first is stored gets one seat.
    const other = await startTestApp();
    const twice = quizClient(other.url);
    clients.push(twice);
    try {
      const both = await Promise.all([twice.emitWithAck('join', { code: other.demo!.code, nickname: 'One' }), twice.emitWithAck('join', { code: other.demo!.code, nickname: 'Two' })]);
      assert.deepEqual(
        both.map((r) => (r.ok ? 'seated' : r.error)),
        ['seated', 'this connection has already joined'],
      );
      assert.equal(other.store.countPlayers(other.demo!.liveId), 1);
    } finally {
      twice.close();
      await other.dispose();
    }
  } finally {
    for (const client of clients) client.close();
    await app.dispose();
  }
});

test('a full quiz refuses new players with a clear error; a seated player still comes back', { timeout: 20_000 }, async () => {
  const app = await startTestApp({ maxPlayers: 2 });
  const seated = [await joinAs(app.url, app.demo!.code, 'Ann'), await joinAs(app.url, app.demo!.code, 'Bob')];
  const late = quizClient(app.url);
  const back = quizClient(app.url);
  try {
    assert.deepEqual(await late.emitWithAck('join', { code: app.demo!.code, nickname: 'Cat' }), { ok: false, error: 'this quiz is full (2 players)' });
    const { playerId, secret } = seated[0].seat;
    seated[0].player.client.close();
    const reply = await back.emitWithAck('rejoin', { code: app.demo!.code, playerId, secret });
    assert.equal(reply.ok, true);
  } finally {
    for (const client of [late, back, seated[1].player.client]) client.close();
    await app.dispose();
  }
});

test('regrade after close accepts another spelling: marks, scorer and placements follow, and survive a restart', { timeout: 20_000 }, async () => {
  const app = await startTestApp();
  const host = new TestHost(quizClient(app.url));
  await host.hello(app.demo!.liveId);
  const ana = (await joinAs(app.url, app.demo!.code, 'Ana')).player;
  const bo = (await joinAs(app.url, app.demo!.code, 'Bo')).player;
  try {
    await host.command({ command: 'show', index: 4 }); // "Name the RFC number": 6455 | RFC 6455 | RFC6455
    await host.command({ command: 'open' });
    await ana.until((p) => p.state?.stage === 'open');
    const first = await answer(ana, 4, 'rfc-6455');
    const second = await answer(bo, 4, 'RFC 6455');
    assert.ok(first.accepted && !first.correct && second.accepted && second.correct);
    await host.command({ command: 'close' });
    await ana.until((p) => p.state?.reveal?.scorer?.nickname === 'Bo');

    await assert.rejects(host.command({ command: 'regrade', questionIndex: 0, answer: 'x' }), /only short-answer questions/);
    await host.command({ command: 'regrade', questionIndex: 4, answer: 'rfc-6455' });
    const regraded = await ana.until((p) => p.state?.reveal?.scorer?.nickname === 'Ana' && p.you?.placement === 1);
    assert.deepEqual(regraded.state!.reveal!.acceptedAnswers, ['6455', 'RFC 6455', 'RFC6455', 'rfc-6455']);
    assert.equal(regraded.state!.reveal!.correctCount, 2);
    await bo.until((p) => p.you?.placement === 2);

    const restarted = await app.restart();
    const host2 = new TestHost(quizClient(restarted.url));
    await host2.hello(app.demo!.liveId);
    assert.equal(host2.state!.public.reveal!.scorer?.nickname, 'Ana', 'the regrade was stored');
    assert.deepEqual(
      host2.state!.ranking.map((r) => [r.nickname, r.ticket]),
      [
        ['Ana', 1],
        ['Bo', 2],
      ],
    );
    host2.client.close();
  } finally {
    for (const p of [ana, bo]) p.client.close();
    host.client.close();
    await app.dispose();
  }
});

test('speed mode: one answer per question, points for correctness and speed', { timeout: 20_000 }, async () => {
  const app = await startTestApp({ demo: false });
  const headers = { authorization: `Bearer ${HOST_PASSWORD}`, 'content-type': 'application/json' };
  const quiz = {
    title: 'Fast',
    mode: 'speed',
    questions: [{ type: 'choice', text: 'Pick B', options: ['A', 'B'], answer: 1, timeLimitSeconds: 10 }],
  };
  const created = (await (await fetch(`${app.url}/api/quizzes`, { method: 'POST', headers, body: JSON.stringify({ format: 'value', quiz }) })).json()) as { id: string };
  const live = (await (await fetch(`${app.url}/api/quizzes/${created.id}/live`, { method: 'POST', headers: { authorization: headers.authorization } })).json()) as {
    id: string;
    code: string;
  };
  const host = new TestHost(quizClient(app.url));
  await host.hello(live.id);
  const ana = (await joinAs(app.url, live.code, 'Ana')).player;
  const bo = (await joinAs(app.url, live.code, 'Bo')).player;
  try {
    await host.command({ command: 'show', index: 0 });
    await host.command({ command: 'open' });
    // As in the other games: the announcement comes a lead ahead of the opening instant, so an
    // answer is sent once the server says this player may submit, not at the announcement.
    await bo.until((p) => p.state?.stage === 'open' && p.state.remainingMs !== null && p.you?.canSubmit === true);
    const first = await answer(bo, 0, 0);
    assert.deepEqual(first.accepted ? 'accepted' : first, 'accepted');
    const again = await answer(bo, 0, 1);
    assert.deepEqual(again.accepted ? null : again.reason, 'already-answered');
    await bo.until((p) => p.you?.canSubmit === false);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal((await answer(ana, 0, 1)).accepted, true);
    await host.command({ command: 'finish' });
    const done = await ana.until((p) => p.state?.phase === 'finished' && p.state.results !== null);
    const results = done.state!.results!;
    assert.equal(results.winner?.nickname, 'Ana');
    assert.ok(results.winner!.points > 900 && results.winner!.points <= 1000, `points ${results.winner!.points}`);
    assert.deepEqual(
      results.leaderboard.map((e) => [e.nickname, e.correct]),
      [
        ['Ana', 1],
        ['Bo', 0],
      ],
    );
  } finally {
    for (const p of [ana, bo]) p.client.close();
    host.client.close();
    await app.dispose();
  }
});

test('an answer the database refuses is not acknowledged as accepted, uses no ticket, and the next one is stored', { timeout: 20_000 }, async () => {
  const app = await startTestApp();
  const host = new TestHost(quizClient(app.url));
  const { player } = await joinAs(app.url, app.demo!.code, 'Ana');
  // A second connection to the same file makes the insert of one particular answer fail, as a full disk would.
  const raw = new Database(join(app.dir, 'quiz.db'));
  raw.exec(`CREATE TRIGGER refuse_boom BEFORE INSERT ON submissions WHEN NEW.answer = '"boom"' BEGIN SELECT RAISE(ABORT, 'disk full'); END;`);
  const errors: unknown[][] = [];
  const consoleError = console.error;
  console.error = (...args: unknown[]) => errors.push(args);
  try {
    await host.hello(app.demo!.liveId);
    await host.command({ command: 'show', index: 1 });
    await host.command({ command: 'open' });
    await player.until((p) => p.state?.stage === 'open');
    const refused = await answer(player, 1, 'boom', 'first');
    assert.deepEqual(refused, { accepted: false, reason: 'server-error', message: 'the answer could not be saved: please send it again' });
    assert.match(String(errors[0]?.[1]), /disk full/);
    const next = await answer(player, 1, '101', 'second');
    assert.ok(next.accepted && next.ticket === 1 && next.correct, 'the refused answer used no ticket');
    const again = await answer(player, 1, 'boom', 'first');
    assert.equal(again.accepted ? null : again.reason, 'already-correct', 'the refused answer was forgotten, not remembered as accepted');
    await host.command({ command: 'close' });
    const closed = await player.until((p) => p.state?.stage === 'closed' && p.you?.placement === 1);
    assert.deepEqual(closed.you!.current, [{ ticket: 1, correct: true, attempt: 1 }]);
  } finally {
    console.error = consoleError;
    raw.close();
    player.client.close();
    host.client.close();
    await app.dispose();
  }
});

test('a join the database refuses gets a server error, seats nobody, and frees the nickname for the next try', { timeout: 20_000 }, async () => {
  const app = await startTestApp();
  const raw = new Database(join(app.dir, 'quiz.db'));
  raw.exec(`CREATE TRIGGER refuse_boom BEFORE INSERT ON players WHEN NEW.nickname = 'Boom' BEGIN SELECT RAISE(ABORT, 'disk full'); END;`);
  const client = quizClient(app.url);
  const errors: unknown[][] = [];
  const consoleError = console.error;
  console.error = (...args: unknown[]) => errors.push(args);
  try {
    const refused = await client.emitWithAck('join', { code: app.demo!.code, nickname: 'Boom' });
    assert.deepEqual(refused, { ok: false, error: 'the server could not do this: try again' });
    assert.match(String(errors[0]?.[1]), /disk full/);
    assert.equal(app.store.countPlayers(app.demo!.liveId), 0);
    raw.exec('DROP TRIGGER refuse_boom');
    const seated = await client.emitWithAck('join', { code: app.demo!.code, nickname: 'Boom' });
    assert.equal(seated.ok, true, 'the same connection and nickname join once the database takes them');
  } finally {
    console.error = consoleError;
    raw.close();
    client.close();
    await app.dispose();
  }
});
