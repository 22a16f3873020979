/**
 * BaroServer's admission over real sockets: session slots taken where they are checked (racing
 * requests in one TCP write), given back when a request goes no further, the resume rate, and the
 * authentication a resume carries into the fresh session it may fall back to.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { buildFrame } from '@baro/testing';
import { BaroServer } from '../baro-server.js';
import { coreOf } from '../session/session.js';
import { RawHttp } from '../transports/test-support/raw-http.js';
import { poll, PollingClient, SseStream, startServer } from '../transports/test-support/http-client.js';
import { RawClient, upgradeHead } from '../websocket/test-support/raw-client.js';
import { tryUpgrade } from '../websocket/test-support/scope.js';
import { until, withTimeout } from '../websocket/test-support/wait.js';

const T = { timeout: 15_000 };
const WS = { path: '/baro/ws', headers: { 'Sec-WebSocket-Protocol': 'baro.v1' } };

/** Statuses of every answer on a raw connection, once `count` have arrived. */
async function statuses(raw: RawHttp, count: number): Promise<number[]> {
  const found = () => [...raw.text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => Number(match[1]));
  await until(() => found().length >= count || raw.closed, 10_000, `${count} answers`);
  return found();
}

describe('session slots', () => {
  test('sessionsPerAddress: 5 — 300 polls pipelined in one TCP write open exactly 5 sessions; the rest get 429', T, async (t) => {
    const { server, port } = await startServer(t, { sessionsPerAddress: 5 });
    const raw = await RawHttp.connect(port, t);
    raw.write(`GET /baro/poll?wait=0 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`.repeat(300));
    const answered = await statuses(raw, 300);
    assert.equal(answered.length, 300);
    assert.equal(answered.filter((status) => status === 200).length, 5);
    assert.equal(answered.filter((status) => status === 429).length, 295);
    assert.equal(server.sessions.size, 5);
    assert.equal(server.stats().slots, 5);
    assert.equal(server.sessionsFrom('127.0.0.1'), 5);
  });

  test('the slot of a session that ends is free again: N sessions open, N+1 is refused until one ends', T, async (t) => {
    const { server, base } = await startServer(t, { sessionsPerAddress: 2 });
    const first = new PollingClient(base, 0);
    await first.open();
    await new PollingClient(base, 0).open();
    assert.equal((await poll(base, { wait: 0 })).status, 429);
    coreOf(server.sessions.get(first.sid)!).close(1000, 'done', null, { immediately: true });
    assert.equal(server.stats().slots, 1);
    assert.equal((await poll(base, { wait: 0 })).status, 200);
  });

  test('a client that leaves while authenticate runs gives its slot back (HTTP)', T, async (t) => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const { server, base } = await startServer(t, {
      sessionsPerAddress: 1,
      authenticate: async (request) => {
        if (request.url?.includes('slow=1')) await held;
        return true;
      },
    });
    const controller = new AbortController();
    const leaving = fetch(`${base}/poll?wait=0&slow=1`, { signal: controller.signal }).catch(() => 'aborted');
    await until(() => server.stats().slots === 0 && server.sessions.size === 0, 1000, 'the request to be waiting');
    controller.abort();
    assert.equal(await leaving, 'aborted');
    // The response is gone by the time the admission resumes; give the close event a moment to land.
    await new Promise<void>((resolve) => setImmediate(resolve));
    release();
    const next = await poll(base, { wait: 0 });
    assert.equal(next.status, 200, next.text);
    assert.equal(server.stats().slots, 1);
  });

  test('a WebSocket handshake that times out while authenticate runs gives its slot back', T, async (t) => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const { server, port } = await startServer(t, {
      sessionsPerAddress: 1,
      websocket: { handshakeTimeout: 200 },
      authenticate: async () => {
        if (++calls === 1) await held;
        return true;
      },
    });
    assert.equal((await tryUpgrade(port, WS)).status, 408);
    release();
    await until(() => calls === 1 && server.stats().slots === 0, 1000, 'the admission to finish');
    assert.equal((await tryUpgrade(port, WS)).status, 101, 'the slot was given back');
  });
});

describe('resumes', () => {
  test('a resume past the server\'s last seq opens a fresh session with the authentication of its request', T, async (t) => {
    const { server, base } = await startServer(t, {
      authenticate: (request) => ({ ok: true, context: { user: new URL(request.url ?? '/', 'http://x').searchParams.get('user') } }),
    });
    const first = await poll(base, { wait: 0, user: 'ana' });
    const [, info] = first.packets[0];
    const resumed = await poll(base, { wait: 0, user: 'ana', sid: info.sid, token: info.token, seq: 999 });
    assert.equal(resumed.status, 200);
    const [, fresh] = resumed.packets[0];
    assert.notEqual(fresh.sid, info.sid);
    assert.equal(fresh.resumed, false);
    assert.deepEqual(server.sessions.get(fresh.sid)?.data.auth, { user: 'ana' });
    assert.equal(server.sessions.has(info.sid), false, 'the old session ended');
    assert.equal(server.stats().slots, 1);
  });

  test('resumes that replay are limited per session: resumeBurst pass, the next gets 429 with Retry-After, on HTTP and on the WebSocket upgrade', T, async (t) => {
    const { server, base, port } = await startServer(t, { limits: { resumeBurst: 3, resumesPerMinute: 6 } });
    const client = new PollingClient(base, 0);
    await client.open();
    const session = [...server.sessions.values()][0];
    // Nothing to replay after the client's seq: free, however often.
    for (let i = 0; i < 5; i++) assert.equal((await client.poll()).status, 200);
    session.emit('news', 'x'.repeat(1000));
    await client.poll();
    assert.equal(client.events('news').length, 1);
    // The client says it has not seen it (seq 0, not a receipt): each of these replays it.
    for (let i = 0; i < 3; i++) {
      const again = await client.poll({ seq: 0 });
      assert.equal(again.status, 200);
      assert.ok(again.packets.some((packet) => packet[0] === 'e' && packet[2] === 'news'), 'the replay');
    }
    const refused = await client.poll({ seq: 0 });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '10');
    assert.match(refused.text, /too many resumes/);
    const upgrade = await tryUpgrade(port, { ...WS, path: `/baro/ws?sid=${client.sid}&token=${client.token}&seq=0` });
    assert.equal(upgrade.status, 429);
    assert.equal(upgrade.headers['retry-after'], '10');
    assert.equal(session.ended, false, 'the session itself goes on');
    assert.equal((await client.poll()).status, 200);
  });
  /** A BaroServer on its own HTTP server, recording every socket, with room for a big backlog. */
  async function recordingServer(t: { after: (fn: () => Promise<void>) => void }) {
    const httpServer = createServer();
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    const sockets: Duplex[] = [];
    httpServer.on('connection', (socket: Duplex) => sockets.push(socket));
    const server = new BaroServer({ server: httpServer, websocket: { highWaterMark: 16 * 1024 }, limits: { maxQueuedBytes: 64 << 20, replayBytes: 64 << 20 } });
    server.on('error', () => {});
    t.after(async () => {
      await server.close({ timeout: 200 });
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    });
    return { server, sockets, port: (httpServer.address() as AddressInfo).port };
  }

  /** Emits 64 KB events until the session holds more than `bytes` for its client. */
  async function fillBacklog(session: { emit(event: string, data: unknown): boolean; queuedBytes: number }, bytes: number): Promise<void> {
    for (let i = 0; i < 1000 && session.queuedBytes <= bytes; i++) {
      session.emit('bulk', 'x'.repeat(64 * 1024));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    assert.ok(session.queuedBytes > bytes, 'the first connection holds a backlog');
  }

  test('a WebSocket resume drops the backlog of the connection it replaces at once, rather than after its close handshake times out', T, async (t) => {
    const { server, sockets, port } = await recordingServer(t);
    const first = await RawClient.connect(port);
    t.after(() => first.socket.destroy());
    await first.handshake(WS);
    const [, info] = JSON.parse((await first.nextFrame()).payload.toString('utf8')) as [string, { sid: string; token: string }];
    first.socket.pause();
    const session = server.sessions.get(info.sid)!;
    await fillBacklog(coreOf(session), 256 * 1024);
    const second = await RawClient.connect(port);
    t.after(() => second.socket.destroy());
    await second.handshake({ ...WS, path: `/baro/ws?sid=${info.sid}&token=${info.token}&seq=0` });
    await until(() => sockets[0].destroyed, 2000, 'the replaced connection to be dropped');
    assert.equal(session.transport, 'websocket');
    assert.equal(sockets[1].destroyed, false);
  });

  test('an SSE resume drops the backlog of the stream it replaces', T, async (t) => {
    const { server, sockets, port } = await recordingServer(t);
    const first = await RawHttp.connect(port, t);
    first.write(`GET /baro/sse HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    await until(() => /data: \["o",.*\]\n/.test(first.text), 3000, 'the open packet');
    const [, info] = JSON.parse(/data: (\["o",.*\])\n/.exec(first.text)![1]) as [string, { sid: string; token: string }];
    first.socket.pause();
    const session = server.sessions.get(info.sid)!;
    await fillBacklog(coreOf(session), 1.5 * 1024 * 1024);
    const second = await SseStream.open(`http://127.0.0.1:${port}/baro/sse?sid=${info.sid}&token=${info.token}&seq=0`, {}, t);
    await second.packet('o');
    await until(() => sockets[0].destroyed, 2000, 'the replaced stream to be dropped');
    assert.equal(session.transport, 'sse');
  });
});

describe('what a flood leaves on the server', () => {
  test('12,000 events with acks in one write, over the rate limit: the replay holds at most burst answers and burst refusals', T, async (t) => {
    const limits = { eventsPerSecond: 200, eventBurst: 400 };
    const { server, port } = await startServer(t, { limits });
    server.on('connection', (session) => session.on('spam', (_data: unknown, ack?: (response: unknown) => void) => ack?.(true)));
    const client = await RawClient.connect(port);
    t.after(() => client.socket.destroy());
    await client.handshake(WS);
    await client.nextFrame();
    const started = Date.now();
    const frames = Array.from({ length: 12_000 }, (_, i) => buildFrame({ opcode: 1, payload: `["e",${i + 1},"spam",${i},${i + 1}]`, mask: true }));
    client.write(Buffer.concat(frames));
    const session = [...server.sessions.values()][0];
    await until(() => coreOf(session).cseq === 12_000, 10_000, 'the server to process every event');
    const seconds = (Date.now() - started) / 1000;
    const bound = 2 * Math.ceil(limits.eventBurst + limits.eventsPerSecond * seconds);
    const stats = server.stats();
    assert.ok(stats.replayPackets <= bound, `${stats.replayPackets} packets kept, at most ${bound} expected`);
    assert.ok(stats.replayPackets >= 2 * limits.eventBurst, `${stats.replayPackets}`);
    assert.ok(stats.replayBytes <= bound * 300, `${stats.replayBytes} bytes kept`);
  });

  test('a client that reads but never receipts is closed with 4001 once its replay is full; what was held is freed', T, async (t) => {
    const replayBytes = 64 * 1024;
    const { server, port } = await startServer(t, { limits: { replayBytes } });
    const client = await RawClient.connect(port);
    t.after(() => client.socket.destroy());
    await client.handshake(WS);
    await client.nextFrame();
    const session = [...server.sessions.values()][0];
    let peak = 0;
    let emitted = 0;
    for (let i = 0; i < 1000 && !session.ended; i++) {
      session.emit('news', '뉴스'.repeat(200));
      emitted++;
      await new Promise<void>((resolve) => setImmediate(resolve));
      peak = Math.max(peak, server.stats().replayBytes);
    }
    assert.equal(session.ended, true);
    assert.ok(peak <= replayBytes, `peak ${peak}`);
    assert.ok(peak > replayBytes - 2000, `peak ${peak}: the cap was reached`);
    assert.ok(emitted < 60, `${emitted} events of ~1.4 KB fill 64 KiB`);
    let close: unknown[] | undefined;
    await withTimeout(
      (async () => {
        for (let i = 0; i < 200 && close === undefined; i++) {
          const frame = await client.nextFrame();
          const packet = frame.opcode === 1 ? (JSON.parse(frame.payload.toString('utf8')) as unknown[]) : [];
          if (packet[0] === 'c') close = packet;
        }
      })(),
      5000,
      'the close packet',
    );
    assert.deepEqual(close, ['c', 4001, 'replay buffer full', 1000]);
    assert.deepEqual(server.stats(), { sessions: 0, slots: 0, replayPackets: 0, replayBytes: 0, queuedBytes: 0, historyEntries: 0, historyBytes: 0 });
  });
});
