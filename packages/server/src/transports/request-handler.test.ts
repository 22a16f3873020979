/**
 * `noServer`: the app owns the HTTP server and hands baro its requests and upgrades, as a framework
 * does. Composed here with plain node:http and the app's own routes, which must pass through.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BaroServer } from '../baro-server.js';
import type { Session } from '../session/session.js';
import { WebSocket } from '../websocket/client.js';
import type { CloseEvent } from '../websocket/client-events.js';
import { until, withTimeout } from '../websocket/test-support/wait.js';
import type { SessionGateway } from './session-gateway.js';
import { SseDriver } from './test-support/drivers.js';

async function startApp(t: { after: (fn: () => void | Promise<void>) => void }) {
  const baro = new BaroServer({ noServer: true });
  baro.on('error', () => {});
  const http = createServer((request, response) => {
    baro.handleRequest(request, response, () => {
      response.writeHead(200, { 'Content-Type': 'text/plain' });
      response.end(`app: ${request.url}`);
    });
  });
  http.on('upgrade', (request, socket, head) => {
    if (baro.handleUpgrade(request, socket, head)) return;
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    await withTimeout(baro.close({ timeout: 200 }), 3000, 'baro to close');
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  });
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return { baro, origin };
}

test('noServer: the transports answer their paths, every other request reaches the app', { timeout: 10_000 }, async (t) => {
  const { baro, origin } = await startApp(t);
  const sessions: Session[] = [];
  baro.on('connection', (session: Session) => {
    sessions.push(session);
    session.emit('hello', { n: 1 });
  });
  assert.equal(await (await fetch(`${origin}/shop?x=1`)).text(), 'app: /shop?x=1');
  assert.equal(await (await fetch(`${origin}/baro/other`)).text(), 'app: /baro/other', 'a path under baro\'s that is no transport passes through');

  const client = new SseDriver(`${origin}/baro`);
  t.after(() => client.stop());
  await client.open();
  await client.until((c) => c.events('hello').length === 1, 'the hello event over SSE');
  assert.deepEqual(client.events('hello'), [{ n: 1 }]);
  assert.equal(sessions[0]?.transport, 'sse');
});

test('noServer: the WebSocket endpoint takes its upgrades, other upgrades are the app\'s', { timeout: 10_000 }, async (t) => {
  const { baro, origin } = await startApp(t);
  const sessions: Session[] = [];
  baro.on('connection', (session: Session) => sessions.push(session));
  const ws = new WebSocket(`${origin.replace('http', 'ws')}/baro/ws`, ['baro.v1']);
  t.after(() => ws.close());
  const first = await withTimeout(new Promise<string>((resolve) => ws.addEventListener('message', (event) => resolve(String((event as MessageEvent).data)), { once: true })), 3000, 'the open packet');
  assert.match(first, /^\["o",/);
  await until(() => sessions.length === 1, 2000, 'the session');
  assert.equal(sessions[0].transport, 'websocket');

  const other = new WebSocket(`${origin.replace('http', 'ws')}/elsewhere`);
  const closed = await withTimeout(new Promise<number>((resolve) => other.addEventListener('close', (event) => resolve((event as CloseEvent).code))), 3000, 'the refused upgrade');
  assert.equal(closed, 1006, 'the app refused it (404), baro did not take it');
});

test('noServer has no address of its own, and one place to listen is enough', () => {
  // A server typed by its app's events and context is still the one gateway every transport takes.
  const baro = new BaroServer<{ clientToServer: { add: (n: number) => number }; serverToClient: { sum: number } }, { user: string }>({ noServer: true });
  const gateway: SessionGateway = baro;
  assert.equal(gateway.path, '/baro');
  assert.throws(() => baro.address(), /noServer/);
  void baro.close();
  assert.throws(() => new BaroServer({ noServer: true, port: 0 }), /one of `server`, `port` or `noServer`/);
});
