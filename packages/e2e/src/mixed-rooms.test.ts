/**
 * One room, three protocols, two nodes: baro clients, socket.io-client and sockjs-client, spread
 * over two nodes that share a real redis-server through their own RedisBroker, all join room
 * `lobby`; whoever broadcasts (baro, Socket.IO or SockJS, on either node), every client in the room
 * hears it exactly once, and those outside it do not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { BaroServer, WebSocket } from 'baro';
import { connect } from '@baro/client';
import { RedisBroker } from '@baro/redis';
import { BrokerRoomAdapter, Server as SocketIoServer } from '@baro/socketio';
import { createServer as createSockJSServer, type SockJSServer } from '@baro/sockjs';
import { startRedis } from '@baro/testing';
import { io as socketIoClient } from 'socket.io-client';

const require = createRequire(import.meta.url);
const SockJS = require('sockjs-client') as new (url: string, _reserved: null, options: { transports: string[] }) => {
  onopen: (() => void) | null;
  onmessage: ((event: { data: string }) => void) | null;
  send(message: string): void;
  close(): void;
};

type Defer = (cleanup: () => unknown) => void;

interface Node {
  baro: BaroServer;
  socketio: SocketIoServer;
  sockjs: SockJSServer;
  baroUrl: string;
  socketioUrl: string;
  sockjsUrl: string;
}

/** One node: a BaroServer, a Socket.IO server and a SockJS server on one RedisBroker; each joins its clients to the rooms they ask for. */
async function startNode(defer: Defer, redisUrl: string): Promise<Node> {
  const broker = new RedisBroker({ url: redisUrl });
  const baro = new BaroServer({ port: 0, host: '127.0.0.1', broker });
  baro.on('connection', (session) => {
    session.on('join', (room: string, ack?: (reply: unknown) => void) => {
      session.join(room);
      ack?.(true);
    });
  });
  await baro.ready;
  const socketio = new SocketIoServer(0, { adapter: (nsp) => new BrokerRoomAdapter({ broker, namespace: nsp.name }) });
  socketio.on('connection', (socket) => {
    socket.on('join', (room: string, ack?: (reply: unknown) => void) => {
      socket.join(room);
      ack?.(true);
    });
  });
  await socketio.ready;
  const http = createHttpServer((_request, response) => response.writeHead(404).end());
  const sockjs = createSockJSServer({ prefix: '/sockjs', broker });
  sockjs.on('connection', (connection) => {
    connection.on('data', (message) => {
      if (!message.startsWith('join:')) return;
      connection.join(message.slice('join:'.length));
      connection.write(`joined:${message.slice('join:'.length)}`);
    });
  });
  sockjs.installHandlers(http);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  defer(async () => {
    await sockjs.close();
    await new Promise<void>((resolve) => {
      http.closeAllConnections();
      http.close(() => resolve());
    });
    await socketio.close();
    await baro.close();
    await broker.close();
  });
  return {
    baro,
    socketio,
    sockjs,
    baroUrl: `http://127.0.0.1:${baro.address().port}`,
    socketioUrl: `http://127.0.0.1:${socketio.address().port}`,
    sockjsUrl: `http://127.0.0.1:${(http.address() as AddressInfo).port}/sockjs`,
  };
}

/** What a client heard, as `event data` lines, and a bounded wait for one. */
class Heard {
  readonly lines: string[] = [];
  readonly #waiters: { line: string; resolve: () => void }[] = [];

  add(line: string): void {
    this.lines.push(line);
    for (const waiter of this.#waiters.filter((w) => w.line === line)) waiter.resolve();
  }

  until(line: string, ms = 5000): Promise<void> {
    if (this.lines.includes(line)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${line}" within ${ms} ms; heard ${JSON.stringify(this.lines)}`)), ms);
      this.#waiters.push({ line, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }
}

async function baroClient(defer: Defer, url: string, room: string | null): Promise<Heard> {
  const heard = new Heard();
  const client = connect(url, { WebSocket, transports: ['websocket'] });
  defer(() => client.close());
  client.on('message', (data: unknown) => heard.add(`message ${String(data)}`));
  client.on('score', (data: unknown) => heard.add(`score ${JSON.stringify(data)}`));
  if (room) assert.equal(await client.emitWithAck('join', room), true);
  else await new Promise<void>((resolve) => client.onState((event) => event.type === 'open' && resolve()));
  return heard;
}

async function socketioClient(defer: Defer, url: string, room: string): Promise<Heard> {
  const heard = new Heard();
  const socket = socketIoClient(url, { transports: ['websocket'], reconnection: false });
  defer(() => socket.close());
  socket.on('message', (data: unknown) => heard.add(`message ${String(data)}`));
  socket.on('score', (data: unknown) => heard.add(`score ${JSON.stringify(data)}`));
  assert.equal(await socket.timeout(5000).emitWithAck('join', room), true);
  return heard;
}

async function sockjsClient(defer: Defer, url: string, room: string): Promise<Heard> {
  const heard = new Heard();
  const client = new SockJS(url, null, { transports: ['websocket'] });
  defer(() => client.close());
  // SockJS has only messages: an event other than `message` arrives as its JSON `[event, data]`.
  client.onmessage = (event) => {
    const text = event.data;
    if (text.startsWith('[')) {
      const [name, data] = JSON.parse(text) as [string, unknown];
      heard.add(`${name} ${JSON.stringify(data)}`);
    } else heard.add(`message ${text}`);
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('sockjs-client did not open within 5 s')), 5000);
    client.onopen = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  client.send(`join:${room}`);
  await heard.until(`message joined:${room}`);
  return heard;
}

test('baro, Socket.IO and SockJS clients on two nodes over Redis share one room: every broadcast, from any of them, reaches each member once', { timeout: 60_000 }, async (t) => {
  // node:test runs after-hooks in the order they were added; these go last in, first out, so the
  // clients close before their servers and Redis outlives the nodes using it.
  const cleanups: (() => unknown)[] = [];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const defer: Defer = (cleanup) => cleanups.push(cleanup);
  const redis = await startRedis();
  defer(() => redis.stop());
  const [one, two] = [await startNode(defer, redis.url), await startNode(defer, redis.url)];
  const members = {
    'baro on 1': await baroClient(defer, one.baroUrl, 'lobby'),
    'baro on 2': await baroClient(defer, two.baroUrl, 'lobby'),
    'socket.io on 1': await socketioClient(defer, one.socketioUrl, 'lobby'),
    'socket.io on 2': await socketioClient(defer, two.socketioUrl, 'lobby'),
    'sockjs on 1': await sockjsClient(defer, one.sockjsUrl, 'lobby'),
    'sockjs on 2': await sockjsClient(defer, two.sockjsUrl, 'lobby'),
  };
  const outsider = await baroClient(defer, two.baroUrl, null);

  const broadcasts: [string, () => unknown][] = [
    ['message from baro on 1', () => one.baro.to('lobby').emit('message', 'from baro on 1')],
    ['message from socket.io on 2', () => two.socketio.to('lobby').emit('message', 'from socket.io on 2')],
    ['message from sockjs on 1', () => one.sockjs.to('lobby').write('from sockjs on 1')],
    ['score {"n":4}', () => two.baro.to('lobby').emit('score', { n: 4 })],
    ['score {"n":5}', () => one.socketio.to('lobby').emit('score', { n: 5 })],
    ['message from sockjs on 2', () => two.sockjs.to('lobby').write('from sockjs on 2')],
  ];
  // One at a time: each is heard by every member before the next goes, so the order is the test's.
  for (const [line, send] of broadcasts) {
    await send();
    await Promise.all(Object.values(members).map((heard) => heard.until(line)));
  }
  // And one to everyone, from SockJS on node 2: the outsider hears it, and it fences what came before.
  await two.sockjs.broadcast('to everyone');
  await outsider.until('message to everyone');
  await Promise.all(Object.values(members).map((heard) => heard.until('message to everyone')));

  const expected = [...broadcasts.map(([line]) => line), 'message to everyone'];
  for (const [name, heard] of Object.entries(members)) {
    assert.deepEqual(heard.lines.filter((line) => !line.startsWith('message joined:')), expected, name);
  }
  assert.deepEqual(outsider.lines, ['message to everyone']);
});
