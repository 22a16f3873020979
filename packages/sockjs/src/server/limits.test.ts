/**
 * What the reference has no answer for, and the connection API: limits (message size, sessions
 * per address and in total, buffered bytes), timeouts and heartbeats, connection properties.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'baro';
import { createServer } from './server.js';
import type { SockJSServerOptions } from './options.js';
import type { SockJSConnection } from './connection.js';
import { fetchRaw, openRaw } from './test-support/http.js';

async function echoServer(options: SockJSServerOptions): Promise<{ port: number; connections: SockJSConnection[]; close: () => Promise<void> }> {
  const http = createHttpServer((_request, response) => response.writeHead(404).end());
  const server = createServer({ prefix: '/echo', ...options });
  const connections: SockJSConnection[] = [];
  server.on('connection', (connection) => {
    connections.push(connection);
    connection.on('data', (message) => connection.write(message));
  });
  server.installHandlers(http);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    port: (http.address() as AddressInfo).port,
    connections,
    close: async () => {
      await server.close();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}

function closeOf(url: string, send?: string): Promise<[number, string]> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const timer = setTimeout(() => reject(new Error('no close within 5 s')), 5000);
    socket.onmessage = (event) => {
      if (event.data === 'o' && send !== undefined) socket.send(send);
    };
    socket.onclose = (event) => {
      clearTimeout(timer);
      resolve([event.code, event.reason]);
    };
  });
}

test('sessions per address: past the limit, receiving requests and WebSockets hear 503', async () => {
  const server = await echoServer({ limits: { maxSessionsPerAddress: 2 } });
  try {
    assert.equal((await fetchRaw(server.port, 'POST', '/echo/0/s1/xhr')).body, 'o\n');
    assert.equal((await fetchRaw(server.port, 'POST', '/echo/0/s2/xhr')).body, 'o\n');
    const refused = await fetchRaw(server.port, 'POST', '/echo/0/s3/xhr');
    assert.equal(refused.status, 503);
    // An existing session is not a new one.
    assert.equal((await fetchRaw(server.port, 'POST', '/echo/0/s1/xhr_send', { body: '["a"]' })).status, 204);
    const { socket, read } = await openRaw(server.port);
    socket.write('GET /echo/0/s4/websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    assert.match((await read((bytes) => bytes.includes('\r\n\r\n'))).toString(), /^HTTP\/1\.1 503 /);
    socket.destroy();
  } finally {
    await server.close();
  }
});

test('message size: xhr_send bodies past the limit get 413, WebSocket messages close with 1009', async () => {
  const server = await echoServer({ limits: { maxMessageBytes: 100 } });
  try {
    await fetchRaw(server.port, 'POST', '/echo/0/big/xhr');
    const answer = await fetchRaw(server.port, 'POST', '/echo/0/big/xhr_send', { body: JSON.stringify(['x'.repeat(200)]) });
    assert.equal(answer.status, 413);
    assert.equal((await fetchRaw(server.port, 'POST', '/echo/0/big/xhr_send', { body: JSON.stringify(['x'.repeat(50)]) })).status, 204);
    assert.equal((await closeOf(`ws://127.0.0.1:${server.port}/echo/0/big2/websocket`, JSON.stringify(['x'.repeat(200)])))[0], 1009);
  } finally {
    await server.close();
  }
});

test('buffered bytes: a session nobody reads closes with 4001 past the limit', async () => {
  const server = await echoServer({ limits: { maxBufferedBytes: 100 } });
  try {
    assert.equal((await fetchRaw(server.port, 'POST', '/echo/0/slow/xhr')).body, 'o\n');
    await fetchRaw(server.port, 'POST', '/echo/0/slow/xhr_send', { body: JSON.stringify(['x'.repeat(60)]) });
    await fetchRaw(server.port, 'POST', '/echo/0/slow/xhr_send', { body: JSON.stringify(['x'.repeat(60)]) });
    assert.equal((await fetchRaw(server.port, 'POST', '/echo/0/slow/xhr')).body, 'c[4001,"Slow consumer"]\n');
  } finally {
    await server.close();
  }
});

test('hixie-76: a message past the limit ends the socket', async () => {
  const server = await echoServer({ limits: { maxMessageBytes: 100 } });
  try {
    const { socket, read } = await openRaw(server.port);
    socket.write('GET /echo/0/h/websocket HTTP/1.1\r\nHost: x\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\nSec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\r\n^n:ds[4U');
    await read((bytes) => bytes.includes(Buffer.from([0x00, 0x6f, 0xff])));
    socket.write(Buffer.concat([Buffer.from([0x00]), Buffer.alloc(200, 0x61)]));
    const [hadError] = await once(socket, 'close', { signal: AbortSignal.timeout(5000) });
    assert.equal(hadError, false);
  } finally {
    await server.close();
  }
});

test('a session without a receiver ends after disconnect_delay; the connection emits close', async () => {
  const server = await echoServer({ disconnect_delay: 200 });
  try {
    await fetchRaw(server.port, 'POST', '/echo/0/gone/xhr', { headers: { 'User-Agent': 'limits-test', Cookie: 'secret=1' } });
    while (server.connections.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const connection = server.connections[0];
    assert.equal(connection.protocol, 'xhr-polling');
    assert.equal(connection.remoteAddress, '127.0.0.1');
    assert.equal(connection.url, '/echo/0/gone/xhr');
    assert.equal(connection.headers['user-agent'], 'limits-test');
    assert.equal(connection.headers.cookie, undefined);
    assert.match(connection.id, /^[0-9a-f-]{36}$/);
    await once(connection, 'close');
    assert.equal((await fetchRaw(server.port, 'POST', '/echo/0/gone/xhr_send', { body: '["a"]' })).status, 404);
  } finally {
    await server.close();
  }
});

test('an idle receiver gets h after heartbeat_delay', async () => {
  const server = await echoServer({ heartbeat_delay: 100 });
  try {
    await fetchRaw(server.port, 'POST', '/echo/0/beat/xhr');
    assert.equal((await fetchRaw(server.port, 'POST', '/echo/0/beat/xhr')).body, 'h\n');
    const stream = await fetchRaw(server.port, 'POST', '/echo/0/beat2/xhr_streaming', { until: (body) => body.endsWith('o\nh\nh\n') });
    assert.ok(stream.body.endsWith('o\nh\nh\n'));
  } finally {
    await server.close();
  }
});

test('options are checked', () => {
  assert.throws(() => createServer({ prefix: 'echo' }), /prefix/);
  assert.throws(() => createServer({ prefix: '/echo/' }), /prefix/);
  assert.throws(() => createServer({ response_limit: 0 }), /response_limit/);
  assert.throws(() => createServer({ limits: { maxSessions: -1 } }), /maxSessions/);
});
