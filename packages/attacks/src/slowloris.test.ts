/**
 * Slowloris: many connections that send a request a byte at a time (or a body that never ends)
 * to hold the server's sockets and buffers. The WebSocket upgrade is cut at `handshakeTimeout`
 * (here 2 s; 408 when an answer can still be written); on a `BaroServer` attached to an
 * `http.Server` with header/request timeouts, or listening by itself (`http.headersTimeout` and
 * `http.requestTimeout`, 10 s / 30 s by default), the SSE, long-polling and POST endpoints are cut
 * at those timeouts too (a slow body: 408). Meanwhile the server holds < +30 MiB and a bystander is
 * served. The request timeout counts the request's arrival only: SSE streams and long-polls outlive it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { measureAttack } from './support/attack.js';
import { sessionBystander, websocketBystander } from './support/bystander.js';
import { http, packetsIn } from './support/raw-http.js';
import { startTarget, type EchoTarget } from './support/target.js';
import { pause, waitFor } from './support/wait.js';

const TRICKLE_MS = 250;
// Past the timeout: Node checks it every `connectionsCheckingInterval` (up to 1 s), then 408s each
// socket, on a loaded 2-core machine. Unbounded, a slow head is held 60 s and a slow body 300 s.
const SLACK_MS = 4000;

interface Slow {
  socket: Socket;
  status: number | null;
  endedAt: number | null;
}

/** Opens `count` connections writing `head` then one more byte of `drip` every TRICKLE_MS until each ends (bounded). */
async function trickle(port: number, heads: string[], drip: string, maxMs: number): Promise<{ slow: Slow[]; started: number }> {
  const started = Date.now();
  const slow = heads.map((head) => {
    const entry: Slow = { socket: connect({ host: '127.0.0.1', port }), status: null, endedAt: null };
    entry.socket.on('error', () => {});
    entry.socket.on('data', (chunk: Buffer) => {
      entry.status ??= Number(/^HTTP\/1\.1 (\d{3})/.exec(chunk.toString('latin1', 0, 16))?.[1] ?? 0);
    });
    entry.socket.on('close', () => (entry.endedAt = Date.now()));
    entry.socket.write(head);
    return entry;
  });
  for (let i = 0; Date.now() - started < maxMs && slow.some((entry) => entry.endedAt === null); i++) {
    for (const entry of slow) if (entry.endedAt === null) entry.socket.write(drip[i % drip.length]);
    await pause(TRICKLE_MS);
  }
  return { slow, started };
}

function assertCut(name: string, { slow, started }: { slow: Slow[]; started: number }, withinMs: number, statuses: readonly (number | null)[]): void {
  const open = slow.filter((entry) => entry.endedAt === null).length;
  for (const entry of slow) entry.socket.destroy();
  assert.equal(open, 0, `${name}: ${open} of ${slow.length} slow requests still open after ${withinMs} ms`);
  const latest = Math.max(...slow.map((entry) => entry.endedAt! - started));
  assert.ok(latest <= withinMs, `${name}: the last slow request ended after ${latest} ms (bound ${withinMs} ms)`);
  const seen = new Set(slow.map((entry) => entry.status));
  for (const status of seen) assert.ok(statuses.includes(status), `${name}: answered ${status}`);
}

describe('slowloris on the WebSocket upgrade', () => {
  let target: EchoTarget;
  before(async () => {
    target = await startTarget('websocket-echo', { handshakeTimeout: 2000 });
  });
  after(() => target?.stop());

  test('300 upgrade requests sent a byte at a time are cut at the handshake timeout, < +30 MiB', { timeout: 60_000 }, async (t) => {
    const head = `GET / HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`;
    const result = await measureAttack(t, 'slowloris upgrade', target, { boundMiB: 30, bystander: () => websocketBystander(target.port) }, () =>
      trickle(target.port, Array.from({ length: 300 }, () => head), 'X-Slow: abcdefghijklmnopqrstuvwxyz\r\n', 2000 + SLACK_MS + 1000),
    );
    assertCut('slowloris upgrade', result, 2000 + SLACK_MS, [null, 0, 408]);
  });
});

// The same timeouts two ways: a `BaroServer` listening by itself (`http.headersTimeout` and
// `http.requestTimeout`; unset, Node's 60 s / 300 s held slow heads for a minute), and one attached
// to an app's `http.Server` that sets them.
const HTTP_SETUPS = [
  { name: 'listening by itself', options: { http: { headersTimeout: 2000, requestTimeout: 3000 } } },
  { name: "attached to an app's http.Server", options: { httpTimeouts: { headersTimeout: 2000, requestTimeout: 3000 } } },
];

for (const setup of HTTP_SETUPS) {
  describe(`slowloris on the HTTP transports, ${setup.name}`, () => {
    let target: EchoTarget;
    before(async () => {
      target = await startTarget('baro-echo', { sessionsPerAddress: 1000, ...setup.options });
    });
    after(() => target?.stop());

    test('slow heads on SSE and long-polling are cut at the header timeout, < +30 MiB', { timeout: 60_000 }, async (t) => {
      const heads = Array.from({ length: 300 }, (_, i) => `GET ${i % 2 ? '/baro/sse' : '/baro/poll?wait=1'} HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\n`);
      const result = await measureAttack(t, 'slowloris SSE/long-polling', target, { boundMiB: 30, bystander: () => sessionBystander(target.url, 'sse') }, () =>
        trickle(target.port, heads, 'X-Slow: abcdefghijklmnopqrstuvwxyz\r\n', 2000 + SLACK_MS + 1000),
      );
      assertCut('slowloris SSE/long-polling', result, 2000 + SLACK_MS, [null, 0, 408]);
    });

    test('POST bodies sent a byte at a time are answered 408 at the request timeout, < +30 MiB', { timeout: 60_000 }, async (t) => {
      const opened = await http(`${target.url}/baro/poll?wait=0`);
      const { sid, token } = packetsIn(opened.body).find((packet) => packet[0] === 'o')![1] as { sid: string; token: string };
      const head = `POST /baro/send?sid=${sid}&token=${token} HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\nContent-Type: application/x-ndjson\r\nContent-Length: 100000\r\n\r\n`;
      const result = await measureAttack(t, 'slowloris POST', target, { boundMiB: 30, bystander: () => sessionBystander(target.url, 'long-polling') }, () =>
        trickle(target.port, Array.from({ length: 200 }, () => head), ' ', 3000 + SLACK_MS + 1000),
      );
      assertCut('slowloris POST', result, 3000 + SLACK_MS, [408]);
    });
  });
}

describe('the request timeout of a BaroServer listening by itself', () => {
  const REQUEST_TIMEOUT_MS = 1500;
  const OUTLIVE_MS = REQUEST_TIMEOUT_MS + 2500; // past the timeout and Node's next check of it
  let target: EchoTarget;
  before(async () => {
    target = await startTarget('baro-echo', { http: { headersTimeout: 1000, requestTimeout: REQUEST_TIMEOUT_MS, pollTimeout: OUTLIVE_MS, keepAliveInterval: 250 } });
  });
  after(() => target?.stop());

  test('counts only the request: an SSE stream and a long-poll outlive it', { timeout: 30_000 }, async () => {
    const opened = await http(`${target.url}/baro/poll?wait=0`);
    const { sid, token } = packetsIn(opened.body).find((packet) => packet[0] === 'o')![1] as { sid: string; token: string };
    const started = Date.now();
    const longPoll = http(`${target.url}/baro/poll?wait=1&sid=${sid}&token=${token}&seq=0`, { timeoutMs: OUTLIVE_MS + 5000 });
    // The stream's keep-alive comments keep coming after the request timeout passed.
    let lastComment = 0;
    let ended = false;
    const stream = await new Promise<IncomingMessage>((resolve, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port: target.port, path: '/baro/sse', agent: false }, resolve);
      request.on('error', reject);
      request.end();
    });
    assert.equal(stream.statusCode, 200);
    stream.on('data', (chunk: Buffer) => chunk.includes(':') && (lastComment = Date.now()));
    stream.on('close', () => (ended = true));
    await waitFor(() => lastComment - started > OUTLIVE_MS || ended, OUTLIVE_MS + 5000, 'the SSE stream outlives the request timeout');
    assert.equal(ended, false, 'the SSE stream was cut');
    stream.destroy();
    const polled = await longPoll;
    assert.equal(polled.status, 200);
    assert.ok(Date.now() - started >= OUTLIVE_MS - 100, `the long-poll ended after ${Date.now() - started} ms, before its pollTimeout`);
  });
});
