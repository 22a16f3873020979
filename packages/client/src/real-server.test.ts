/**
 * The client against the real `BaroServer` from the `baro` package: each transport forced alone,
 * fallback when the server offers no WebSocket, the upgrade from long-polling under traffic, resume
 * after the connections are destroyed, server close codes, a server restart (resync) and shutdown.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { BaroServer, WebSocket, type BaroServerOptions, type Session } from 'baro';
import type { TransportName } from '@baro/protocol';
import { AckError } from './types.js';
import { clientFor, closeClients, type ServerToClient } from './test-support/app.js';
import { nextState, recordStates, sleep, waitFor } from './test-support/wait.js';

const TEST_TIMEOUT = 20_000;

/** A BaroServer on its own HTTP server, whose sockets the test can destroy. */
class Harness {
  readonly http: Server;
  readonly baro: BaroServer;
  readonly sessions: Session[] = [];
  readonly sockets = new Set<Socket>();
  url = '';

  constructor(options: Omit<BaroServerOptions, 'server'> = {}, http: Server = createServer()) {
    this.http = http;
    this.http.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.baro = new BaroServer({ ...options, server: this.http });
    this.baro.on('connection', (session) => {
      this.sessions.push(session);
      const received: unknown[] = [];
      session.data.received = received;
      session.on('n', (n: unknown) => received.push(n));
      session.on('hello', (name: unknown) => session.emit('news', `hello, ${String(name)}`));
      session.on('echo', (data: unknown, ack?: (reply: unknown) => void) => ack?.(data));
    });
  }

  async listen(port = 0): Promise<this> {
    await new Promise<void>((resolve) => this.http.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
    return this;
  }

  get session(): Session {
    const last = this.sessions.at(-1);
    if (!last) throw new Error('no session yet');
    return last;
  }

  received(session = this.session): unknown[] {
    return session.data.received as unknown[];
  }

  dropAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    await this.baro.close({ timeout: 100 });
    this.dropAll();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}

const TRANSPORTS: TransportName[] = ['websocket', 'sse', 'long-polling', 'polling'];

for (const transport of TRANSPORTS) {
  describe(`real server, ${transport} alone`, { timeout: TEST_TIMEOUT }, () => {
    let harness: Harness;
    before(async () => {
      harness = await new Harness().listen();
    });
    afterEach(closeClients);
    after(() => harness.close());

    test('events both ways', async () => {
      const client = clientFor(harness, { transports: [transport] });
      const news: string[] = [];
      client.on('news', (text) => news.push(text));
      const open = await nextState(client, 'open');
      assert.equal(open.transport, transport);
      assert.equal(client.sessionId, harness.session.id);
      client.emit('hello', 'baro');
      await waitFor(() => news.length === 1, 'the answer to hello');
      harness.session.emit('news', 'pushed');
      await waitFor(() => news.length === 2, 'a pushed event');
      assert.deepEqual(news, ['hello, baro', 'pushed']);
      assert.equal(harness.session.transport, transport);
    });

    test('acks both ways; a refused event rejects with the server\'s error', async () => {
      const client = clientFor(harness, { transports: [transport] });
      client.on('confirm', (question, ack) => ack({ yes: question === 'ok?' }));
      await nextState(client, 'open');
      assert.deepEqual(await client.emitWithAck('echo', { list: [1, 'two', null] }), { list: [1, 'two', null] });
      await assert.rejects(
        client.emitWithAck('disconnect' as 'echo', null),
        (error: AckError) => error instanceof AckError && error.reason === 'error' && /reserved/.test(error.message),
      );
      assert.deepEqual(await harness.session.emitWithAck('confirm', 'ok?'), { yes: true });
    });

    test('binary payloads both ways', async () => {
      const client = clientFor(harness, { transports: [transport] });
      const blobs: ServerToClient['blob'][] = [];
      client.on('blob', (blob) => blobs.push(blob));
      await nextState(client, 'open');
      const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31) % 256);
      const echoed = (await client.emitWithAck('echo', { bytes, nested: [[new Uint8Array([7])]] })) as { bytes: Uint8Array; nested: Uint8Array[][] };
      assert.deepEqual([...echoed.bytes], [...bytes]);
      assert.deepEqual([...echoed.nested[0][0]], [7]);
      harness.session.emit('blob', { name: 'b', bytes: new Uint8Array([1, 2, 3]), nested: [] });
      await waitFor(() => blobs.length === 1, 'the binary event');
      assert.ok(blobs[0].bytes instanceof Uint8Array);
      assert.deepEqual([...blobs[0].bytes], [1, 2, 3]);
    });

    test('resume after the connections are destroyed: nothing lost, repeated or reordered', async () => {
      const client = clientFor(harness, { transports: [transport] });
      const got: number[] = [];
      client.on('n', (n) => got.push(n));
      await nextState(client, 'open');
      const session = harness.session;
      let sent = 0;
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 20; i++) {
          sent++;
          session.emit('n', sent);
          client.emit('n', sent);
          if (i % 5 === 0) await sleep(2);
        }
        const reopened = nextState(client, 'open');
        reopened.catch(() => {});
        harness.dropAll();
        session.emit('n', ++sent);
        client.emit('n', sent);
        await Promise.race([reopened, sleep(300)]);
        await waitFor(() => client.state === 'open', 'the client open again');
      }
      await waitFor(() => got.length >= sent && harness.received(session).length >= sent, `${sent} events each way`, 10_000);
      await sleep(50);
      const expected = Array.from({ length: sent }, (_, i) => i + 1);
      assert.deepEqual(got, expected);
      assert.deepEqual(harness.received(session), expected);
      assert.equal(harness.session, session, 'one session throughout');
    });
  });
}

describe('real server: fallback, upgrade, close codes, restart', { timeout: TEST_TIMEOUT }, () => {
  const harnesses: Harness[] = [];
  const start = async (options: Omit<BaroServerOptions, 'server'> = {}) => {
    const harness = await new Harness(options).listen();
    harnesses.push(harness);
    return harness;
  };
  afterEach(async () => {
    closeClients();
    await Promise.all(harnesses.splice(0).map((harness) => harness.close()));
  });

  test('a server without WebSocket: the default order ends on SSE', async () => {
    const harness = await start({ transports: ['sse', 'long-polling', 'polling'] });
    const client = clientFor(harness);
    const open = await nextState(client, 'open');
    assert.equal(open.transport, 'sse');
    client.emit('hello', 'sse');
    const news: string[] = [];
    client.on('news', (text) => news.push(text));
    await waitFor(() => news.length === 1, 'an event over SSE');
  });

  test('upgrade from long-polling to WebSocket under traffic: nothing lost, repeated or reordered', async () => {
    const harness = await start();
    const client = clientFor(harness, { transports: ['long-polling', 'websocket'] });
    const got: number[] = [];
    client.on('n', (n) => got.push(n));
    const switched = nextState(client, 'transport');
    assert.equal((await nextState(client, 'open')).transport, 'long-polling');
    const session = harness.session;
    const transports: string[] = [];
    session.on('transport', (name) => transports.push(name));
    let sent = 0;
    const pump = setInterval(() => {
      for (let i = 0; i < 3 && sent < 150; i++) {
        sent++;
        session.emit('n', sent);
        client.emit('n', sent);
      }
    }, 4);
    try {
      assert.deepEqual(await switched, { type: 'transport', transport: 'websocket' });
      await waitFor(() => sent >= 150, 'the pump');
    } finally {
      clearInterval(pump);
    }
    await waitFor(() => got.length >= 150 && harness.received(session).length >= 150, '150 events each way');
    await sleep(50);
    const expected = Array.from({ length: 150 }, (_, i) => i + 1);
    assert.deepEqual(got, expected);
    assert.deepEqual(harness.received(session), expected);
    assert.deepEqual(transports, ['websocket'], 'no poll took the session back');
    assert.equal(client.transport, 'websocket');
    assert.equal(harness.sessions.length, 1);
  });

  test('heartbeats are answered; a session kicked with 4500 closes the client for good', async () => {
    const harness = await start({ limits: { heartbeat: 100 } });
    const client = clientFor(harness, { transports: ['websocket'] });
    await nextState(client, 'open');
    await waitFor(() => harness.session.rtt !== null, 'a heartbeat round trip', 2000);
    const closed = nextState(client, 'closed');
    harness.session.disconnect(4500, 'kicked');
    assert.deepEqual(await closed, { type: 'closed', code: 4500, reason: 'kicked' });
    const sessions = harness.sessions.length;
    await sleep(200);
    assert.equal(harness.sessions.length, sessions, 'no reconnect');
  });

  test('a restarted server: the client reconnects after retryAfterMs and resyncs on the new session', async () => {
    const harness = await start();
    const client = clientFor(harness, { transports: ['websocket', 'sse'] });
    const states = recordStates(client);
    await nextState(client, 'open');
    const oldSid = client.sessionId;
    const port = Number(new URL(harness.url).port);
    const reconnecting = nextState(client, 'reconnecting');
    await harness.baro.close({ timeout: 100, retryAfterMs: 200 });
    const { delay } = await reconnecting;
    assert.ok(delay >= 100, `retryAfterMs (jittered by the server, 100–300) on top of the backoff: ${delay}`);
    harness.dropAll();
    await new Promise<void>((resolve) => harness.http.close(() => resolve()));
    harnesses.splice(0);
    client.emit('hello', 'again');
    const next = await new Harness().listen(port);
    harnesses.push(next);
    const resync = await nextState(client, 'resync', 10_000);
    assert.notEqual(resync.sid, oldSid);
    const news: string[] = [];
    client.on('news', (text) => news.push(text));
    await waitFor(() => news.length === 1, 'the queued hello answered by the new server');
    assert.deepEqual(news, ['hello, again']);
    assert.ok(states.some((event) => event.type === 'resync'));
  });

  test('the WebSocket endpoint confirms the baro.v1 subprotocol (browsers refuse the handshake otherwise)', async () => {
    const harness = await start();
    const ws = new WebSocket(`${harness.url.replace('http', 'ws')}/baro/ws`, 'baro.v1');
    try {
      await new Promise<void>((resolve, reject) => {
        ws.onopen = () => resolve();
        ws.onerror = () => reject(new Error('handshake failed'));
      });
      assert.equal(ws.protocol, 'baro.v1');
    } finally {
      ws.close();
    }
  });

  test('close() ends the session on the server', async () => {
    const harness = await start();
    for (const transport of ['websocket', 'sse'] as const) {
      const client = clientFor(harness, { transports: [transport] });
      await nextState(client, 'open');
      const session = harness.session;
      client.close();
      await waitFor(() => session.ended, `the session ended (${transport})`);
    }
  });
});
