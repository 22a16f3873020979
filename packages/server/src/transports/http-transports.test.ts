/**
 * The HTTP transports as mounted on a server: sharing the HTTP server with the app, transport
 * switching, and the security edges (tokens, body limits, content types, origins, CORS, per-address
 * limits, shutdown).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { BaroServer } from '../baro-server.js';
import type { Session } from '../session/session.js';
import { sleep, until, withTimeout } from '../websocket/test-support/wait.js';
import { poll, send, SseStream, startServer, type Harness, posOf } from './test-support/http-client.js';
import { RawHttp } from './test-support/raw-http.js';

const T = { timeout: 10_000 };
type TestContext = { after: (fn: () => void | Promise<void>) => void };

/** An app's HTTP server with its own handler, which counts what reaches it. */
async function appServer(t: TestContext) {
  const seen: string[] = [];
  const server = createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    response.writeHead(200, { 'Content-Type': 'text/plain' }).end('app');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { server, seen, port: (server.address() as AddressInfo).port };
}

async function withSessions(t: TestContext, options: ConstructorParameters<typeof BaroServer>[0] = {}): Promise<Harness & { sessions: Session[] }> {
  const harness = await startServer(t, options);
  const sessions: Session[] = [];
  harness.server.on('connection', (session: Session) => sessions.push(session));
  return { ...harness, sessions };
}

async function openSse(t: TestContext, base: string, headers: Record<string, string> = {}) {
  const stream = await SseStream.open(`${base}/sse`, headers, t);
  const [, info] = await stream.packet('o');
  return { stream, info, auth: { sid: info.sid as string, token: info.token as string } };
}

describe('mounting beside the app', () => {
  test("the transports answer their paths; the app's own handler answers the rest, and never both", T, async (t) => {
    const app = await appServer(t);
    const errors: Error[] = [];
    const baro = new BaroServer({ server: app.server });
    baro.on('error', (error) => errors.push(error));
    t.after(() => baro.close({ timeout: 200 }));
    // A listener added after mounting does not see the transports' requests either.
    const late: string[] = [];
    app.server.on('request', (request: IncomingMessage) => late.push(request.url ?? ''));
    const base = `http://127.0.0.1:${app.port}/baro`;

    const { stream, auth } = await openSse(t, base);
    assert.equal(stream.status, 200);
    const polled = await poll(base, { wait: 0 });
    assert.equal(polled.packets[0][0], 'o');
    const sent = await send(base, auth, [['e', 1, 'x', null]]);
    assert.deepEqual(sent.packets, [['r', 1]]);
    const page = await fetch(`http://127.0.0.1:${app.port}/index.html`);
    assert.equal(await page.text(), 'app');
    // Paths under the base that are not transports belong to the app (e.g. a plain GET of /baro/ws).
    assert.equal(await (await fetch(`${base}/ws`)).text(), 'app');
    assert.equal(await (await fetch(`${base}/sse/extra`)).text(), 'app');

    assert.deepEqual(app.seen, ['GET /index.html', 'GET /baro/ws', 'GET /baro/sse/extra']);
    assert.deepEqual(late, ['/index.html', '/baro/ws', '/baro/sse/extra']);
    assert.deepEqual(errors, []);

    stream.close();
    await baro.close({ timeout: 200 });
    // Unmounted: the server's emit is its own again and the app gets every path.
    assert.equal(Object.prototype.hasOwnProperty.call(app.server, 'emit'), false);
    assert.equal(await (await fetch(`${base}/sse`)).text(), 'app');
    assert.ok(app.seen.includes('GET /baro/sse'));
  });

  test('only the offered transports are mounted', T, async (t) => {
    const app = await appServer(t);
    const sseOnly = new BaroServer({ server: app.server, transports: ['websocket', 'sse'] });
    t.after(() => sseOnly.close({ timeout: 200 }));
    const base = `http://127.0.0.1:${app.port}/baro`;
    assert.equal(await (await fetch(`${base}/poll?wait=1`)).text(), 'app');
    assert.equal((await send(base, { sid: 'x', token: 'y' }, [])).status, 403, 'POST is mounted with SSE');
    await sseOnly.close({ timeout: 200 });

    const wsOnly = new BaroServer({ server: app.server, transports: ['websocket'] });
    t.after(() => wsOnly.close({ timeout: 200 }));
    assert.equal(await (await fetch(`${base}/sse`)).text(), 'app');
    assert.equal((await send(base, { sid: 'x', token: 'y' }, [])).status, 200);
  });

  test('an unknown or empty transport list is refused at construction, with the names it expects', () => {
    assert.throws(() => new BaroServer({ port: 0, transports: ['websocket', 'sse ' as never] }), /^TypeError: unknown transport "sse ": expected some of websocket, sse, long-polling, polling$/);
    assert.throws(() => new BaroServer({ port: 0, transports: [] }), /^TypeError: no transports offered/);
  });

  test('a custom base path', T, async (t) => {
    const { base, port } = await startServer(t, { path: '/rt/' });
    assert.equal(base, `http://127.0.0.1:${port}/rt/`);
    const { stream } = await openSse(t, `http://127.0.0.1:${port}/rt`);
    assert.equal(stream.status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${port}/baro/sse`)).status, 404);
  });

  test("Expect: 100-continue reaches the transports even when the app listens for 'checkContinue'", T, async (t) => {
    const app = await appServer(t);
    let appContinues = 0;
    app.server.on('checkContinue', (_request: IncomingMessage, response: ServerResponse) => {
      appContinues++;
      response.writeHead(417).end();
    });
    const baro = new BaroServer({ server: app.server, http: { maxBodyBytes: 100 } });
    t.after(() => baro.close({ timeout: 200 }));
    const base = `http://127.0.0.1:${app.port}/baro`;
    const { auth } = await openSse(t, base);
    const body = JSON.stringify(['e', 1, 'x', 1]);

    const ok = await RawHttp.connect(app.port, t);
    ok.write(`POST /baro/send?sid=${auth.sid}&token=${auth.token} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`);
    await until(() => ok.text.startsWith('HTTP/1.1 100'), 2000, '100 Continue');
    ok.write(body);
    const answer = await ok.answer();
    assert.equal(answer.status, 200);
    assert.equal(answer.body, '["r",1]\n');

    const big = await RawHttp.connect(app.port, t);
    big.write(`POST /baro/send?sid=${auth.sid}&token=${auth.token} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: 101\r\nExpect: 100-continue\r\n\r\n`);
    const refused = await big.answer();
    assert.equal(refused.status, 413);
    assert.ok(!big.text.startsWith('HTTP/1.1 100'), 'no invitation to send the body');
    assert.equal(appContinues, 0);
  });

  test('wrong methods get 405 with Allow', T, async (t) => {
    const { base } = await startServer(t);
    const get = await fetch(`${base}/send`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST, OPTIONS');
    const post = await fetch(`${base}/sse`, { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, OPTIONS');
  });
});

describe('switching transports', () => {
  test('long-polling → SSE with seq: the waiting poll gets ["n"], events continue in order on SSE', T, async (t) => {
    const { base, sessions } = await withSessions(t, { http: { pollTimeout: 5000 } });
    const first = await poll(base, { wait: 1 });
    const auth = { sid: first.packets[0][1].sid as string, token: first.packets[0][1].token as string, pos: posOf(first.packets[0][1].streams) };
    const session = sessions[0];
    const transports: string[] = [];
    session.on('transport', (name) => transports.push(name));
    for (let i = 1; i <= 3; i++) session.emit('n', i);
    const got = await poll(base, { wait: 1, ...auth, seq: 0 });
    assert.deepEqual(got.packets.map((p) => p[3]), [1, 2, 3]);
    // The client polls again with seq 3; while that poll waits, more events come and it switches.
    const waiting = poll(base, { wait: 1, ...auth, seq: 3 });
    await sleep(50);
    session.emit('n', 4);
    const four = await waiting;
    assert.deepEqual(four.packets, [['e', 4, 'n', 4]]);
    const held = poll(base, { wait: 1, ...auth, seq: 4 });
    await sleep(50);
    const stream = await SseStream.open(`${base}/sse?sid=${auth.sid}&token=${auth.token}&seq=4`, {}, t);
    assert.deepEqual((await held).packets, [['n']]);
    for (let i = 5; i <= 8; i++) session.emit('n', i);
    await stream.until((s) => s.packets.filter((p) => p[0] === 'e').length === 4, 3000, 'events 5 to 8 on SSE');
    const [open, ...rest] = stream.packets;
    assert.equal(open[0], 'o');
    assert.equal(open[1].resumed, true);
    assert.equal(open[1].transport, 'sse');
    assert.deepEqual(rest.filter((p) => p[0] === 'e').map((p) => [p[1], p[3]]), [[5, 5], [6, 6], [7, 7], [8, 8]]);
    assert.deepEqual(transports, ['sse']);
    assert.equal(session.transport, 'sse');
  });

  test('a switch during a burst: every event once, in order, across both transports', T, async (t) => {
    const { base, sessions } = await withSessions(t, { http: { pollTimeout: 5000 } });
    const first = await poll(base, { wait: 1 });
    const auth = { sid: first.packets[0][1].sid as string, token: first.packets[0][1].token as string, pos: posOf(first.packets[0][1].streams) };
    const session = sessions[0];
    const total = 200;
    const emitting = (async () => {
      for (let i = 1; i <= total; i++) {
        session.emit('n', i);
        if (i % 4 === 0) await sleep(1);
      }
    })();
    let seq = 0;
    const processed: number[] = [];
    const take = (packets: readonly unknown[][]): void => {
      for (const packet of packets) {
        if (packet[0] !== 'e') continue;
        if ((packet[1] as number) <= seq) continue;
        assert.equal(packet[1], seq + 1, 'no gap');
        seq = packet[1] as number;
        processed.push(packet[3] as number);
      }
    };
    while (seq < 50) take((await poll(base, { wait: 1, ...auth, seq })).packets);
    const held = poll(base, { wait: 1, ...auth, seq });
    const stream = await SseStream.open(`${base}/sse?sid=${auth.sid}&token=${auth.token}&seq=${seq}`, {}, t);
    const last = await held;
    take(last.packets);
    // Either the poll was still waiting when SSE attached (it ends with ["n"]) or events answered it first.
    assert.ok(last.packets.length > 0 && ['n', 'e'].includes(last.packets.at(-1)![0]), JSON.stringify(last.packets.at(-1)));
    await emitting;
    await stream.until((s) => s.packets.some((p) => p[0] === 'e' && p[1] === total), 5000, 'the last event on SSE');
    take(stream.packets);
    assert.deepEqual(processed, Array.from({ length: total }, (_, i) => i + 1));
  });

  test('SSE → long-polling: the stream ends and the poll carries on from seq', T, async (t) => {
    const { base, sessions } = await withSessions(t, { http: { pollTimeout: 5000 } });
    const { stream, auth } = await openSse(t, base);
    const session = sessions[0];
    session.emit('n', 1);
    session.emit('n', 2);
    await stream.until((s) => s.packets.filter((p) => p[0] === 'e').length === 2, 3000, 'two events');
    session.emit('n', 3);
    const switched = await poll(base, { wait: 1, ...auth, seq: 2 });
    await stream.until((s) => s.ended, 3000, 'the SSE stream to end');
    assert.equal(switched.packets[0][0], 'o');
    assert.equal(switched.packets[0][1].transport, 'long-polling');
    assert.deepEqual(switched.packets.slice(1).filter((p) => p[0] === 'e'), [['e', 3, 'n', 3]]);
    assert.equal(session.transport, 'long-polling');
  });
});

describe('credentials', () => {
  test("POST with another session's sid but without its token, or a wrong one, is refused 403", T, async (t) => {
    const { base, sessions } = await withSessions(t);
    const victim = await openSse(t, base);
    const got: unknown[] = [];
    sessions[0].on('x', (data: unknown) => got.push(data));
    const packet = [['e', 1, 'x', 'forged']];
    const noToken = await send(base, { sid: victim.auth.sid }, packet);
    assert.equal(noToken.status, 403);
    assert.match(noToken.headers.get('content-type') ?? '', /^text\/plain/);
    const wrong = await send(base, { sid: victim.auth.sid, token: victim.auth.token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }, packet);
    assert.equal(wrong.status, 403);
    const unknown = await send(base, { sid: 'nosuchsession', token: victim.auth.token }, packet);
    assert.equal(unknown.status, 403);
    assert.equal(unknown.text, wrong.text, 'the answer does not tell whether the session exists');
    const attacker = await openSse(t, base);
    const crossed = await send(base, { sid: victim.auth.sid, token: attacker.auth.token }, packet);
    assert.equal(crossed.status, 403);
    assert.deepEqual(got, []);
    // The token in the X-Baro-Token header works.
    const ok = await send(base, { sid: victim.auth.sid }, [['e', 1, 'x', 'real']], { headers: { 'X-Baro-Token': victim.auth.token } });
    assert.equal(ok.status, 200);
    assert.deepEqual(got, ['real']);
  });

  test('attaching with a sid and a wrong or missing token is refused 403; an unknown sid with a token opens a new session', T, async (t) => {
    const { base } = await withSessions(t);
    const { auth } = await openSse(t, base);
    assert.equal((await fetch(`${base}/sse?sid=${auth.sid}`)).status, 403);
    assert.equal((await fetch(`${base}/sse?sid=${auth.sid}&token=nope`)).status, 403);
    assert.equal((await poll(base, { wait: 0, sid: auth.sid, token: 'nope' })).status, 403);
    assert.equal((await poll(base, { wait: 0, sid: auth.sid })).status, 403);
    const fresh = await poll(base, { wait: 0, sid: 'expiredsession', token: 'whatever' });
    assert.equal(fresh.status, 200);
    assert.equal(fresh.packets[0][1].resumed, false);
    assert.notEqual(fresh.packets[0][1].sid, 'expiredsession');
  });

  test('malformed sid or seq is refused 400', T, async (t) => {
    const { base } = await withSessions(t);
    assert.equal((await fetch(`${base}/sse?sid=${'x'.repeat(65)}&token=t`)).status, 400);
    assert.equal((await poll(base, { wait: 0, sid: 'a b', token: 't' })).status, 400);
    assert.equal((await poll(base, { wait: 0, seq: -1 })).status, 400);
    assert.equal((await send(base, { sid: 'a/b', token: 't' }, [])).status, 400);
  });
});

describe('POST bodies', () => {
  const limit = 1000;

  async function sessionWithLimit(t: TestContext) {
    const harness = await withSessions(t, { http: { maxBodyBytes: limit } });
    const { auth } = await openSse(t, harness.base);
    return { ...harness, auth };
  }

  /** A body of exactly `size` bytes: one event whose data pads it out. */
  function bodyOf(size: number, cseq = 1): string {
    const empty = JSON.stringify(['e', cseq, 'pad', '']);
    return JSON.stringify(['e', cseq, 'pad', 'x'.repeat(size - empty.length)]);
  }

  test('a body of maxBodyBytes is accepted; one byte more is refused 413', T, async (t) => {
    const { base, auth, sessions } = await sessionWithLimit(t);
    const sizes: number[] = [];
    sessions[0].on('pad', (data: string) => sizes.push(data.length));
    assert.equal(Buffer.byteLength(bodyOf(limit)), limit);
    assert.equal((await send(base, auth, bodyOf(limit))).status, 200);
    const over = await send(base, auth, bodyOf(limit + 1, 2));
    assert.equal(over.status, 413);
    assert.match(over.text, /larger than 1000 bytes/);
    assert.equal(sizes.length, 1);
  });

  test('413 on Content-Length alone: the answer comes before the body is sent, and the connection closes', T, async (t) => {
    const { port, auth } = await sessionWithLimit(t);
    const raw = await RawHttp.connect(port, t);
    raw.write(`POST /baro/send?sid=${auth.sid}&token=${auth.token} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: ${50 * 1024 * 1024}\r\n\r\n`);
    const answer = await raw.answer();
    assert.equal(answer.status, 413);
    assert.equal(answer.headers.connection, 'close');
    await raw.closedByServer();
  });

  test('413 while streaming: the server stops at the limit instead of reading the whole body', T, async (t) => {
    const { port, auth } = await sessionWithLimit(t);
    const raw = await RawHttp.connect(port, t);
    raw.write(`POST /baro/send?sid=${auth.sid}&token=${auth.token} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n`);
    const piece = 'x'.repeat(400);
    const answered = raw.answer(5000);
    // Keep sending, a piece at a time, up to 100x the limit, stopping as soon as an answer comes.
    let sent = 0;
    let status = 0;
    void answered.then((a) => (status = a.status), () => {});
    while (status === 0 && !raw.closed && sent < 100 * limit) {
      raw.write(`${piece.length.toString(16)}\r\n${piece}\r\n`);
      sent += piece.length;
      await sleep(5);
    }
    const answer = await answered;
    assert.equal(answer.status, 413);
    assert.ok(sent < 10 * limit, `answered after ${sent} bytes`);
    await raw.closedByServer();
  });

  test('413 to a client still sending its body, that reads late: the answer is not lost to a reset (the connection lingers)', T, async (t) => {
    const { port, auth } = await sessionWithLimit(t);
    // Closing a socket with unread bytes sends a reset, and a reset discards what the client has
    // received but not yet read: the 413 would be gone. A client busy elsewhere reads late.
    const socket = connect({ host: '127.0.0.1', port });
    t.after(() => socket.destroy());
    const received: Buffer[] = [];
    let failure = '';
    socket.on('error', (error: NodeJS.ErrnoException) => (failure = error.code ?? error.message));
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.pause();
    socket.write(`POST /baro/send?sid=${auth.sid}&token=${auth.token} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: ${8 * 1024 * 1024}\r\n\r\n`);
    socket.write(Buffer.alloc(8 * 1024 * 1024, 0x78));
    await sleep(300);
    socket.resume();
    await until(() => failure !== '' || socket.readableEnded || Buffer.concat(received).includes('\r\n\r\n'), 3000, 'the answer or an error');
    const answer = Buffer.concat(received).toString('latin1');
    assert.match(answer, /^HTTP\/1\.1 413 /, `got ${JSON.stringify(answer.slice(0, 40))}, error ${failure || 'none'}`);
  });

  test('only application/x-ndjson and text/plain bodies (415)', T, async (t) => {
    const { base, auth } = await sessionWithLimit(t);
    const body = JSON.stringify(['e', 1, 'x', 1]);
    assert.equal((await send(base, auth, body, { headers: { 'Content-Type': 'application/json' } })).status, 415);
    assert.equal((await send(base, auth, body, { headers: { 'Content-Type': 'multipart/form-data; boundary=x' } })).status, 415);
    const plain = await send(base, auth, body, { headers: { 'Content-Type': 'text/plain;charset=UTF-8' } });
    assert.equal(plain.status, 200);
    assert.deepEqual(plain.packets, [['r', 1]]);
  });

  test('bad packets are refused 400 with the reason, and nothing of the body is processed', T, async (t) => {
    const { base, auth, sessions } = await sessionWithLimit(t);
    const got: unknown[] = [];
    sessions[0].on('x', (data: unknown) => got.push(data));
    const notJson = await send(base, auth, `["e",1,"x",1]\n{nope`);
    assert.equal(notJson.status, 400);
    assert.match(notJson.text, /invalid packet JSON/);
    const wrongWay = await send(base, auth, [['e', 1, 'x', 1], ['o', { sid: 'a' }]]);
    assert.equal(wrongWay.status, 400);
    assert.match(wrongWay.text, /may not be sent to the server/);
    const badUtf8 = await fetch(`${base}/send?sid=${auth.sid}&token=${auth.token}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-ndjson' },
      body: Buffer.from([0x5b, 0x22, 0xff, 0x22, 0x5d]),
    });
    assert.equal(badUtf8.status, 400);
    assert.deepEqual(got, []);
    assert.equal(sessions[0].ended, false);
  });
});

describe('origins and CORS', () => {
  const allowed = 'https://app.example';
  const denied = 'https://evil.example';

  test('preflight: an allowed origin gets 204 with the CORS headers, another gets 403', T, async (t) => {
    const { base } = await startServer(t, { allowedOrigins: [allowed] });
    for (const path of ['sse', 'poll', 'send']) {
      const ok = await fetch(`${base}/${path}`, {
        method: 'OPTIONS',
        headers: { Origin: allowed, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type, x-baro-token' },
      });
      assert.equal(ok.status, 204);
      assert.equal(ok.headers.get('access-control-allow-origin'), allowed);
      assert.equal(ok.headers.get('access-control-allow-methods'), 'GET, POST');
      assert.equal(ok.headers.get('access-control-allow-headers'), 'Content-Type, X-Baro-Token, Last-Event-ID');
      assert.equal(ok.headers.get('access-control-allow-credentials'), 'true');
      assert.match(ok.headers.get('vary') ?? '', /Origin/);
      const no = await fetch(`${base}/${path}`, { method: 'OPTIONS', headers: { Origin: denied, 'Access-Control-Request-Method': 'POST' } });
      assert.equal(no.status, 403);
      assert.equal(no.headers.get('access-control-allow-origin'), null);
    }
  });

  test('cross-origin requests: allowed origins get CORS headers (their own origin, never *), others 403', T, async (t) => {
    const { base } = await startServer(t, { allowedOrigins: (origin) => origin === allowed });
    const { stream, auth } = await openSse(t, base, { Origin: allowed });
    assert.equal(stream.headers.get('access-control-allow-origin'), allowed);
    assert.equal(stream.headers.get('access-control-allow-credentials'), 'true');
    const polled = await poll(base, { wait: 0, ...auth, seq: 0 }, { headers: { Origin: allowed } });
    assert.equal(polled.headers.get('access-control-allow-origin'), allowed);
    const sent = await send(base, auth, [], { headers: { Origin: allowed } });
    assert.equal(sent.status, 200);
    assert.equal(sent.headers.get('access-control-allow-origin'), allowed);

    const sse = await fetch(`${base}/sse`, { headers: { Origin: denied } });
    assert.equal(sse.status, 403);
    assert.equal(sse.headers.get('access-control-allow-origin'), null);
    assert.equal((await poll(base, { wait: 0 }, { headers: { Origin: denied } })).status, 403);
    assert.equal((await send(base, auth, [], { headers: { Origin: denied } })).status, 403);
    // Refusals to an allowed origin carry CORS headers, so the page can read the status and Retry-After.
    const refused = await poll(base, { wait: 0, sid: auth.sid, token: 'nope' }, { headers: { Origin: allowed } });
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get('access-control-allow-origin'), allowed);
  });

  test('same-origin requests need no CORS headers; without allowedOrigins only they pass', T, async (t) => {
    const { base, port } = await startServer(t);
    const { stream } = await openSse(t, base, { Origin: `http://127.0.0.1:${port}` });
    assert.equal(stream.status, 200);
    assert.equal(stream.headers.get('access-control-allow-origin'), null);
    assert.equal((await fetch(`${base}/sse`, { headers: { Origin: allowed } })).status, 403);
    assert.equal((await fetch(`${base}/sse`, { headers: { Origin: 'null' } })).status, 403);
  });

  test('http.corsOrigins, merged into allowedOrigins, is refused at construction', () => {
    assert.throws(() => new BaroServer({ http: { corsOrigins: [allowed] } as never }), /http\.corsOrigins is now allowedOrigins/);
  });

  test("the server's allowedOrigins is the one policy: what it does not list gets 403 on every endpoint", T, async (t) => {
    const { base } = await startServer(t, { allowedOrigins: [allowed] });
    const { auth } = await openSse(t, base, { Origin: allowed });
    const sse = await fetch(`${base}/sse`, { headers: { Origin: denied } });
    assert.equal(sse.status, 403);
    assert.match(await sse.text(), /origin not allowed/);
    assert.equal((await poll(base, { wait: 1 }, { headers: { Origin: denied } })).status, 403);
    assert.equal((await send(base, auth, [], { headers: { Origin: denied } })).status, 403);
  });
});

describe('limits and shutdown', () => {
  test('sessionsPerAddress: 2 → the third session is refused 429 with Retry-After', T, async (t) => {
    const { base, sessions } = await withSessions(t, { sessionsPerAddress: 2 });
    await openSse(t, base);
    const second = await poll(base, { wait: 0 });
    assert.equal(second.status, 200);
    const third = await fetch(`${base}/sse`);
    assert.equal(third.status, 429);
    assert.ok(Number(third.headers.get('retry-after')) > 0);
    assert.match(await third.text(), /too many sessions/);
    const thirdPoll = await poll(base, { wait: 1 });
    assert.equal(thirdPoll.status, 429);
    assert.ok(thirdPoll.headers.get('retry-after'));
    // Attaching to an existing session is not a new session.
    const auth = { sid: second.packets[0][1].sid as string, token: second.packets[0][1].token as string, pos: posOf(second.packets[0][1].streams) };
    assert.equal((await poll(base, { wait: 0, ...auth, seq: 0 })).status, 200);
    sessions[0].disconnect();
    assert.equal((await poll(base, { wait: 0 })).status, 200);
  });

  test('shutdown: streams and waiting polls get the close packet; later requests get 503 or the app', T, async (t) => {
    const app = await appServer(t);
    const baro = new BaroServer({ server: app.server, http: { pollTimeout: 5000 } });
    t.after(() => baro.close({ timeout: 200 }));
    const base = `http://127.0.0.1:${app.port}/baro`;
    const { stream } = await openSse(t, base);
    const opened = await poll(base, { wait: 1 });
    const auth = { sid: opened.packets[0][1].sid as string, token: opened.packets[0][1].token as string, pos: posOf(opened.packets[0][1].streams) };
    const waiting = poll(base, { wait: 1, ...auth, seq: 0 });
    await sleep(50);
    await withTimeout(baro.close({ timeout: 500, retryAfterMs: 1000 }), 3000, 'the server to close');
    const last = (await waiting).packets;
    assert.equal(last.length, 1);
    assert.equal(last[0][0], 'c');
    assert.equal(last[0][1], 4003);
    assert.ok(last[0][3] >= 500 && last[0][3] <= 1500, 'a jittered retryAfterMs');
    await stream.until((s) => s.ended, 3000, 'the stream to end');
    assert.equal(stream.packets.at(-1)?.[0], 'c');
    assert.equal(await (await fetch(`${base}/sse`)).text(), 'app');
  });

  test('unmounting ends what is still open', T, async (t) => {
    const app = await appServer(t);
    let release!: () => void;
    const gate = new Promise<boolean>((resolve) => (release = () => resolve(true)));
    const baro = new BaroServer({ server: app.server, authenticate: () => gate });
    t.after(() => baro.close({ timeout: 200 }));
    const base = `http://127.0.0.1:${app.port}/baro`;
    // A request still waiting for its admission when the server closes.
    const pending = fetch(`${base}/sse`);
    await sleep(50);
    await baro.close({ timeout: 200 });
    const answer = await withTimeout(pending, 3000, 'the pending request');
    assert.equal(answer.status, 503);
    assert.ok(answer.headers.get('retry-after'));
    release();
    await sleep(20);
  });
});
