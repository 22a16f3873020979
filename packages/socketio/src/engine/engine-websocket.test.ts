/** The WebSocket side spoken by hand (baro's own WebSocket client), for what the official client never sends. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebSocket, type CloseEvent } from 'baro';
import { EngineServer } from './engine-server.js';
import type { EngineSocket } from './engine-socket.js';
import { rawRequest, sidOf, waitFor } from '../test-support/http.js';

const PATH = '/engine.io/';

interface RawLink {
  socket: WebSocket;
  received: (string | Buffer)[];
  closed: Promise<number>;
}

async function openRaw(url: string): Promise<RawLink> {
  const socket = new WebSocket(url);
  socket.binaryType = 'nodebuffer';
  const received: (string | Buffer)[] = [];
  socket.addEventListener('message', (event) => received.push((event as MessageEvent).data as string | Buffer));
  const closed = new Promise<number>((resolve) => socket.addEventListener('close', (event) => resolve((event as CloseEvent).code)));
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve());
    socket.addEventListener('error', () => reject(new Error(`could not open ${url}`)));
  });
  return { socket, received, closed };
}

async function until(condition: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function withEngine(options: ConstructorParameters<typeof EngineServer>[0], body: (port: number, engine: EngineServer) => Promise<void>): Promise<void> {
  const engine = new EngineServer(options);
  engine.on('connection', (socket) => socket.on('message', (data) => socket.send(data)));
  await engine.ready;
  try {
    await body(engine.address().port, engine);
  } finally {
    await engine.close();
  }
}

describe('Engine.IO over a hand-driven WebSocket', () => {
  it('a binary frame is a binary message; "b"+base64 text is one too; echoes go back as binary frames', async () => {
    await withEngine({ port: 0 }, async (port) => {
      const link = await openRaw(`ws://127.0.0.1:${port}${PATH}?EIO=4&transport=websocket`);
      link.socket.send(Uint8Array.of(9, 8, 7));
      link.socket.send('bAQID');
      link.socket.send('4text');
      await until(() => link.received.length === 4, 'the open packet and three echoes');
      const sid = (JSON.parse(String(link.received[0]).slice(1)) as { sid: string }).sid;
      const plainRequest = await rawRequest(port, `${PATH}?EIO=4&transport=websocket&sid=${sid}`);
      assert.deepEqual([plainRequest.status, JSON.parse(plainRequest.body)], [400, { code: 3, message: 'Bad request' }], 'HTTP for a WebSocket session');
      assert.match(String(link.received[0]), /^0\{"sid":"[^"]+","upgrades":\[\],"pingInterval":25000/);
      assert.deepEqual(link.received.slice(1), [Buffer.from([9, 8, 7]), Buffer.from([1, 2, 3]), '4text']);
      link.socket.close();
    });
  });

  for (const [what, bad, reason] of [
    ['a packet of unknown type', 'x', 'parse error'],
    ['an empty text frame', '', 'parse error'],
    ['a ping from the client (v4: only the server pings)', '2', 'transport error'],
  ] as const) {
    it(`${what} ends the session (${reason})`, async () => {
      await withEngine({ port: 0 }, async (port, engine) => {
        const connected = waitFor<[EngineSocket]>(engine, 'connection');
        const link = await openRaw(`ws://127.0.0.1:${port}${PATH}?EIO=4&transport=websocket`);
        const [session] = await connected;
        const closing = waitFor<[string]>(session, 'close');
        link.socket.send(bad);
        assert.equal((await closing)[0], reason);
        await link.closed;
      });
    });
  }

  it('a frame over maxPayload closes the WebSocket with 1009', async () => {
    await withEngine({ port: 0, maxPayload: 100 }, async (port) => {
      const link = await openRaw(`ws://127.0.0.1:${port}${PATH}?EIO=4&transport=websocket`);
      link.socket.send(`4${'z'.repeat(200)}`);
      assert.equal(await link.closed, 1009);
    });
  });

  it('upgrade by hand: probe, noop for the waiting poll, upgrade; polling is then refused; a second upgrade is refused', async () => {
    await withEngine({ port: 0 }, async (port, engine) => {
      const connected = waitFor<[EngineSocket]>(engine, 'connection');
      const sid = sidOf((await rawRequest(port, `${PATH}?EIO=4&transport=polling`)).body);
      const [session] = await connected;
      const waitingPoll = rawRequest(port, `${PATH}?EIO=4&transport=polling&sid=${sid}`);
      const link = await openRaw(`ws://127.0.0.1:${port}${PATH}?EIO=4&transport=websocket&sid=${sid}`);
      const rival = new WebSocket(`ws://127.0.0.1:${port}${PATH}?EIO=4&transport=websocket&sid=${sid}`);
      const rivalRefused = new Promise<void>((resolve) => rival.addEventListener('error', () => resolve()));
      link.socket.send('2probe');
      await until(() => link.received.includes('3probe'), 'the probe answer');
      assert.equal((await waitingPoll).body, '6', 'the waiting poll ends with a noop');
      await rivalRefused;
      const upgraded = waitFor(session, 'upgrade');
      link.socket.send('5');
      await upgraded;
      assert.equal(session.transport.name, 'websocket');
      session.send('after the upgrade');
      await until(() => link.received.includes('4after the upgrade'), 'a message on the new transport');
      const poll = await rawRequest(port, `${PATH}?EIO=4&transport=polling&sid=${sid}`);
      assert.equal(poll.status, 400);
      assert.deepEqual(JSON.parse(poll.body), { code: 3, message: 'Bad request' });
      link.socket.close();
    });
  });

  it('a WebSocket that never finishes its upgrade is closed after upgradeTimeout; the session stays on polling', async () => {
    await withEngine({ port: 0, upgradeTimeout: 200 }, async (port, engine) => {
      const connected = waitFor<[EngineSocket]>(engine, 'connection');
      const sid = sidOf((await rawRequest(port, `${PATH}?EIO=4&transport=polling`)).body);
      const [session] = await connected;
      const link = await openRaw(`ws://127.0.0.1:${port}${PATH}?EIO=4&transport=websocket&sid=${sid}`);
      await link.closed;
      assert.equal(session.readyState, 'open');
      assert.equal(session.transport.name, 'polling');
      assert.equal(session.canUpgrade, true, 'it may try again');
    });
  });
});
