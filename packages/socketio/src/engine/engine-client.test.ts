import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { attach as attachReference } from 'engine.io';
import { Socket as EngineClient, type SocketOptions } from 'engine.io-client';
import { WebSocket } from 'baro';
import { HttpProxy } from '@baro/testing';
import { EngineServer } from './engine-server.js';
import type { EngineServerOptions } from './options.js';
import type { EngineSocket } from './engine-socket.js';
import { rawRequest, waitFor } from '../test-support/http.js';

type Transports = SocketOptions['transports'];

/** Our server, echoing every message, for the length of `body`. */
async function withEcho(options: Omit<EngineServerOptions, 'port' | 'server'>, body: (port: number, engine: EngineServer) => Promise<void>): Promise<void> {
  const engine = new EngineServer({ port: 0, ...options });
  engine.on('connection', (socket) => socket.on('message', (data) => socket.send(data)));
  await engine.ready;
  try {
    await body(engine.address().port, engine);
  } finally {
    await engine.close();
  }
}

/** The reference server with the same settings, echoing too. */
async function withReferenceEcho(options: { pingInterval: number; pingTimeout: number; maxPayload: number }, body: (port: number) => Promise<void>): Promise<void> {
  const http: HttpServer = createServer();
  const reference = attachReference(http, { ...options, maxHttpBufferSize: options.maxPayload });
  reference.on('connection', (socket) => socket.on('message', (data: string | Buffer) => socket.send(data)));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  try {
    await body((http.address() as AddressInfo).port);
  } finally {
    reference.close();
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  }
}

async function openClient(port: number, transports: Transports, extra: Partial<SocketOptions> = {}): Promise<EngineClient> {
  const client = new EngineClient(`http://127.0.0.1:${port}`, { transports, ...extra });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the client did not open in 5 s')), 5000);
    client.once('open', () => {
      clearTimeout(timer);
      resolve();
    });
    client.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  return client;
}

/** Collects the client's messages until `count` arrived. */
function collect(client: EngineClient, count: number, ms = 5000): Promise<(string | Buffer)[]> {
  const got: (string | Buffer)[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`got ${got.length} of ${count} echoes`)), ms);
    client.on('message', (data) => {
      // An empty message arrives without data (the wire cannot tell '' from nothing), as from the reference.
      got.push(data === undefined ? '' : typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer));
      if (got.length === count) {
        clearTimeout(timer);
        resolve(got);
      }
    });
  });
}

const MESSAGES: (string | Buffer)[] = [
  'hello',
  '',
  'héllo ✓ 日本語 😀𝄞',
  // No record separator: long-polling payloads cannot carry it (the reference splits on it too).
  '2probe looks like a packet',
  Buffer.from([0, 1, 2, 253, 254, 255]),
  Buffer.alloc(0),
  'x'.repeat(100_000),
  Buffer.alloc(50_000, 7),
];

describe('Engine.IO with the official engine.io-client', () => {
  for (const [label, transports, finalTransport] of [
    ['polling only', ['polling'], 'polling'],
    ['WebSocket only', ['websocket'], 'websocket'],
    ['polling upgraded to WebSocket', ['polling', 'websocket'], 'websocket'],
  ] as [string, Transports, string][]) {
    it(`${label}: text, unicode, empty and binary messages echo back in order`, async () => {
      await withEcho({}, async (port, engine) => {
        const connected = waitFor<[EngineSocket]>(engine, 'connection');
        const client = await openClient(port, transports);
        const [session] = await connected;
        const rounds = 3;
        const echoes = collect(client, MESSAGES.length * rounds);
        for (let round = 0; round < rounds; round++) {
          for (const message of MESSAGES) client.send(message);
          // Across an upgrade, some go over polling, some over the WebSocket.
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        assert.deepEqual(await echoes, Array.from({ length: rounds }, () => MESSAGES).flat());
        if (finalTransport === 'websocket' && transports?.length === 2 && client.transport.name !== 'websocket') await waitFor(client, 'upgrade');
        assert.equal(client.transport.name, finalTransport);
        assert.equal(session.transport.name, finalTransport);
        const closed = waitFor<[string]>(session, 'close');
        client.close();
        assert.equal((await closed)[0], 'transport close');
        assert.equal(engine.clientsCount, 0);
      });
    });
  }

  it('a proxy that refuses Upgrade keeps the client on polling', async () => {
    await withEcho({}, async (port) => {
      const proxy = await HttpProxy.start(port, { upgrade: 'refuse' });
      try {
        const client = await openClient(proxy.port, ['polling', 'websocket']);
        const echoes = collect(client, 2);
        client.send('through');
        await new Promise((resolve) => setTimeout(resolve, 300));
        client.send('the proxy');
        assert.deepEqual(await echoes, ['through', 'the proxy']);
        assert.equal(client.transport.name, 'polling');
        client.close();
      } finally {
        await proxy.close();
      }
    });
  });

  for (const transport of ['polling', 'websocket'] as const) {
    it(`${transport}: pings answered keep the session open; the server's close reaches the client`, async () => {
      // A generous timeout: the machine is shared, and a late pong is not what this test is about.
      await withEcho({ pingInterval: 100, pingTimeout: 2000 }, async (port, engine) => {
        const connected = waitFor<[EngineSocket]>(engine, 'connection');
        const client = await openClient(port, [transport]);
        const [session] = await connected;
        let pings = 0;
        client.on('ping', () => pings++);
        let earlyClose: unknown[] | null = null;
        session.once('close', (...args) => (earlyClose ??= args));
        await new Promise((resolve) => setTimeout(resolve, 700));
        assert.ok(pings >= 3, `${pings} pings`);
        assert.equal(session.readyState, 'open', `closed early: ${JSON.stringify(earlyClose)}`);
        const clientClosed = waitFor<[string]>(client, 'close');
        const serverClosed = waitFor<[string]>(session, 'close');
        session.close();
        assert.equal((await serverClosed)[0], 'forced close');
        assert.equal((await clientClosed)[0], 'transport close');
      });
    });
  }

  it('a silent polling client (never polls again) is closed by ping timeout', async () => {
    await withEcho({ pingInterval: 100, pingTimeout: 100 }, async (port, engine) => {
      const connected = waitFor<[EngineSocket]>(engine, 'connection');
      assert.equal((await rawRequest(port, '/engine.io/?EIO=4&transport=polling')).status, 200);
      const [session] = await connected;
      const started = Date.now();
      assert.equal((await waitFor<[string]>(session, 'close', 3000))[0], 'ping timeout');
      assert.ok(Date.now() - started >= 150, 'not before pingInterval + pingTimeout');
      assert.equal(engine.clientsCount, 0);
    });
  });

  it('a silent WebSocket client (never answers pings) is closed by ping timeout', async () => {
    await withEcho({ pingInterval: 100, pingTimeout: 100 }, async (port, engine) => {
      const connected = waitFor<[EngineSocket]>(engine, 'connection');
      const socket = new WebSocket(`ws://127.0.0.1:${port}/engine.io/?EIO=4&transport=websocket`);
      const received: string[] = [];
      socket.addEventListener('message', (event) => received.push(String((event as MessageEvent).data)));
      const socketClosed = new Promise<void>((resolve) => socket.addEventListener('close', () => resolve()));
      const [session] = await connected;
      assert.equal((await waitFor<[string]>(session, 'close', 3000))[0], 'ping timeout');
      await socketClosed;
      assert.match(received[0], /^0\{"sid":/);
      assert.ok(received.includes('2'), 'it was pinged');
    });
  });

  for (const transport of ['polling', 'websocket'] as const) {
    it(`${transport}: lone surrogates come back as the reference sends them back`, async () => {
      const options = { pingInterval: 10_000, pingTimeout: 5_000, maxPayload: 1e6 };
      const texts = ['lone high \ud800 here', 'lone low \udc00 here', 'pair 😀 intact', '\ud83d'];
      const run = async (port: number): Promise<unknown[]> => {
        const client = await openClient(port, [transport]);
        const echoes = collect(client, texts.length);
        for (const text of texts) client.send(text);
        const got = await echoes;
        client.close();
        return got;
      };
      let ours: unknown[] = [];
      let theirs: unknown[] = [];
      await withEcho(options, async (port) => {
        ours = await run(port);
      });
      await withReferenceEcho(options, async (port) => {
        theirs = await run(port);
      });
      assert.deepEqual(ours, theirs);
      assert.equal(ours[2], 'pair 😀 intact');
    });
  }

  for (const transport of ['polling', 'websocket'] as const) {
    it(`${transport}: a message over maxPayload ends the session, on the reference server as on ours`, async () => {
      const options = { pingInterval: 10_000, pingTimeout: 5_000, maxPayload: 1000 };
      const run = async (port: number): Promise<string> => {
        const client = await openClient(port, [transport]);
        const echoes = collect(client, 1);
        client.send('small');
        assert.deepEqual(await echoes, ['small']);
        const closed = waitFor<[string]>(client, 'close');
        client.send('y'.repeat(5000));
        return (await closed)[0];
      };
      let ours = '';
      let theirs = '';
      await withEcho(options, async (port, engine) => {
        const connected = waitFor<[EngineSocket]>(engine, 'connection');
        const closing = connected.then(([session]) => waitFor<[string]>(session, 'close'));
        ours = await run(port);
        assert.equal((await closing)[0], transport === 'polling' ? 'transport error' : 'transport close');
      });
      await withReferenceEcho(options, async (port) => {
        theirs = await run(port);
      });
      assert.equal(ours, theirs, 'the client closes for the same reason');
    });
  }
});
