import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { attach as attachReference } from 'engine.io';
import { EngineServer } from './engine-server.js';
import type { EngineSocket } from './engine-socket.js';
import { rawRequest, sidOf, waitFor, type RawAnswer } from '../test-support/http.js';

const OPTIONS = { pingInterval: 10_000, pingTimeout: 5_000, maxPayload: 1000 };
const PATH = '/engine.io/';

/** The reference engine.io server with the same settings, echoing messages as ours does. */
async function startReference(): Promise<{ port: number; close: () => Promise<void> }> {
  const http: HttpServer = createServer();
  const reference = attachReference(http, { ...OPTIONS, maxHttpBufferSize: OPTIONS.maxPayload });
  reference.on('connection', (socket) => socket.on('message', (data: string | Buffer) => socket.send(data)));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    port: (http.address() as AddressInfo).port,
    close: async () => {
      reference.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** Status, content type and body of an answer: what a client can observe (the sid aside). */
function observable(answer: RawAnswer): { status: number; type: string | undefined; body: string } {
  return { status: answer.status, type: answer.headers['content-type'], body: answer.body.replace(/"sid":"[^"]+"/, '"sid":"…"') };
}

/** A raw upgrade request; gives the answer's status line and body. */
function rawUpgrade(port: number, path: string): Promise<{ statusLine: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [head, body = ''] = text.split('\r\n\r\n');
      resolve({ statusLine: head.split('\r\n')[0], body });
    });
    socket.on('error', reject);
    socket.setTimeout(3000, () => socket.destroy(new Error('no answer to the upgrade')));
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
  });
}

describe('Engine.IO over raw HTTP, answered as the reference engine.io server answers', () => {
  let engine: EngineServer;
  let ours: number;
  let reference: { port: number; close: () => Promise<void> };
  const sessions: EngineSocket[] = [];

  before(async () => {
    engine = new EngineServer({ port: 0, ...OPTIONS });
    engine.on('connection', (socket) => {
      sessions.push(socket);
      socket.on('message', (data) => socket.send(data));
    });
    await engine.ready;
    ours = engine.address().port;
    reference = await startReference();
  });

  after(async () => {
    await engine.close();
    await reference.close();
  });

  /** The same request to both servers; their answers must match. */
  async function same(path: string, options: Parameters<typeof rawRequest>[2] = {}): Promise<RawAnswer> {
    const [a, b] = await Promise.all([rawRequest(ours, path, options), rawRequest(reference.port, path, options)]);
    assert.deepEqual(observable(a), observable(b), `${options.method ?? 'GET'} ${path}`);
    return a;
  }

  it('refuses bad handshakes with the reference codes, messages and statuses', async () => {
    const cases: [string, Parameters<typeof rawRequest>[2], number][] = [
      [PATH, {}, 0],
      [`${PATH}?EIO=4&transport=carrier-pigeon`, {}, 0],
      [`${PATH}?EIO=4&transport=webtransport`, {}, 0],
      [`${PATH}?EIO=3&transport=polling`, {}, 5],
      [`${PATH}?transport=polling`, {}, 5],
      [`${PATH}?EIO=4&transport=polling`, { method: 'POST', body: '4hi' }, 2],
      [`${PATH}?EIO=4&transport=polling`, { method: 'PUT' }, 2],
      [`${PATH}?EIO=4&transport=websocket`, {}, 3],
      [`${PATH}?EIO=4&transport=polling&sid=nosuchsession`, {}, 1],
    ];
    for (const [path, options, code] of cases) {
      const answer = await same(path, options);
      assert.equal(answer.headers['content-type'], 'application/json');
      assert.equal((JSON.parse(answer.body) as { code: number }).code, code, path);
    }
  });

  it('a polling handshake answers the open packet with the same fields and headers', async () => {
    const answer = await same(`${PATH}?EIO=4&transport=polling`);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'text/plain; charset=UTF-8');
    assert.equal(answer.headers['cache-control'], 'no-store');
    const open = JSON.parse(answer.body.slice(1)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(open), ['sid', 'upgrades', 'pingInterval', 'pingTimeout', 'maxPayload']);
    assert.deepEqual(open.upgrades, ['websocket']);
    assert.equal(open.maxPayload, OPTIONS.maxPayload);
  });

  /** Opens a polling session on both servers. */
  async function openBoth(): Promise<[string, string]> {
    const [a, b] = await Promise.all([rawRequest(ours, `${PATH}?EIO=4&transport=polling`), rawRequest(reference.port, `${PATH}?EIO=4&transport=polling`)]);
    return [sidOf(a.body), sidOf(b.body)];
  }

  /** The same request to both servers' sessions. */
  async function sameInSession(sids: [string, string], options: Parameters<typeof rawRequest>[2] = {}, query = 'transport=polling'): Promise<[RawAnswer, RawAnswer]> {
    const answers = await Promise.all([
      rawRequest(ours, `${PATH}?EIO=4&${query}&sid=${sids[0]}`, options),
      rawRequest(reference.port, `${PATH}?EIO=4&${query}&sid=${sids[1]}`, options),
    ]);
    assert.deepEqual(observable(answers[0]), observable(answers[1]), `${options.method ?? 'GET'} ${query}`);
    return answers;
  }

  /**
   * A GET left waiting on both sessions; resolves to the body both answered it with. (With a poll
   * waiting, the reference also closes at once rather than waiting 30 s for the next one.)
   */
  async function pollBoth(sids: [string, string]): Promise<string> {
    const waiting = Promise.all([
      rawRequest(ours, `${PATH}?EIO=4&transport=polling&sid=${sids[0]}`),
      rawRequest(reference.port, `${PATH}?EIO=4&transport=polling&sid=${sids[1]}`),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    return waiting.then(([a, b]) => {
      assert.deepEqual(observable(a), observable(b));
      return a.body;
    });
  }

  it('POST and GET in a session: "ok", then the echoes in one payload, text and base64 binary', async () => {
    const sids = await openBoth();
    const [posted] = await sameInSession(sids, { method: 'POST', body: '4héllo 😀\x1ebAQID\x1e4' });
    assert.equal(posted.body, 'ok');
    assert.equal(posted.headers['content-type'], 'text/html');
    const [polled] = await sameInSession(sids);
    assert.equal(polled.body, '4héllo 😀\x1ebAQID\x1e4');
  });

  it('a session on polling refuses a request for another transport (3), and keeps its protocol (3)', async () => {
    const sids = await openBoth();
    await sameInSession(sids, {}, 'transport=websocket');
    const answers = await Promise.all([
      rawRequest(ours, `${PATH}?EIO=3&transport=polling&sid=${sids[0]}`),
      rawRequest(reference.port, `${PATH}?EIO=3&transport=polling&sid=${sids[1]}`),
    ]);
    assert.deepEqual(observable(answers[0]), observable(answers[1]));
    assert.equal(answers[0].status, 400);
  });

  it('a POST body over maxPayload is 413 and ends the session', async () => {
    const sids = await openBoth();
    const waiting = pollBoth(sids);
    const [big] = await sameInSession(sids, { method: 'POST', body: `4${'x'.repeat(OPTIONS.maxPayload)}` });
    assert.equal(big.status, 413);
    assert.equal(await waiting, '1', 'the waiting poll gets the close packet');
    const [gone] = await sameInSession(sids);
    assert.equal((JSON.parse(gone.body) as { code: number }).code, 1);
  });

  it('binary POST bodies (application/octet-stream) are 400 in protocol v4', async () => {
    const sids = await openBoth();
    const [refused] = await sameInSession(sids, { method: 'POST', body: Buffer.from([1, 2]), headers: { 'Content-Type': 'application/octet-stream' } });
    assert.equal(refused.status, 400);
  });

  it('an invalid packet closes the session (parse error)', async () => {
    const before = sessions.length;
    const sids = await openBoth();
    const closed = waitFor<[string]>(sessions[before], 'close');
    const waiting = pollBoth(sids);
    await sameInSession(sids, { method: 'POST', body: '4fine\x1e9bad' });
    assert.equal((await closed)[0], 'parse error');
    assert.equal(await waiting, '4fine', 'the packets before the bad one are delivered (and echoed)');
    const [gone] = await sameInSession(sids);
    assert.equal((JSON.parse(gone.body) as { code: number }).code, 1);
  });

  it('a second GET while one waits: 400 for it, the close packet for the waiting one', async () => {
    const sids = await openBoth();
    const waiting = Promise.all([
      rawRequest(ours, `${PATH}?EIO=4&transport=polling&sid=${sids[0]}`),
      rawRequest(reference.port, `${PATH}?EIO=4&transport=polling&sid=${sids[1]}`),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const [second] = await sameInSession(sids);
    assert.equal(second.status, 400);
    const [first, firstReference] = await waiting;
    assert.deepEqual(observable(first), observable(firstReference));
    assert.equal(first.body, '1');
  });

  it('a client packet "1" (close) ends the session', async () => {
    const before = sessions.length;
    const sids = await openBoth();
    const closed = waitFor<[string]>(sessions[before], 'close');
    await sameInSession(sids, { method: 'POST', body: '1' });
    assert.equal((await closed)[0], 'transport close');
  });

  it('refused WebSocket upgrades are 400 with the message, as the reference', async () => {
    for (const path of [`${PATH}?EIO=4&transport=bogus`, `${PATH}?EIO=4&transport=websocket&sid=nosuchsession`]) {
      const [a, b] = await Promise.all([rawUpgrade(ours, path), rawUpgrade(reference.port, path)]);
      assert.equal(a.statusLine, 'HTTP/1.1 400 Bad Request', path);
      assert.equal(b.statusLine, 'HTTP/1.1 400 Bad Request', path);
      assert.equal(a.body, b.body, path);
    }
  });

  it('an unsupported protocol version is refused before the WebSocket opens (the reference sends 101, then a 400 inside it)', async () => {
    const path = `${PATH}?EIO=3&transport=websocket`;
    const [a, b] = await Promise.all([rawUpgrade(ours, path), rawUpgrade(reference.port, path)]);
    assert.equal(a.statusLine, 'HTTP/1.1 400 Bad Request');
    assert.equal(a.body, 'Unsupported protocol version');
    assert.equal(b.statusLine, 'HTTP/1.1 101 Switching Protocols');
    assert.match(b.body, /^HTTP\/1.1 400 Bad Request/);
  });

  it('cross-origin requests follow baro\'s origin policy: refused unless allowed', async () => {
    const refused = await rawRequest(ours, `${PATH}?EIO=4&transport=polling`, { headers: { Origin: 'https://elsewhere.example' } });
    assert.equal(refused.status, 403);
    assert.equal((JSON.parse(refused.body) as { code: number }).code, 4);
    const sameOrigin = await rawRequest(ours, `${PATH}?EIO=4&transport=polling`, { headers: { Origin: `http://127.0.0.1:${ours}` } });
    assert.equal(sameOrigin.status, 200);
    assert.equal(sameOrigin.headers['access-control-allow-origin'], undefined);
  });
});

describe('Engine.IO limits', () => {
  it('allowed origins get CORS headers and preflights; sessions per address are capped (429)', async () => {
    const engine = new EngineServer({ port: 0, allowedOrigins: ['https://app.example'], maxSessionsPerAddress: 2 });
    await engine.ready;
    const { port } = engine.address();
    try {
      const preflight = await rawRequest(port, `${PATH}?EIO=4&transport=polling`, { method: 'OPTIONS', headers: { Origin: 'https://app.example' } });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers['access-control-allow-origin'], 'https://app.example');
      const first = await rawRequest(port, `${PATH}?EIO=4&transport=polling`, { headers: { Origin: 'https://app.example' } });
      assert.equal(first.status, 200);
      assert.equal(first.headers['access-control-allow-origin'], 'https://app.example');
      assert.equal(first.headers['access-control-allow-credentials'], 'true');
      assert.equal((await rawRequest(port, `${PATH}?EIO=4&transport=polling`)).status, 200);
      const third = await rawRequest(port, `${PATH}?EIO=4&transport=polling`);
      assert.equal(third.status, 429);
      assert.equal(third.headers['retry-after'], '10');
      assert.equal(engine.clientsCount, 2);
    } finally {
      await engine.close();
    }
  });

  it('authenticate refuses a handshake with its status; its context reaches the connection', async () => {
    const engine = new EngineServer<{ user: string }>({
      port: 0,
      authenticate: (request) => (request.headers.authorization === 'Bearer good' ? { ok: true, context: { user: 'ada' } } : { ok: false, status: 401, reason: 'who are you' }),
    });
    await engine.ready;
    const { port } = engine.address();
    try {
      const refused = await rawRequest(port, `${PATH}?EIO=4&transport=polling`);
      assert.equal(refused.status, 401);
      assert.deepEqual(JSON.parse(refused.body), { code: 4, message: 'who are you' });
      const connected = waitFor<[EngineSocket, { user: string }]>(engine, 'connection');
      assert.equal((await rawRequest(port, `${PATH}?EIO=4&transport=polling`, { headers: { Authorization: 'Bearer good' } })).status, 200);
      assert.deepEqual((await connected)[1], { user: 'ada' });
    } finally {
      await engine.close();
    }
  });

  it("attached to an app's HTTP server: its other routes keep working; close gives them back and answers waiting polls", async () => {
    const http = createServer((_request, response) => response.end('the app'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const port = (http.address() as AddressInfo).port;
    const engine = new EngineServer({ server: http });
    try {
      assert.equal((await rawRequest(port, '/elsewhere')).body, 'the app');
      const sid = sidOf((await rawRequest(port, `${PATH}?EIO=4&transport=polling`)).body);
      const waiting = rawRequest(port, `${PATH}?EIO=4&transport=polling&sid=${sid}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await engine.close();
      assert.equal((await waiting).body, '1', 'the waiting poll gets the close packet');
      assert.equal((await rawRequest(port, `${PATH}?EIO=4&transport=polling`)).body, 'the app', "the path is the app's again");
    } finally {
      await engine.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  });

  it('options are checked', () => {
    assert.throws(() => new EngineServer({ port: 0, pingInterval: -1 }), /pingInterval/);
    assert.throws(() => new EngineServer({ port: 0, transports: [] }), /transports/);
  });
});
