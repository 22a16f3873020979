/**
 * The HTTP side attacked over real sockets: slow and unauthenticated bodies, password guessing,
 * join code enumeration, QR codes of codes that are not live, the host token flow, and the headers
 * every page carries. What the server reads is counted at its own sockets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { HOST_PASSWORD, quizClient, startTestApp, TestHost } from '../test-support/quiz-clients.js';
import { IMAGE_MAX_BYTES } from '../domain/image-type.js';
import type { HostTokenReply } from '../shared/protocol.js';
import { SECURITY_HEADERS } from './security-headers.js';

const MiB = 1024 * 1024;

/** The server side of every connection the app accepts, to read `bytesRead` off them. */
function serverSockets(app: { httpServer: import('node:http').Server }): Socket[] {
  const sockets: Socket[] = [];
  app.httpServer.on('connection', (socket: Socket) => sockets.push(socket));
  return sockets;
}

/**
 * What each connection had read when its answer was sent: a refusal must not wait for the body.
 * (After it, the connection lingers and reads what the client still sends, dropping it.)
 */
function readWhenAnswered(app: { httpServer: import('node:http').Server }): Map<Socket, number> {
  const read = new Map<Socket, number>();
  app.httpServer.on('request', (request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse) => {
    response.on('finish', () => read.set(request.socket, request.socket.bytesRead));
  });
  return read;
}

/** A raw client: sends `head` and then `body` bytes (as fast as the server takes them), collects the answer until the server closes. */
function rawRequest(port: number, head: string, body: Buffer) {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(answer)));
  socket.write(head);
  if (body.length > 0) socket.write(body);
  return { socket, closed };
}

/** Resolves with `promise`, or fails the test after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))),
  ]);
}

const uploadHead = (length: number, authorization?: string) =>
  `POST /api/quizzes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n${authorization ? `Authorization: Bearer ${authorization}\r\n` : ''}\r\n`;

test('slow bodies: a request that stops short is answered 408 and closed within the request timeout; the connection cap holds', { timeout: 30_000 }, async () => {
  const app = await startTestApp({ demo: false, requestTimeoutMs: 1500, headersTimeoutMs: 1500, maxConnections: 40 });
  const port = Number(new URL(app.url).port);
  try {
    assert.equal(app.httpServer.requestTimeout, 1500);
    assert.equal(app.httpServer.maxConnections, 40);
    const started = Date.now();
    // 10 connections each send 1.8 MiB of a 2 MiB upload, with the host password, and stop.
    const slow = Array.from({ length: 10 }, () => rawRequest(port, uploadHead(2 * MiB, HOST_PASSWORD), Buffer.alloc(1.8 * MiB, 0x20)));
    // And one sends half its headers and stops.
    const stalled = rawRequest(port, 'GET /api/auth HTTP/1.1\r\nHost: 127.0.0.1\r\n', Buffer.alloc(0));
    const answers = await within(Promise.all([...slow, stalled].map((r) => r.closed)), 10_000, 'slow requests closed');
    const elapsed = Date.now() - started;
    for (const answer of answers) assert.match(answer, /^HTTP\/1\.1 408 /, answer.slice(0, 80));
    assert.ok(elapsed < 1500 + 1000 + 2500, `closed after ${elapsed} ms (timeout 1.5 s, checked every 1 s)`);

    // The connection cap: 40 open connections, and the 41st is closed at once without an answer.
    const idle = Array.from({ length: 40 }, () => rawRequest(port, '', Buffer.alloc(0)));
    const open = () => new Promise<number>((resolve) => app.httpServer.getConnections((_error, count) => resolve(count)));
    for (let i = 0; i < 200 && (await open()) < 40; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(await open(), 40);
    const refused = rawRequest(port, 'GET /api/auth HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', Buffer.alloc(0));
    assert.equal(await within(refused.closed, 1000, 'the 41st connection closed'), '');
    assert.equal(idle.filter((r) => r.socket.destroyed).length, 0, 'the 40 are still open');
    for (const r of idle) r.socket.destroy();
  } finally {
    await app.dispose();
  }
});

test('a big upload without the host password is refused before its body is read; with it, the body is read', { timeout: 30_000 }, async () => {
  const app = await startTestApp({ demo: false });
  const port = Number(new URL(app.url).port);
  const sockets = serverSockets(app);
  const answeredAt = readWhenAnswered(app);
  try {
    const body = Buffer.alloc(2 * MiB - 1024, 0x20);
    const refused = rawRequest(port, uploadHead(body.length), body);
    const answer = await within(refused.closed, 10_000, 'unauthenticated upload answered');
    assert.match(answer, /^HTTP\/1\.1 401 /);
    assert.match(answer, /\r\nconnection: close\r\n/i);
    const unauthenticatedRead = answeredAt.get(sockets[0]) ?? Infinity;
    assert.ok(unauthenticatedRead < 512 * 1024, `the server had read ${unauthenticatedRead} bytes of a 2 MiB body when it refused it`);

    // The control: the same body with the password is read whole (and is not a valid quiz).
    const accepted = rawRequest(port, uploadHead(body.length, HOST_PASSWORD).replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n'), body);
    assert.match(await within(accepted.closed, 10_000, 'authenticated upload answered'), /^HTTP\/1\.1 400 /);
    assert.ok(sockets[1].bytesRead > body.length, `read ${sockets[1].bytesRead}`);

    // Every other route keeps a small body limit: 64 KiB.
    const big = await fetch(`${app.url}/api/quizzes/x/live`, {
      method: 'POST',
      headers: { authorization: `Bearer ${HOST_PASSWORD}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(100 * 1024) }),
    });
    assert.equal(big.status, 413);
  } finally {
    await app.dispose();
  }
});

test('a picture upload without the host password is refused before its body is read; with it, a body past the picture limit gets 413', { timeout: 30_000 }, async () => {
  const app = await startTestApp({ demo: false });
  const port = Number(new URL(app.url).port);
  const sockets = serverSockets(app);
  const answeredAt = readWhenAnswered(app);
  const imageHead = (length: number, authorization?: string) =>
    `POST /api/images HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\nContent-Length: ${length}\r\nConnection: close\r\n${authorization ? `Authorization: Bearer ${authorization}\r\n` : ''}\r\n`;
  try {
    const body = Buffer.alloc(IMAGE_MAX_BYTES, 0x20);
    const refused = rawRequest(port, imageHead(body.length), body);
    const answer = await within(refused.closed, 10_000, 'unauthenticated picture answered');
    assert.match(answer, /^HTTP\/1\.1 401 /);
    const unauthenticatedRead = answeredAt.get(sockets[0]) ?? Infinity;
    assert.ok(unauthenticatedRead < IMAGE_MAX_BYTES / 2, `the server had read ${unauthenticatedRead} bytes of a 1 MiB picture when it refused it`);

    // With the password: a picture one byte past the limit is refused by its length (the 2 MiB upload limit does not apply here).
    const tooLarge = rawRequest(port, imageHead(IMAGE_MAX_BYTES + 1, HOST_PASSWORD), Buffer.alloc(IMAGE_MAX_BYTES + 1, 0x20));
    assert.match(await within(tooLarge.closed, 10_000, 'large picture answered'), /^HTTP\/1\.1 413 /);
    // And a body the size of the limit is read whole (it is no picture: 415).
    const read = rawRequest(port, imageHead(body.length, HOST_PASSWORD), body);
    assert.match(await within(read.closed, 10_000, 'picture answered'), /^HTTP\/1\.1 415 /);
    assert.ok(sockets[2].bytesRead > body.length, `read ${sockets[2].bytesRead}`);
  } finally {
    await app.dispose();
  }
});

test('password guessing: after the allowed failures an address gets 429 + Retry-After, on HTTP and on host:hello, even with the right password', { timeout: 20_000 }, async () => {
  const app = await startTestApp({ hostFailuresPerMinute: 3 });
  const host = new TestHost(quizClient(app.url));
  const auth = (password: string) => fetch(`${app.url}/api/auth`, { headers: { authorization: `Bearer ${password}` } });
  try {
    assert.equal((await fetch(`${app.url}/api/auth`)).status, 401, 'no password: not a guess');
    for (let i = 0; i < 3; i++) assert.equal((await auth(`wrong-password-${i}-xxxxxxxx`)).status, 401);
    const throttled = await auth('wrong-password-again-xxxxx');
    assert.equal(throttled.status, 429);
    const retryAfter = Number(throttled.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 20, `Retry-After: ${retryAfter}`);
    assert.match(((await throttled.json()) as { error: string }).error, /too many wrong host passwords from this address: try again in \d+ s/);
    assert.equal((await auth(HOST_PASSWORD)).status, 429, 'the right password does not get through while throttled');

    const hello = await host.client.emitWithAck('host:hello', { liveId: app.demo!.liveId, password: HOST_PASSWORD });
    assert.equal(hello.ok, false);
    assert.equal(!hello.ok && hello.code, 'rate-limited');
    assert.ok(!hello.ok && hello.retryAfterMs! > 0);
    // The presenter screen proves itself the same way, and is throttled alike.
    const presenter = await host.client.emitWithAck('presenter:hello', { liveId: app.demo!.liveId, password: HOST_PASSWORD });
    assert.equal(!presenter.ok && presenter.code, 'rate-limited');
  } finally {
    host.client.close();
    await app.dispose();
  }
});

test('host tokens: the password is traded for a token that opens the API and host:hello, until it is revoked or expires', { timeout: 20_000 }, async () => {
  let clock = Date.now();
  const app = await startTestApp({ now: () => clock, hostTokenTtlMs: 60_000 });
  const host = new TestHost(quizClient(app.url));
  const get = (path: string, credential: string) => fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${credential}` } });
  try {
    assert.equal((await fetch(`${app.url}/api/auth/token`, { method: 'POST' })).status, 401);
    assert.deepEqual(await host.client.emitWithAck('host:hello', 'not an object' as never), { ok: false, error: 'wrong host password or expired sign-in' });
    const issued = await fetch(`${app.url}/api/auth/token`, { method: 'POST', headers: { authorization: `Bearer ${HOST_PASSWORD}` } });
    assert.equal(issued.status, 201);
    const { token, expiresAt } = (await issued.json()) as HostTokenReply;
    assert.equal(expiresAt, clock + 60_000);
    assert.ok(token.length >= 40 && token !== HOST_PASSWORD);
    assert.equal((await get('/api/quizzes', token)).status, 200);
    const hello = await host.client.emitWithAck('host:hello', { liveId: app.demo!.liveId, token });
    assert.equal(hello.ok, true);
    const presenter = await host.client.emitWithAck('presenter:hello', { liveId: app.demo!.liveId, token });
    assert.equal(presenter.ok, true);
    assert.deepEqual(await host.client.emitWithAck('presenter:hello', { liveId: app.demo!.liveId, token: 'not-a-token' }), { ok: false, error: 'wrong host password or expired sign-in' });

    // Another token, revoked by its holder (sign out).
    const other = ((await (await fetch(`${app.url}/api/auth/token`, { method: 'POST', headers: { authorization: `Bearer ${HOST_PASSWORD}` } })).json()) as HostTokenReply).token;
    assert.equal((await fetch(`${app.url}/api/auth/token`, { method: 'DELETE', headers: { authorization: `Bearer ${other}` } })).status, 204);
    assert.equal((await get('/api/auth', other)).status, 401);

    clock += 60_000;
    assert.equal((await get('/api/auth', token)).status, 401, 'expired');
    const late = await host.client.emitWithAck('host:hello', { liveId: app.demo!.liveId, token });
    assert.deepEqual(late, { ok: false, error: 'wrong host password or expired sign-in' });
    assert.deepEqual(await host.client.emitWithAck('presenter:hello', { liveId: app.demo!.liveId, token }), { ok: false, error: 'wrong host password or expired sign-in' });
  } finally {
    host.client.close();
    await app.dispose();
  }
});

test('join codes: a QR code only for a live code; lookups of codes that do not exist are throttled per address (429 + Retry-After)', { timeout: 20_000 }, async () => {
  const app = await startTestApp({ unknownCodesPerMinute: 3 });
  const { code } = app.demo!;
  try {
    const qr = await fetch(`${app.url}/qr/${code}.svg`);
    assert.equal(qr.status, 200);
    assert.match(await qr.text(), /^<svg/);
    assert.equal((await fetch(`${app.url}/qr/${code}.svg`)).status, 200, 'a cached QR code costs no lookup token');
    // A finished session: its code is known (the player page says it has ended) but has no QR code.
    const finished = app.rooms.create(app.store.listQuizzes()[0].id);
    assert.deepEqual(finished.command({ command: 'finish' }), { ok: true });
    assert.equal((await fetch(`${app.url}/qr/${finished.code}.svg`)).status, 404);
    assert.equal(((await (await fetch(`${app.url}/api/join/${finished.code}`)).json()) as { phase: string }).phase, 'finished');
    const unknown = code === 'ABCDEF' ? 'ABCDEG' : 'ABCDEF';
    assert.equal((await fetch(`${app.url}/qr/${unknown}.svg`)).status, 404, 'well formed, not live');
    assert.equal((await fetch(`${app.url}/api/join/${unknown}`)).status, 404);
    assert.equal((await fetch(`${app.url}/api/join/ZZZZZZ`)).status, 404);
    const throttled = await fetch(`${app.url}/api/join/${code}`);
    assert.equal(throttled.status, 429, 'the address used up its unknown lookups: even a live code waits');
    assert.ok(Number(throttled.headers.get('retry-after')) >= 1);
    assert.equal((await fetch(`${app.url}/qr/${code}.svg`)).status, 429);

    const player = quizClient(app.url);
    const join = await player.emitWithAck('join', { code: 'QQQQQQ', nickname: 'Guess' });
    player.close();
    assert.equal(!join.ok && join.code, 'rate-limited', 'the realtime join shares the throttle');
  } finally {
    await app.dispose();
  }
});

test('every page and API answer carries the security headers (CSP with frame-ancestors, nosniff, no referrer, no framing)', { timeout: 20_000 }, async () => {
  const app = await startTestApp();
  try {
    const paths = ['/', `/join/${app.demo!.code}`, '/host', `/host/live/${app.demo!.liveId}`, '/api/auth', `/api/join/${app.demo!.code}`, `/qr/${app.demo!.code}.svg`, '/no-such-page'];
    for (const path of paths) {
      const response = await fetch(`${app.url}${path}`);
      await response.arrayBuffer();
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) assert.equal(response.headers.get(name), value, `${name} on ${path}`);
    }
    assert.match(SECURITY_HEADERS['content-security-policy'], /frame-ancestors 'none'/);
  } finally {
    await app.dispose();
  }
});
