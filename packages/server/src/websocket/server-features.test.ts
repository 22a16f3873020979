/**
 * The server's own features over real sockets: authentication, Origin checks, path routing on a
 * shared HTTP server, connection limits, broadcast, backpressure and slow consumers, heartbeat and
 * graceful shutdown.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { WebSocket as WsClient } from 'ws';
import type { WebSocketConnection } from './connection.js';
import { WebSocketServer } from './server.js';
import { ReadyState } from './ready-state.js';
import { type Scope, assertEchoes, nextConnection, scoped, tryUpgrade } from './test-support/scope.js';
import { parseFrames, upgradeHead } from './test-support/raw-client.js';
import { binaryPayload, textPayload, assertSameBytes } from './test-support/payloads.js';
import { nextEvent, sleep, until, withTimeout } from './test-support/wait.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const T = { timeout: 5000 };

function serverClose(connection: WebSocketConnection, ms = 3000): Promise<[number, string]> {
  return nextEvent<[number, string]>(connection, 'close', ms, "the server connection's 'close'");
}

/** The status of a plain GET (no upgrade), on a connection of its own. */
function plainGet(port: number, path: string): Promise<number> {
  return withTimeout(
    new Promise<number>((resolve, reject) => {
      httpGet({ host: '127.0.0.1', port, path, agent: false }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      }).on('error', reject);
    }),
    3000,
    `GET ${path}`,
  );
}

/** Collects a ws client's messages as text ('bin:' prefixed when binary). */
function collect(client: WsClient): string[] {
  const messages: string[] = [];
  client.on('message', (data: Buffer, isBinary: boolean) => messages.push(isBinary ? `bin:${data.toString()}` : data.toString()));
  return messages;
}

/** n ws clients on `url`, each with its server-side connection (in the same order). */
async function clientsWithConnections(s: Scope, server: WebSocketServer, url: string, n: number, options = {}): Promise<{ client: WsClient; connection: WebSocketConnection }[]> {
  const out: { client: WsClient; connection: WebSocketConnection }[] = [];
  for (let i = 0; i < n; i++) {
    const accepted = nextConnection(server);
    const client = await s.wsClient(url, options);
    out.push({ client, connection: (await accepted).connection });
  }
  return out;
}

describe('authenticate', () => {
  async function authServer(s: Scope) {
    const errors: Error[] = [];
    const handle = await s.baroServer<{ user: string }>({
      echo: true,
      authenticate: async (request: IncomingMessage) => {
        switch (request.url) {
          case '/401':
            return { ok: false, status: 401 };
          case '/403':
            return { ok: false, status: 403, reason: 'banned here' };
          case '/false':
            return false;
          case '/throw':
            throw new Error('auth backend down');
          case '/true':
            return true;
          case '/context':
            return { ok: true, context: { user: request.headers['x-user'] as string } };
          default:
            return { ok: false, status: 400 };
        }
      },
    });
    handle.server.on('error', (error) => errors.push(error));
    return { ...handle, errors };
  }

  test('{ ok: false, status: 401 } → the ws client sees 401', T, async (t) => {
    const s = scoped(t);
    const { port, server } = await authServer(s);
    const client = s.wsClientConnecting(`ws://127.0.0.1:${port}/401`);
    const status = await withTimeout(
      new Promise<number>((resolve) => {
        client.on('unexpected-response', (request, response) => {
          resolve(response.statusCode ?? 0);
          request.destroy();
        });
      }),
      3000,
      'the refusal',
    );
    assert.equal(status, 401);
    assert.equal(server.clients.size, 0);
  });

  test('a refusal with a status and reason → that status, the reason as body', T, async (t) => {
    const s = scoped(t);
    const { port } = await authServer(s);
    const outcome = await tryUpgrade(port, { path: '/403' });
    assert.equal(outcome.status, 403);
    assert.equal(outcome.body, 'banned here');
  });

  test('false → 401', T, async (t) => {
    const s = scoped(t);
    const { port } = await authServer(s);
    assert.equal((await tryUpgrade(port, { path: '/false' })).status, 401);
  });

  test("a thrown error → 500, reported on the server's 'error' event, and the server keeps serving", T, async (t) => {
    const s = scoped(t);
    const { port, errors } = await authServer(s);
    const outcome = await tryUpgrade(port, { path: '/throw' });
    assert.equal(outcome.status, 500);
    assert.doesNotMatch(outcome.body, /auth backend down/, 'internal details stay on the server');
    assert.equal(errors.length, 1);
    assert.equal(errors[0].message, 'auth backend down');
    await assertEchoes(s, `ws://127.0.0.1:${port}/true`);
  });

  test("{ ok: true, context } → the context arrives with the 'connection' event; true → no context", T, async (t) => {
    const s = scoped(t);
    const { port, server } = await authServer(s);
    let accepted = nextConnection(server);
    await s.wsClient(`ws://127.0.0.1:${port}/context`, { headers: { 'X-User': 'ann' } });
    assert.deepEqual((await accepted).context, { user: 'ann' });
    accepted = nextConnection(server);
    await s.wsClient(`ws://127.0.0.1:${port}/true`);
    assert.equal((await accepted).context, undefined);
  });
});

describe('Origin allow-list', () => {
  test('a list: disallowed → 403, allowed → 101, no Origin → 101', T, async (t) => {
    const s = scoped(t);
    const { port, url, server } = await s.baroServer({ echo: true, allowedOrigins: ['https://good.example'] });
    assert.equal((await tryUpgrade(port, { headers: { Origin: 'https://evil.example' } })).status, 403);
    assert.equal((await tryUpgrade(port, { headers: { Origin: 'https://good.example.evil.example' } })).status, 403);
    assert.equal((await tryUpgrade(port, { headers: { Origin: 'https://good.example' } })).status, 101);
    assert.equal((await tryUpgrade(port)).status, 101);
    // And with a real client: the allowed origin talks, the other one never gets a connection.
    const refused = s.wsClientConnecting(url, { origin: 'https://evil.example' });
    const [error] = await nextEvent<[Error]>(refused, 'error', 3000);
    assert.match(error.message, /403/);
    const accepted = nextConnection(server);
    await s.wsClient(url, { origin: 'https://good.example' });
    await accepted;
  });

  test('a function decides', T, async (t) => {
    const s = scoped(t);
    const { port } = await s.baroServer({ allowedOrigins: (origin) => origin.endsWith('.trusted.example') });
    assert.equal((await tryUpgrade(port, { headers: { Origin: 'https://app.trusted.example' } })).status, 101);
    assert.equal((await tryUpgrade(port, { headers: { Origin: 'https://trusted.example.com' } })).status, 403);
    assert.equal((await tryUpgrade(port)).status, 101);
  });
});

describe('path routing on one HTTP server', () => {
  test("'/a' and '/b' each get only their own clients; an unknown path gets 404", T, async (t) => {
    const s = scoped(t);
    const { server: http, port } = await s.httpServer();
    const a = await s.baroServer({ server: http, path: '/a', echo: true });
    const b = await s.baroServer({ server: http, path: '/b', echo: true });
    const seen: string[] = [];
    a.server.on('connection', (_connection, request) => seen.push(`a ${request.url}`));
    b.server.on('connection', (_connection, request) => seen.push(`b ${request.url}`));
    await assertEchoes(s, `ws://127.0.0.1:${port}/a`);
    await assertEchoes(s, `ws://127.0.0.1:${port}/b`);
    await assertEchoes(s, `ws://127.0.0.1:${port}/a?room=1`);
    assert.deepEqual(seen, ['a /a', 'b /b', 'a /a?room=1']);
    for (const path of ['/c', '/', '/a/', '/ab']) {
      assert.equal((await tryUpgrade(port, { path })).status, 404, path);
    }
    assert.deepEqual(seen, ['a /a', 'b /b', 'a /a?room=1']);
    // Plain HTTP requests still reach the HTTP server's own handler.
    assert.equal(await plainGet(port, '/a'), 404, "the HTTP server's own handler answered");
  });

  test('a second server on the same path is refused; a path-less server catches the other paths', T, async (t) => {
    const s = scoped(t);
    const { server: http, port } = await s.httpServer();
    const a = await s.baroServer({ server: http, path: '/a', echo: true });
    assert.throws(() => new WebSocketServer({ server: http, path: '/a' }), /already/);
    const fallback = await s.baroServer({ server: http, echo: true });
    const seen: string[] = [];
    a.server.on('connection', () => seen.push('a'));
    fallback.server.on('connection', () => seen.push('fallback'));
    await assertEchoes(s, `ws://127.0.0.1:${port}/a`);
    await assertEchoes(s, `ws://127.0.0.1:${port}/anything`);
    assert.deepEqual(seen, ['a', 'fallback']);
  });

  test("closing '/a' leaves '/b' serving and '/a' answered 404", T, async (t) => {
    const s = scoped(t);
    const { server: http, port } = await s.httpServer();
    const a = await s.baroServer({ server: http, path: '/a', echo: true });
    await s.baroServer({ server: http, path: '/b', echo: true });
    await a.server.close({ timeout: 500 });
    assert.equal((await tryUpgrade(port, { path: '/a' })).status, 404);
    await assertEchoes(s, `ws://127.0.0.1:${port}/b`);
    assert.equal(http.listening, true, 'an attached server leaves the HTTP server alone');
  });
});

describe('maxConnections', () => {
  test('N connections are accepted, the N+1th gets 503; a freed slot is reused', T, async (t) => {
    const s = scoped(t);
    const { server, url, port } = await s.baroServer({ echo: true, maxConnections: 2 });
    const [first] = await clientsWithConnections(s, server, url, 2);
    const refused = await tryUpgrade(port);
    assert.equal(refused.status, 503);
    assert.ok(refused.headers['retry-after'], 'Retry-After is set');
    assert.equal(server.clients.size, 2);
    const closed = serverClose(first.connection);
    first.client.close(1000);
    await closed;
    await assertEchoes(s, url);
  });
});

describe('broadcast', () => {
  test('reaches every open client exactly once, encoded once; except skips one', T, async (t) => {
    const s = scoped(t);
    const { server, url } = await s.baroServer();
    const peers = await clientsWithConnections(s, server, url, 3);
    const inboxes = peers.map(({ client }) => collect(client));
    assert.equal(server.broadcast('hello'), 3);
    assert.equal(server.broadcast(Buffer.from('bytes')), 3);
    assert.equal(server.broadcast('as binary', { binary: true }), 3);
    assert.equal(server.broadcast('not you', { except: peers[0].connection }), 2);
    assert.equal(server.broadcast('end'), 3);
    await until(() => inboxes.every((inbox) => inbox.at(-1) === 'end'), 3000, 'every client got "end"');
    await sleep(20);
    assert.deepEqual(inboxes[0], ['hello', 'bin:bytes', 'bin:as binary', 'end']);
    assert.deepEqual(inboxes[1], ['hello', 'bin:bytes', 'bin:as binary', 'not you', 'end']);
    assert.deepEqual(inboxes[2], ['hello', 'bin:bytes', 'bin:as binary', 'not you', 'end']);
  });

  test('closed and closing clients are skipped', T, async (t) => {
    const s = scoped(t);
    const { server, url } = await s.baroServer();
    const peers = await clientsWithConnections(s, server, url, 3);
    const closed = serverClose(peers[0].connection);
    peers[0].client.close(1000);
    await closed;
    peers[1].connection.close(1000);
    assert.equal(server.broadcast('left'), 1);
  });

  test('with permessage-deflate, a broadcast stays behind a compressed message still being deflated', T, async (t) => {
    const s = scoped(t);
    const { server, url } = await s.baroServer({ perMessageDeflate: true });
    const [peer] = await clientsWithConnections(s, server, url, 1, { perMessageDeflate: true });
    const inbox: Buffer[] = [];
    peer.client.on('message', (data: Buffer) => inbox.push(data));
    const big = Buffer.from(textPayload(300 * KiB, 41));
    peer.connection.send(big);
    server.broadcast('after');
    await until(() => inbox.length === 2, 3000, 'both messages');
    assertSameBytes(inbox[0], big);
    assert.equal(inbox[1].toString(), 'after');
  });
});

describe('backpressure and slow consumers', () => {
  const chunk = binaryPayload(64 * KiB, 51);

  /** Sends `chunk` until send() returns false or `limit` bytes went out; returns what was sent. */
  function fill(connection: WebSocketConnection, limit: number): { sent: number; lastResult: boolean } {
    let sent = 0;
    let lastResult = true;
    while (sent < limit && connection.readyState === ReadyState.OPEN) {
      lastResult = connection.send(chunk);
      sent += chunk.length;
      if (!lastResult) break;
    }
    return { sent, lastResult };
  }

  test("send() returns false past highWaterMark; 'drain' fires once the client reads again", { timeout: 10_000 }, async (t) => {
    const s = scoped(t);
    const highWaterMark = 256 * KiB;
    const { server, port } = await s.baroServer({ highWaterMark, maxBufferedBytes: 256 * MiB, closeTimeout: 1000 });
    const accepted = nextConnection(server);
    const raw = await s.rawOpen(port);
    const { connection } = await accepted;
    raw.socket.pause();
    raw.discardIncoming();
    const { sent, lastResult } = fill(connection, 128 * MiB);
    assert.equal(lastResult, false, `send() still returned true after ${sent} bytes`);
    assert.ok(connection.bufferedAmount >= highWaterMark, `bufferedAmount ${connection.bufferedAmount}`);
    assert.equal(connection.readyState, ReadyState.OPEN);
    const drained = nextEvent(connection, 'drain', 5000, "'drain'");
    await sleep(50);
    raw.socket.resume();
    await drained;
    assert.ok(connection.bufferedAmount < highWaterMark);
    assert.equal(connection.send('more'), true, 'send() is true again after drain');
    assert.equal(connection.readyState, ReadyState.OPEN);
    await until(() => raw.received >= sent, 5000, 'the client has read everything');
  });

  test('past maxBufferedBytes the server closes the client as a slow consumer (4001)', T, async (t) => {
    const s = scoped(t);
    const maxBufferedBytes = 1 * MiB;
    const { server, port, url } = await s.baroServer({ echo: true, highWaterMark: 128 * KiB, maxBufferedBytes, closeTimeout: 500 });
    const accepted = nextConnection(server);
    const raw = await s.rawOpen(port);
    const { connection } = await accepted;
    const errors: Error[] = [];
    connection.on('error', (error) => errors.push(error));
    raw.socket.pause();
    const closed = serverClose(connection, 4000);
    let sent = 0;
    while (connection.readyState === ReadyState.OPEN && sent < 256 * MiB) {
      connection.send(chunk);
      sent += chunk.length;
    }
    assert.notEqual(connection.readyState, ReadyState.OPEN, `still open after ${sent} bytes`);
    assert.equal(connection.send(chunk), false, 'send() after the failure is refused');
    const [code] = await closed;
    assert.equal(code, 4001);
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /slow consumer/);
    assert.ok(sent > maxBufferedBytes, 'not closed before the limit');
    await assertEchoes(s, url);
  });

  test('one message bigger than maxBufferedBytes, sent to a client that reads, is delivered and is not a slow consumer', T, async (t) => {
    const s = scoped(t);
    const maxBufferedBytes = 4 * MiB;
    const { server, url } = await s.baroServer({ highWaterMark: 128 * KiB, maxBufferedBytes, closeTimeout: 1000 });
    const [peer] = await clientsWithConnections(s, server, url, 1);
    const errors: Error[] = [];
    peer.connection.on('error', (error) => errors.push(error));
    // Larger than the kernel takes in one write, so most of it waits in the socket's buffer at first.
    const message = binaryPayload(12 * MiB, 52);
    const received = nextEvent<[Buffer]>(peer.client, 'message', 4000, 'the big message');
    peer.connection.send(message);
    assertSameBytes((await received)[0], message);
    await sleep(20);
    assert.deepEqual(errors.map((error) => error.message), [], 'no error on the connection');
    assert.equal(peer.connection.readyState, ReadyState.OPEN, 'the connection stays open');
  });
});

describe('default limits (none given in the options)', () => {
  test('send() returns false past the default highWaterMark (1 MiB) to a client that does not read', { timeout: 10_000 }, async (t) => {
    const s = scoped(t);
    const { server, port } = await s.baroServer();
    const accepted = nextConnection(server);
    const raw = await s.rawOpen(port);
    const { connection } = await accepted;
    raw.socket.pause();
    let sent = 0;
    const chunk = binaryPayload(64 * KiB, 61);
    let result = true;
    // Kernel socket buffers take some megabytes first; 48 MiB is far past them and the 1 MiB mark.
    while (result && sent < 48 * MiB) {
      result = connection.send(chunk);
      sent += chunk.length;
    }
    assert.equal(result, false, `send() returned true for all ${sent} bytes (bufferedAmount ${connection.bufferedAmount})`);
    connection.terminate();
  });

  test('a server-initiated close waits for the peer (default closeTimeout 10 s), not ~1 ms', T, async (t) => {
    const s = scoped(t);
    const { server, port } = await s.baroServer();
    const accepted = nextConnection(server);
    const raw = await s.rawOpen(port);
    const { connection } = await accepted;
    connection.close(1000, 'bye');
    assert.equal((await raw.closeFrame()).code, 1000);
    await sleep(300);
    assert.equal(raw.closed || raw.ended, false, 'the server dropped the TCP connection before the close handshake finished');
    const closed = serverClose(connection);
    raw.sendFrame({ opcode: 0x8, payload: Uint8Array.from([0x03, 0xe8]) });
    assert.deepEqual(await closed, [1000, '']);
    await raw.waitEnded();
  });
});

describe('heartbeat', () => {
  test('a client that never answers pings is closed with 4002 within ~3 intervals; a ws client stays open', T, async (t) => {
    const s = scoped(t);
    const interval = 200;
    const { server, port, url } = await s.baroServer({ echo: true, heartbeat: { interval } });
    const [peer] = await clientsWithConnections(s, server, url, 1);
    const accepted = nextConnection(server);
    const raw = await s.rawOpen(port);
    const { connection } = await accepted;
    const started = Date.now();
    const [code] = await serverClose(connection, 3 * interval + 1000);
    const elapsed = Date.now() - started;
    assert.equal(code, 4002);
    assert.ok(elapsed <= 3 * interval + 300, `closed after ${elapsed} ms`);
    const pings = parseFrames(raw.pending).frames.filter((frame) => frame.opcode === 0x9);
    assert.ok(pings.length >= 1, 'the silent client was pinged first');
    await raw.waitClosed();
    // The ws client answered every ping: still open after several more intervals, and served.
    await sleep(3 * interval);
    assert.equal(peer.connection.readyState, ReadyState.OPEN);
    assert.equal(peer.client.readyState, peer.client.OPEN);
    const echo = nextEvent<[Buffer]>(peer.client, 'message', 2000);
    peer.client.send('alive');
    assert.equal((await echo)[0].toString(), 'alive');
  });

  test('a raw client that answers the pings stays open', T, async (t) => {
    const s = scoped(t);
    const interval = 150;
    const { server, port } = await s.baroServer({ heartbeat: { interval } });
    const accepted = nextConnection(server);
    const raw = await s.rawOpen(port);
    const { connection } = await accepted;
    let answered = 0;
    const deadline = Date.now() + 5 * interval;
    while (Date.now() < deadline) {
      const frame = await raw.nextFrame(2 * interval).catch(() => null);
      if (frame?.opcode === 0x9) {
        raw.sendFrame({ opcode: 0xa, payload: frame.payload });
        answered++;
      }
    }
    assert.ok(answered >= 2, `answered ${answered} pings`);
    assert.equal(connection.readyState, ReadyState.OPEN);
  });
});

describe('graceful shutdown', () => {
  test('close() sends 1001 to every client and resolves after their close handshakes, well before the timeout', T, async (t) => {
    const s = scoped(t);
    // closeTimeout is explicit so this checks close(), not how defaults are merged (see 'default limits').
    const { server, url } = await s.baroServer({ echo: true, closeTimeout: 10_000 });
    const peers = await clientsWithConnections(s, server, url, 3);
    const clientCodes = peers.map(({ client }) => nextEvent<[number, Buffer]>(client, 'close', 3000));
    const serverCodes = peers.map(({ connection }) => serverClose(connection));
    let serverClosed = false;
    server.once('close', () => (serverClosed = true));
    const started = Date.now();
    await server.close({ timeout: 4000 });
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 1000, `took ${elapsed} ms`);
    assert.equal(serverClosed, true, "the server's 'close' event");
    for (const pending of clientCodes) {
      const [code, reason] = await pending;
      assert.equal(code, 1001);
      assert.equal(reason.toString(), 'server shutting down');
    }
    for (const pending of serverCodes) assert.equal((await pending)[0], 1001);
    assert.equal(server.clients.size, 0);
  });

  test('a client that ignores the close frame is destroyed at the timeout; close() resolves then', T, async (t) => {
    const s = scoped(t);
    const timeout = 500;
    const { server, port, url } = await s.baroServer({ echo: true, closeTimeout: 10_000 });
    const [peer] = await clientsWithConnections(s, server, url, 1);
    const raw = await s.rawOpen(port);
    await until(() => server.clients.size === 2, 2000, 'both connections are registered');
    const wsClosed = nextEvent<[number, Buffer]>(peer.client, 'close', 3000);
    const started = Date.now();
    const closing = server.close({ timeout });
    assert.equal((await raw.closeFrame()).code, 1001, 'the raw client got 1001');
    assert.equal((await wsClosed)[0], 1001);
    await raw.waitClosed(timeout + 2000);
    const destroyedAfter = Date.now() - started;
    await withTimeout(closing, 2000, 'close() to resolve');
    const resolvedAfter = Date.now() - started;
    assert.ok(destroyedAfter >= timeout - 50, `the silent client was dropped after ${destroyedAfter} ms, before the timeout`);
    assert.ok(resolvedAfter >= timeout - 50 && resolvedAfter < timeout + 1000, `close() resolved after ${resolvedAfter} ms`);
    assert.equal(server.clients.size, 0);
    // The listening socket is gone too.
    const refused = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.on('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    assert.equal(refused, 'ECONNREFUSED');
  });

  test('a new upgrade during shutdown gets 503', T, async (t) => {
    const s = scoped(t);
    const { server, port } = await s.baroServer({ echo: true, closeTimeout: 10_000 });
    // A client that never answers the close keeps the shutdown going for the whole timeout.
    await s.rawOpen(port);
    await until(() => server.clients.size === 1, 2000, 'the connection is registered');
    const closing = server.close({ timeout: 1500 });
    await sleep(50);
    const outcome = await tryUpgrade(port);
    assert.equal(outcome.status, 503, `got ${outcome.status} ${outcome.body}`);
    await withTimeout(closing, 3000, 'close() to resolve');
  });

  test('a handshake still in authenticate when close() starts gets 503', T, async (t) => {
    const s = scoped(t);
    let release!: (decision: boolean) => void;
    let authStarted!: () => void;
    const started = new Promise<void>((resolve) => (authStarted = resolve));
    const { server, port } = await s.baroServer({
      authenticate: () => {
        authStarted();
        return new Promise<boolean>((resolve) => (release = resolve));
      },
    });
    const raw = await s.raw(port);
    raw.write(upgradeHead(port));
    await withTimeout(started, 2000, 'authenticate to be called');
    const closing = server.close({ timeout: 500 });
    const response = await raw.readResponse(2000);
    assert.equal(response.status, 503);
    release(true);
    await withTimeout(closing, 3000, 'close() to resolve');
    assert.equal(server.clients.size, 0, 'the late approval opened nothing');
  });
});
