/**
 * Transport choice against an in-test server that misbehaves the ways networks do: a refused
 * WebSocket upgrade, a buffering proxy in front of SSE, a connection that goes silent; plus the
 * upgrade from HTTP to WebSocket under traffic, close packets, expired sessions and leaving.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeServer, type FakeServerOptions } from './test-support/fake-server.js';
import { nextState, recordStates, sleep, waitFor } from './test-support/wait.js';
import { clientFor, closeClients } from './test-support/app.js';

const TEST_TIMEOUT = 20_000;

describe('fallback, upgrade and session life', { timeout: TEST_TIMEOUT }, () => {
  const servers: FakeServer[] = [];
  const start = async (options: FakeServerOptions = {}) => {
    const server = await new FakeServer(options).listen();
    servers.push(server);
    return server;
  };
  afterEach(async () => {
    closeClients();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  test('a WebSocket upgrade refused with 403 falls back to SSE (default order)', async () => {
    const server = await start({ refuseWebSocket: true });
    const client = clientFor(server);
    const states = recordStates(client);
    const open = await nextState(client, 'open');
    assert.equal(open.transport, 'sse');
    await sleep(100);
    assert.equal(client.transport, 'sse', 'the refused WebSocket is not probed again in this cycle');
    assert.deepEqual(states.map((event) => event.type), ['connecting', 'open']);
    client.close();
  });

  test('SSE behind a buffering proxy (headers, then nothing) falls back to long-polling', async () => {
    const server = await start({ bufferSse: true });
    // openTimeout is long enough for the long-poll's open to arrive on a loaded machine (CI).
    const client = clientFor(server, { transports: ['sse', 'long-polling'], openTimeout: 1000 });
    const began = Date.now();
    const open = await nextState(client, 'open');
    assert.equal(open.transport, 'long-polling');
    assert.ok(Date.now() - began >= 950);
    const news: string[] = [];
    client.on('news', (text) => news.push(text));
    server.session.emit('news', 'via long-polling');
    await waitFor(() => news.length === 1, 'an event by long-polling');
    client.close();
  });

  test('WebSocket refused and SSE buffered: the default order ends on long-polling, and stays', async () => {
    const server = await start({ refuseWebSocket: true, bufferSse: true });
    const client = clientFor(server, { openTimeout: 1000 });
    const open = await nextState(client, 'open');
    assert.equal(open.transport, 'long-polling');
    await sleep(400);
    assert.equal(client.transport, 'long-polling');
    client.close();
  });

  test('upgrade from long-polling to WebSocket under traffic: nothing lost, repeated or reordered', async () => {
    const server = await start();
    const client = clientFor(server, { transports: ['long-polling', 'websocket'] });
    const got: number[] = [];
    client.on('n', (n) => got.push(n));
    const switched = nextState(client, 'transport');
    const open = await nextState(client, 'open');
    assert.equal(open.transport, 'long-polling');
    const session = server.session;
    let sent = 0;
    const pump = setInterval(() => {
      if (sent >= 200) return;
      for (let i = 0; i < 5; i++) {
        sent++;
        session.emit('n', sent);
        client.emit('n', sent);
      }
    }, 2);
    try {
      assert.deepEqual(await switched, { type: 'transport', transport: 'websocket' });
      assert.equal(client.transport, 'websocket');
      await waitFor(() => sent >= 200, 'the pump');
    } finally {
      clearInterval(pump);
    }
    await waitFor(() => got.length >= 200 && session.received.length >= 200, '200 events each way');
    await sleep(50);
    const expected = Array.from({ length: 200 }, (_, i) => i + 1);
    assert.deepEqual(got, expected);
    assert.deepEqual(session.received.map((event) => event.data), expected);
    // No poll request took the session back after the switch.
    assert.deepEqual(session.transports, ['long-polling', 'websocket']);
    assert.equal(server.opened.length, 1);
    client.close();
  });

  test('a silent WebSocket (no heartbeats for 2.5 intervals) is dropped and the session resumed', async () => {
    const server = await start({ heartbeat: 60 });
    const client = clientFor(server, { transports: ['websocket'] });
    await nextState(client, 'open');
    const session = server.session;
    await sleep(200);
    assert.equal(client.state, 'open', 'heartbeats keep it open');
    const pongs = session.arrived.filter((packet) => packet.type === 'pong').length;
    assert.ok(pongs >= 2, `answered heartbeats: ${pongs}`);
    session.mute = true;
    session.emit('news', 'sent into the void');
    const news: string[] = [];
    client.on('news', (text) => news.push(text));
    const began = Date.now();
    await nextState(client, 'reconnecting', 2000);
    // The watchdog (150 ms) runs from the last heartbeat, up to one interval (60 ms) before the mute.
    assert.ok(Date.now() - began >= 60, `${Date.now() - began} ms`);
    const reopened = await nextState(client, 'open');
    assert.equal(reopened.resumed, true);
    await waitFor(() => news.length === 1, 'the event sent while muted, replayed');
    client.close();
  });

  test('a terminal close packet (4500–4999) closes the client for good', async () => {
    const server = await start();
    const client = clientFor(server, { transports: ['sse'] });
    await nextState(client, 'open');
    const closed = nextState(client, 'closed');
    server.session.send({ type: 'close', code: 4500, reason: 'kicked', retryAfterMs: null });
    assert.deepEqual(await closed, { type: 'closed', code: 4500, reason: 'kicked' });
    const requests = server.requests.length;
    await sleep(150);
    assert.equal(server.requests.length, requests, 'no reconnect');
  });

  test('a reconnect close packet waits retryAfterMs on top of the backoff, then resumes', async () => {
    const server = await start();
    const client = clientFor(server, { transports: ['websocket'] });
    await nextState(client, 'open');
    const reconnecting = nextState(client, 'reconnecting');
    const began = Date.now();
    server.session.send({ type: 'close', code: 4003, reason: 'restart', retryAfterMs: 200 });
    const { delay } = await reconnecting;
    assert.ok(delay >= 200 && delay <= 220, `${delay}`);
    const reopened = await nextState(client, 'open');
    assert.ok(Date.now() - began >= 200);
    assert.equal(reopened.resumed, true);
    client.close();
  });

  test('an expired session: resumed false, resync, queued events delivered on the new session', async () => {
    const server = await start();
    const client = clientFor(server, { transports: ['websocket'], reconnect: { initialDelay: 100, maxDelay: 100, jitter: 0 } });
    await nextState(client, 'open');
    const old = server.session;
    const resync = nextState(client, 'resync');
    server.forget(old);
    server.dropAll();
    await nextState(client, 'reconnecting');
    client.emit('hello', 'after resync');
    const { sid } = await resync;
    assert.notEqual(sid, old.sid);
    assert.equal(client.sessionId, sid);
    await waitFor(() => server.session.received.length === 1, 'the queued event');
    assert.deepEqual(server.session.received, [{ name: 'hello', data: 'after resync' }]);
    client.close();
  });

  test('close() sends a close packet over WebSocket and over POST', async () => {
    const server = await start();
    for (const transport of ['websocket', 'long-polling'] as const) {
      const client = clientFor(server, { transports: [transport] });
      await nextState(client, 'open');
      const session = server.session;
      client.close('done');
      await waitFor(() => session.closedByClient !== null, `the close packet (${transport})`);
      assert.deepEqual(session.closedByClient, { code: 1000, reason: 'done' });
      assert.equal(client.state, 'closed');
    }
  });

  test('HTTP upstream: one POST in flight, what accumulates meanwhile goes in the next one', async () => {
    const server = await start();
    const client = clientFor(server, { transports: ['long-polling'] });
    await nextState(client, 'open');
    const posts = () => server.requests.filter((request) => request.startsWith('POST /baro/send')).length;
    const before = posts();
    for (let n = 1; n <= 50; n++) client.emit('n', n);
    await waitFor(() => server.session.received.length === 50, '50 events');
    assert.deepEqual(server.session.received.map((event) => event.data), Array.from({ length: 50 }, (_, i) => i + 1));
    assert.equal(posts() - before, 2, 'the first event alone, then the 49 that waited');
    const sends = server.requests.filter((request) => request.startsWith('POST /baro/send'));
    assert.ok(sends.every((request) => /[?&]sid=[^&]+/.test(request) && /[?&]token=/.test(request) && !/[?&]seq=/.test(request)), sends[0]);
  });

  test('nothing listening: reconnect attempts back off until close()', async () => {
    const server = await start();
    const url = server.url;
    await server.close();
    servers.splice(0);
    const client = clientFor({ url }, { openTimeout: 200 });
    const first = await nextState(client, 'reconnecting');
    const second = await nextState(client, 'reconnecting');
    assert.deepEqual([first.attempt, second.attempt], [1, 2]);
    assert.equal(client.state, 'reconnecting');
    client.close();
    assert.equal(client.state, 'closed');
  });
});
