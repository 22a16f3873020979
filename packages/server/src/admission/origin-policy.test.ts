/**
 * The one origin policy, on every endpoint, over real sockets: WebSocketServer by itself, and
 * BaroServer's WebSocket, SSE, polling and POST endpoints.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocketServer } from '../websocket/server.js';
import { RawClient, upgradeHead } from '../websocket/test-support/raw-client.js';
import { scoped, tryUpgrade } from '../websocket/test-support/scope.js';
import { nextEvent } from '../websocket/test-support/wait.js';
import { RawHttp } from '../transports/test-support/raw-http.js';
import { poll, send, startServer } from '../transports/test-support/http-client.js';

const T = { timeout: 10_000 };
const EVIL = 'https://evil.example';

describe('WebSocketServer', () => {
  test('by default an Origin other than its own Host is refused 403; its own and none pass', T, async (t) => {
    const scope = scoped(t);
    const { port } = await scope.baroServer({ echo: true });
    assert.equal((await tryUpgrade(port, { headers: { Origin: EVIL } })).status, 403);
    assert.equal((await tryUpgrade(port, { headers: { Origin: 'null' } })).status, 403);
    assert.equal((await tryUpgrade(port, { headers: { Origin: `http://127.0.0.1:${port + 1}` } })).status, 403, 'another port is another origin');
    assert.equal((await tryUpgrade(port, { headers: { Origin: `http://127.0.0.1:${port}` } })).status, 101);
    assert.equal((await tryUpgrade(port, { headers: { Origin: `https://127.0.0.1:${port}` } })).status, 101, 'the scheme is not compared (TLS may end at a proxy)');
    assert.equal((await tryUpgrade(port)).status, 101, 'no Origin: not a browser');
  });

  test("allowedOrigins adds origins (a list or a predicate); '*' allows any", T, async (t) => {
    const scope = scoped(t);
    const listed = await scope.baroServer({ allowedOrigins: ['https://app.example'] });
    assert.equal((await tryUpgrade(listed.port, { headers: { Origin: 'https://app.example' } })).status, 101);
    assert.equal((await tryUpgrade(listed.port, { headers: { Origin: EVIL } })).status, 403);
    const any = await scope.baroServer({ allowedOrigins: '*' });
    assert.equal((await tryUpgrade(any.port, { headers: { Origin: EVIL } })).status, 101);
  });

  test('two Host headers are refused 400', T, async (t) => {
    const scope = scoped(t);
    const { port } = await scope.baroServer();
    const client = await RawClient.connect(port);
    t.after(() => client.socket.destroy());
    client.write(upgradeHead(port).replace('\r\n\r\n', `\r\nHost: 127.0.0.1:${port}\r\n\r\n`));
    const answer = await client.readResponse();
    assert.equal(answer.status, 400);
    assert.match(answer.body, /more than one Host header/);
  });

  test('authenticate: a throw is 500 and an error event, a refusal keeps its status, and it runs only for allowed origins', T, async (t) => {
    const scope = scoped(t);
    let calls = 0;
    const server = new WebSocketServer({
      port: 0,
      authenticate: (request) => {
        calls++;
        if (request.url === '/throw') throw new Error('database down');
        if (request.url === '/teapot') return { ok: false, status: 418, reason: 'no' };
        return request.url === '/ok';
      },
    });
    scope.defer(() => server.close({ timeout: 200 }));
    await server.ready;
    const { port } = server.address();
    const error = nextEvent<[Error]>(server, 'error', 3000);
    assert.equal((await tryUpgrade(port, { path: '/throw' })).status, 500);
    assert.match((await error)[0].message, /database down/);
    assert.equal((await tryUpgrade(port, { path: '/teapot' })).status, 418);
    assert.equal((await tryUpgrade(port, { path: '/no' })).status, 401);
    assert.equal((await tryUpgrade(port, { path: '/ok' })).status, 101);
    assert.equal(calls, 4);
    assert.equal((await tryUpgrade(port, { path: '/ok', headers: { Origin: EVIL } })).status, 403);
    assert.equal(calls, 4, 'a refused origin never reaches authenticate');
  });
});

describe('BaroServer', () => {
  test('by default another Origin is refused 403 on every endpoint, the WebSocket included, and opens no session', T, async (t) => {
    const { server, port, base } = await startServer(t);
    const headers = { Origin: EVIL };
    assert.equal((await tryUpgrade(port, { path: '/baro/ws', headers: { ...headers, 'Sec-WebSocket-Protocol': 'baro.v1' } })).status, 403);
    assert.equal((await fetch(`${base}/sse`, { headers })).status, 403);
    assert.equal((await poll(base, { wait: 0 }, { headers })).status, 403);
    assert.equal((await poll(base, { wait: 1 }, { headers })).status, 403);
    assert.equal(server.sessions.size, 0);
    const own = await poll(base, { wait: 0 }, { headers: { Origin: `http://127.0.0.1:${port}` } });
    assert.equal(own.status, 200);
    const [, info] = own.packets[0];
    assert.equal((await send(base, { sid: info.sid, token: info.token }, [], { headers })).status, 403);
    assert.equal((await send(base, { sid: info.sid, token: info.token }, [], { headers: { Origin: `http://127.0.0.1:${port}` } })).status, 200);
    assert.equal((await tryUpgrade(port, { path: '/baro/ws', headers: { Origin: `http://127.0.0.1:${port}`, 'Sec-WebSocket-Protocol': 'baro.v1' } })).status, 101);
  });

  test('two Host headers are refused 400 on the WebSocket, SSE, polling and POST', T, async (t) => {
    const { server, port } = await startServer(t);
    const twice = `Host: 127.0.0.1:${port}\r\nHost: 127.0.0.1:${port}\r\n`;
    const requests = [
      upgradeHead(port, { path: '/baro/ws', headers: { 'Sec-WebSocket-Protocol': 'baro.v1' } }).replace(`Host: 127.0.0.1:${port}\r\n`, twice),
      `GET /baro/sse HTTP/1.1\r\n${twice}\r\n`,
      `GET /baro/poll?wait=0 HTTP/1.1\r\n${twice}\r\n`,
      `POST /baro/send?sid=x&token=y HTTP/1.1\r\n${twice}Content-Type: application/x-ndjson\r\nContent-Length: 0\r\n\r\n`,
    ];
    for (const request of requests) {
      const raw = await RawHttp.connect(port, t);
      raw.write(request);
      const answer = await raw.answer();
      assert.equal(answer.status, 400, request.split('\r\n')[0]);
      assert.match(answer.body, /more than one Host header/);
    }
    assert.equal(server.sessions.size, 0);
  });

  test('authenticate throwing is a 500 and an error event, on the WebSocket and over HTTP alike', T, async (t) => {
    const { server, port, base } = await startServer(t, {
      authenticate: () => {
        throw new Error('database down');
      },
    });
    const errors: Error[] = [];
    server.on('error', (error) => errors.push(error));
    assert.equal((await tryUpgrade(port, { path: '/baro/ws', headers: { 'Sec-WebSocket-Protocol': 'baro.v1' } })).status, 500);
    assert.equal((await poll(base, { wait: 0 })).status, 500);
    assert.equal(errors.length, 2);
    assert.match(errors[0].message, /authenticate threw: database down/);
  });
});
