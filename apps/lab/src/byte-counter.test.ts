import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { WebSocketServer } from 'baro';
import { ByteCounter } from './byte-counter.js';

test('counts a WebSocket handshake and one frame each way to the byte', async () => {
  const http = createServer();
  const counter = new ByteCounter(http);
  const wss = new WebSocketServer({ server: http, path: '/ws', perMessageDeflate: false });
  const received = new Promise<string>((resolve) => {
    wss.on('connection', (socket) => {
      socket.send('hello');
      socket.on('message', (data) => resolve(String(data)));
    });
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const { port } = http.address() as AddressInfo;

  // RFC 6455 §1.3's example key, so the accept value is the RFC's too.
  const requestHead =
    'GET /ws HTTP/1.1\r\n' +
    `Host: 127.0.0.1:${port}\r\n` +
    'Upgrade: websocket\r\n' +
    'Connection: Upgrade\r\n' +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
    'Sec-WebSocket-Version: 13\r\n' +
    '\r\n';
  const responseHead =
    'HTTP/1.1 101 Switching Protocols\r\n' +
    'Upgrade: websocket\r\n' +
    'Connection: Upgrade\r\n' +
    'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n' +
    '\r\n';
  assert.equal(Buffer.byteLength(responseHead), 129);
  // Server → client: unmasked text frame, FIN + opcode 1, length 5, "hello": 2 + 5 bytes.
  const serverFrame = Buffer.from([0x81, 0x05, ...Buffer.from('hello')]);
  // Client → server: masked text frame "hi": 2 header bytes + 4 mask bytes + 2 payload bytes.
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const clientFrame = Buffer.from([0x81, 0x80 | 2, ...mask, ...Buffer.from('hi').map((byte, index) => byte ^ mask[index % 4]!)]);

  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.write(requestHead);
  const expectedDown = Buffer.concat([Buffer.from(responseHead), serverFrame]);
  while (Buffer.concat(chunks).length < expectedDown.length) await once(socket, 'data');
  // What arrived is exactly the head we computed plus the frame: nothing else was written.
  assert.deepEqual(Buffer.concat(chunks), expectedDown);
  socket.write(clientFrame);
  assert.equal(await received, 'hi');
  socket.destroy();
  while (counter.openSockets > 0) await new Promise((resolve) => setTimeout(resolve, 5));

  const counts = counter.snapshot();
  const expectedRead = Buffer.byteLength(requestHead) + clientFrame.length;
  const expectedWritten = Buffer.byteLength(responseHead) + serverFrame.length;
  console.log(`request head ${Buffer.byteLength(requestHead)} B + client frame ${clientFrame.length} B = ${expectedRead} B read; 101 head 129 B + frame ${serverFrame.length} B = ${expectedWritten} B written`);
  assert.equal(counts.bytesRead, expectedRead);
  assert.equal(counts.bytesWritten, expectedWritten);
  assert.equal(counts.connections, 1);
  assert.equal(counts.requests, 1);
  assert.equal(counts.upgrades, 1);

  await wss.close();
  counter.detach();
  http.close();
});

test('counts plain HTTP requests, including those a wrapped emit swallows', async () => {
  const http = createServer();
  const counter = new ByteCounter(http);
  // As BaroServer's HTTP transports do: take requests before any 'request' listener sees them.
  const original = http.emit;
  http.emit = function (this: typeof http, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'request') return void (args[1] as { end(body: string): void }).end('ok'), true;
    return original.apply(this, [event, ...args] as never);
  } as typeof http.emit;
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const { port } = http.address() as AddressInfo;
  for (let index = 0; index < 3; index++) await (await fetch(`http://127.0.0.1:${port}/x`)).text();
  const counts = counter.snapshot();
  assert.equal(counts.requests, 3);
  assert.equal(counts.upgrades, 0);
  assert.ok(counts.bytesRead > 3 * 'GET /x HTTP/1.1\r\n\r\n'.length);
  http.closeAllConnections();
  http.close();
  counter.detach();
});
