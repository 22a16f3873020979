/**
 * SockJS connections in baro's rooms (rooms.ts), with the official sockjs-client in Node: targets
 * and exceptions, and one room shared with a baro client through one broker.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { BaroServer, WebSocket, type Broker } from 'baro';
import { connect } from '@baro/client';
import { createServer, type SockJSServer } from './index.js';

interface SockJSClient {
  onopen: (() => void) | null;
  onmessage: ((event: { data: string }) => void) | null;
  onclose: (() => void) | null;
  send(message: string): void;
  close(): void;
}
const require = createRequire(import.meta.url);
const SockJS = require('sockjs-client') as new (url: string, _reserved: null, options: { transports: string[] }) => SockJSClient;

/** A SockJS server at /rooms whose clients say `join:<room>` (answered `joined:<room>`) and `leave:<room>`. */
async function roomServer(t: TestContext, broker?: Broker): Promise<{ sockjs: SockJSServer; url: string }> {
  const http = createHttpServer((_request, response) => response.writeHead(404).end());
  const sockjs = createServer({ prefix: '/rooms', broker });
  sockjs.on('connection', (connection) => {
    connection.on('data', (message) => {
      const [verb, room] = message.split(':');
      if (verb === 'join') {
        connection.join(room);
        connection.write(`joined:${room}`);
      } else if (verb === 'leave') {
        connection.leave(room);
        connection.write(`left:${room}`);
      }
    });
  });
  sockjs.installHandlers(http);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    await sockjs.close();
    await new Promise<void>((resolve) => {
      http.closeAllConnections();
      http.close(() => resolve());
    });
  });
  return { sockjs, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/rooms` };
}

/** A sockjs-client over `transport` that keeps what it receives and can wait for a message. */
async function client(t: TestContext, url: string, transport = 'websocket') {
  const socket = new SockJS(url, null, { transports: [transport] });
  const received: string[] = [];
  const waiters: { text: string; resolve: () => void }[] = [];
  socket.onmessage = (event) => {
    received.push(event.data);
    for (const waiter of waiters.filter((w) => w.text === event.data)) waiter.resolve();
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('sockjs-client did not open within 5 s')), 5000);
    socket.onopen = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  t.after(() => socket.close());
  const heard = (text: string, ms = 5000): Promise<void> =>
    received.includes(text)
      ? Promise.resolve()
      : new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no "${text}" within ${ms} ms; got ${JSON.stringify(received)}`)), ms);
          waiters.push({ text, resolve: () => (clearTimeout(timer), resolve()) });
        });
  return {
    received,
    heard,
    async say(message: string, answer: string) {
      socket.send(message);
      await heard(answer);
    },
  };
}

test('SockJS rooms: to, several rooms once, except, everyone, leave', { timeout: 20_000 }, async (t) => {
  const { sockjs, url } = await roomServer(t);
  const [ana, bo, cy] = await Promise.all([client(t, url), client(t, url, 'xhr-streaming'), client(t, url, 'xhr-polling')]);
  await ana.say('join:a', 'joined:a');
  await bo.say('join:a', 'joined:a');
  await bo.say('join:b', 'joined:b');
  await sockjs.to('a').write('1 to a');
  await sockjs.to('a', 'b').write('2 to a and b');
  await sockjs.to('a').except('b').write('3 to a except b');
  await sockjs.broadcast('4 to everyone');
  await bo.say('leave:a', 'left:a');
  await sockjs.to('a').write('5 to a');
  await sockjs.broadcast('6 fence');
  await Promise.all([ana, bo, cy].map((c) => c.heard('6 fence')));
  const broadcasts = (c: { received: string[] }) => c.received.filter((text) => /^\d /.test(text));
  assert.deepEqual(broadcasts(ana), ['1 to a', '2 to a and b', '3 to a except b', '4 to everyone', '5 to a', '6 fence']);
  assert.deepEqual(broadcasts(bo), ['1 to a', '2 to a and b', '4 to everyone', '6 fence']);
  assert.deepEqual(broadcasts(cy), ['4 to everyone', '6 fence']);
});

test('one room, one broker: a baro client and a SockJS client see the same broadcasts, in order, whoever sends them', { timeout: 20_000 }, async (t) => {
  const baro = new BaroServer({ port: 0, host: '127.0.0.1' });
  t.after(() => baro.close());
  baro.on('connection', (session) => {
    session.on('join', (room: string, ack?: (reply: unknown) => void) => {
      session.join(room);
      ack?.(true);
    });
  });
  await baro.ready;
  const { sockjs, url } = await roomServer(t, baro.broker);

  const baroClient = connect(`http://127.0.0.1:${baro.address().port}`, { WebSocket, transports: ['websocket'] });
  t.after(() => baroClient.close());
  const baroHeard: string[] = [];
  baroClient.on('message', (text: unknown) => baroHeard.push(`message ${String(text)}`));
  baroClient.on('score', (data: unknown) => baroHeard.push(`score ${JSON.stringify(data)}`));
  assert.equal(await baroClient.emitWithAck('join', 'lobby'), true);
  const sockjsClient = await client(t, url);
  await sockjsClient.say('join:lobby', 'joined:lobby');

  baro.to('lobby').emit('message', 'from baro');
  await sockjs.to('lobby').write('from sockjs');
  baro.to('lobby').emit('score', { n: 3 });
  await sockjs.to('elsewhere').write('not for the lobby');
  await sockjs.broadcast('to everyone, from sockjs');
  baro.emit('message', 'to everyone, from baro');

  await sockjsClient.heard('to everyone, from baro');
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the baro client heard ${JSON.stringify(baroHeard)} within 5 s`)), 5000);
    baroClient.on('message', (text: unknown) => {
      if (text !== 'to everyone, from baro') return;
      clearTimeout(timer);
      resolve();
    });
    if (baroHeard.includes('message to everyone, from baro')) {
      clearTimeout(timer);
      resolve();
    }
  });
  assert.deepEqual(sockjsClient.received.slice(1), ['from baro', 'from sockjs', '["score",{"n":3}]', 'to everyone, from sockjs', 'to everyone, from baro']);
  assert.deepEqual(baroHeard, ['message from baro', 'message from sockjs', 'score {"n":3}', 'message to everyone, from sockjs', 'message to everyone, from baro']);
});
