/**
 * Long-polling and polling specifics: holding and answering requests, a second request while one
 * waits, lost responses, aborted requests, no pings, liveness and expiry, resync, mode changes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '../session/session.js';
import { sleep, until } from '../websocket/test-support/wait.js';
import { poll, startServer, type Packet, posOf } from './test-support/http-client.js';
import { PollingDriver } from './test-support/drivers.js';

const T = { timeout: 10_000 };

async function openPolling(t: Parameters<typeof startServer>[0], wait: 0 | 1, options: Parameters<typeof startServer>[1] = {}) {
  const harness = await startServer(t, options);
  const sessions: Session[] = [];
  harness.server.on('connection', (session: Session) => sessions.push(session));
  const first = await poll(harness.base, { wait });
  assert.equal(first.status, 200);
  const [type, info] = first.packets[0];
  assert.equal(type, 'o');
  // The open packet's stream positions are the client's `pos` (nothing is broadcast here).
  const auth = { sid: info.sid as string, token: info.token as string, pos: posOf(info.streams) };
  return { ...harness, first, info, auth, session: () => sessions[0], sessions };
}

const events = (packets: readonly Packet[]): unknown[] => packets.filter((p) => p[0] === 'e').map((p) => p[3]);

describe('polling (wait=0)', () => {
  test('answers at once: an empty 200 when nothing is due', T, async (t) => {
    const { base, auth } = await openPolling(t, 0);
    const started = Date.now();
    const answer = await poll(base, { wait: 0, ...auth, seq: 0 });
    assert.equal(answer.status, 200);
    assert.equal(answer.text, '');
    assert.ok(Date.now() - started < 1000);
  });

  test('answers at once with what is queued, in one response', T, async (t) => {
    const { base, auth, session } = await openPolling(t, 0);
    session().emit('a', 1);
    session().emit('b', 2);
    const answer = await poll(base, { wait: 0, ...auth, seq: 0 });
    assert.match(answer.headers.get('content-type') ?? '', /^application\/x-ndjson/);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    assert.deepEqual(answer.packets, [
      ['e', 1, 'a', 1],
      ['e', 2, 'b', 2],
    ]);
  });

  test('a lost response is replayed by the next request with the same seq, and not after it', T, async (t) => {
    const { base, auth, session } = await openPolling(t, 0);
    for (let i = 1; i <= 5; i++) session().emit('n', i);
    const lost = await poll(base, { wait: 0, ...auth, seq: 0 });
    assert.deepEqual(events(lost.packets), [1, 2, 3, 4, 5]);
    const again = await poll(base, { wait: 0, ...auth, seq: 0 });
    assert.deepEqual(again.packets, lost.packets);
    session().emit('n', 6);
    const partly = await poll(base, { wait: 0, ...auth, seq: 3 });
    assert.deepEqual(events(partly.packets), [4, 5, 6]);
    const none = await poll(base, { wait: 0, ...auth, seq: 6 });
    assert.deepEqual(none.packets, []);
  });

  test('the open packet and what the connection handler sends leave in one response', T, async (t) => {
    const harness = await startServer(t);
    harness.server.on('connection', (session: Session) => {
      session.emit('welcome', 'hi');
      queueMicrotask(() => session.emit('later', 'same tick'));
    });
    const answer = await poll(harness.base, { wait: 0 });
    assert.deepEqual(answer.packets.map((p) => p[0]), ['o', 'e', 'e']);
    assert.deepEqual(events(answer.packets), ['hi', 'same tick']);
  });
});

describe('long-polling (wait=1)', () => {
  test('holds the request until pollTimeout, then answers empty', T, async (t) => {
    const { base, auth } = await openPolling(t, 1, { http: { pollTimeout: 150 } });
    const started = Date.now();
    const answer = await poll(base, { wait: 1, ...auth, seq: 0 });
    const elapsed = Date.now() - started;
    assert.equal(answer.status, 200);
    assert.equal(answer.text, '');
    assert.ok(elapsed >= 130, `held ${elapsed} ms`);
  });

  test('answers a held request as soon as there is something to send', T, async (t) => {
    const { base, auth, session } = await openPolling(t, 1, { http: { pollTimeout: 5000 } });
    const started = Date.now();
    const pending = poll(base, { wait: 1, ...auth, seq: 0 });
    await sleep(50);
    session().emit('now', 1);
    const answer = await pending;
    assert.deepEqual(answer.packets, [['e', 1, 'now', 1]]);
    assert.ok(Date.now() - started < 2000);
  });

  test('a second request while one waits: the older is answered empty first', T, async (t) => {
    const { base, auth, session } = await openPolling(t, 1, { http: { pollTimeout: 5000 } });
    const older = poll(base, { wait: 1, ...auth, seq: 0 });
    await sleep(50);
    const newer = poll(base, { wait: 1, ...auth, seq: 0 });
    const olderAnswer = await older;
    assert.equal(olderAnswer.status, 200);
    assert.deepEqual(olderAnswer.packets, []);
    session().emit('x', 1);
    assert.deepEqual((await newer).packets, [['e', 1, 'x', 1]]);
    assert.equal(session().connected, true);
  });

  test('an aborted waiting request loses the carrier; the next one resumes with an open packet and the replay', T, async (t) => {
    const { base, auth, session } = await openPolling(t, 1, { http: { pollTimeout: 5000 } });
    const controller = new AbortController();
    const aborted = poll(base, { wait: 1, ...auth, seq: 0 }, { signal: controller.signal });
    aborted.catch(() => {});
    await until(() => session().transport === 'long-polling', 1000, 'the poll to arrive');
    await sleep(30);
    let offline = 0;
    session().on('offline', () => offline++);
    controller.abort();
    await until(() => !session().connected, 2000, 'the server to notice the aborted request');
    assert.equal(offline, 1);
    session().emit('while away', 1);
    session().emit('while away', 2);
    const answer = await poll(base, { wait: 1, ...auth, seq: 0 });
    assert.equal(answer.packets[0][0], 'o');
    assert.equal(answer.packets[0][1].resumed, true);
    assert.equal(answer.packets[0][1].sid, auth.sid);
    assert.deepEqual(events(answer.packets), [1, 2]);
  });

  test('ending the session answers the waiting request with the close packet (no ["n"])', T, async (t) => {
    const { base, auth, session } = await openPolling(t, 1, { http: { pollTimeout: 5000 } });
    const pending = poll(base, { wait: 1, ...auth, seq: 0 });
    await until(() => session().transport !== null, 1000, 'the poll');
    await sleep(30);
    session().disconnect(4500, 'bye');
    assert.deepEqual((await pending).packets, [['c', 4500, 'bye', null]]);
  });

  test('changing wait on the same session is a transport switch: the waiting request gets ["n"]', T, async (t) => {
    const { base, auth, session } = await openPolling(t, 1, { http: { pollTimeout: 5000 } });
    const waiting = poll(base, { wait: 1, ...auth, seq: 0 });
    await sleep(50);
    session().emit('x', 1);
    assert.deepEqual((await waiting).packets, [['e', 1, 'x', 1]]);
    const held = poll(base, { wait: 1, ...auth, seq: 1 });
    await sleep(50);
    const switched = await poll(base, { wait: 0, ...auth, seq: 1 });
    assert.deepEqual((await held).packets, [['n']]);
    assert.equal(switched.packets[0][0], 'o');
    assert.equal(switched.packets[0][1].transport, 'polling');
    assert.equal(session().transport, 'polling');
  });

  test('a seq the server never sent starts a fresh session (resumed: false) and ends the old one', T, async (t) => {
    const { base, auth, session, server } = await openPolling(t, 1, { http: { pollTimeout: 5000 } });
    session().emit('x', 1);
    await poll(base, { wait: 1, ...auth, seq: 0 });
    const answer = await poll(base, { wait: 1, ...auth, seq: 99 });
    assert.equal(answer.packets[0][0], 'o');
    assert.equal(answer.packets[0][1].resumed, false);
    assert.notEqual(answer.packets[0][1].sid, auth.sid);
    assert.equal(session().ended, true);
    assert.equal(server.sessions.size, 1);
  });
});

describe('polling heartbeats and liveness', () => {
  const quick = { limits: { heartbeat: 100, resumeWindow: 300 } };

  test('no pings go to a waiting long-poll, and a held request keeps the session alive', T, async (t) => {
    const { base, auth, session } = await openPolling(t, 1, { ...quick, http: { pollTimeout: 700 } });
    let offline = 0;
    session().on('offline', () => offline++);
    const started = Date.now();
    const answer = await poll(base, { wait: 1, ...auth, seq: 0 });
    assert.ok(Date.now() - started >= 650, 'held for the whole pollTimeout, not answered by a ping');
    assert.deepEqual(answer.packets, []);
    assert.equal(offline, 0);
    assert.equal(session().connected, true);
  });

  for (const wait of [0, 1] as const) {
    test(`${wait === 1 ? 'long-polling' : 'polling'}: a client that keeps polling is never expired; one that stops is, after the resume window`, T, async (t) => {
      const harness = await startServer(t, { ...quick, http: { pollTimeout: 150 } });
      const sessions: Session[] = [];
      harness.server.on('connection', (session: Session) => sessions.push(session));
      const client = new PollingDriver(harness.base, wait, { interval: 50 });
      t.after(() => client.stop());
      await client.open();
      const session = sessions[0];
      await sleep(1200);
      assert.equal(session.ended, false, 'polling kept the session');
      assert.equal(sessions.length, 1);
      assert.ok(!client.received.some((p) => p[0] === 'h'), 'no pings on polling transports');
      client.stop();
      const stopped = Date.now();
      await until(() => session.ended, 3000, 'the session to expire');
      const after = Date.now() - stopped;
      if (wait === 1) {
        // Stopping aborts the waiting request: the carrier is lost at once; then the resume window (300 ms).
        assert.ok(after >= 280, `expired ${after} ms after the last request`);
      } else {
        // Silent for 2.5 heartbeats (250 ms) → carrier lost; then the resume window (300 ms).
        assert.ok(after >= 500, `expired ${after} ms after the last request`);
      }
    });
  }
});

describe('poll requests', () => {
  test('wait must be 0 or 1', T, async (t) => {
    const { base } = await startServer(t);
    const answer = await poll(base, { wait: 2 });
    assert.equal(answer.status, 400);
    assert.match(answer.headers.get('content-type') ?? '', /^text\/plain/);
  });

  test('a mode the server does not offer is refused', T, async (t) => {
    const { base } = await startServer(t, { transports: ['polling'] });
    const answer = await poll(base, { wait: 1 });
    assert.equal(answer.status, 400);
    assert.match(answer.text, /long-polling is not offered/);
    assert.equal((await poll(base, { wait: 0 })).status, 200);
  });
});
