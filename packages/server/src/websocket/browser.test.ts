/**
 * Chromium's own WebSocket against baro's WebSocketServer: the page and the socket come from one
 * `http.createServer()` on 127.0.0.1, the page drives its sockets through a small kit (`pageKit`)
 * and every payload is checked by SHA-256 on both sides. Everything runs once with
 * permessage-deflate enabled on the server (Chromium always offers it) and once without.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { launchChromium, servePage, type PageServer } from '@baro/testing';
import type { Browser, Page } from 'playwright-core';
import { DEFAULT_LIMITS, ReadyState, WebSocketServer, type WebSocketConnection } from '../index.js';

const KiB = 1024;
const MiB = 1024 * KiB;
/** Frame length boundaries: 7-bit up to 125, 16-bit from 126, 64-bit from 65536; and a big one. */
const SIZES = [0, 125, 126, 65_535, 65_536, MiB];
/** How long the page (or the server) waits for any one thing before failing. */
const WAIT_MS = 10_000;
/** Bound on each `page.evaluate` seen from Node, above WAIT_MS so the page's own error wins. */
const EVALUATE_MS = 20_000;
const TEST_TIMEOUT = 30_000;

type Kind = 'text' | 'binary';
interface MessageSpec {
  kind: Kind;
  size: number;
  /** 0 gives a highly compressible "abcd…" run; anything else pseudo-random content. */
  seed: number;
}
/** What a side received, reduced to what both sides can compute. */
interface Received {
  kind: Kind;
  bytes: number;
  sha256: string;
  /** The text itself, for short text messages. */
  text?: string;
}
interface CloseInfo {
  code: number;
  reason: string;
  wasClean: boolean;
}

// ---------------------------------------------------------------------------------------------
// Shared by Node and the page: the page gets these functions' source text, so they must not
// refer to anything outside themselves (only `patternBytes` and `patternText` by name).

/** Deterministic payload bytes (xorshift32), or "abcd" repeated when `seed` is 0. */
function patternBytes(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  if (seed === 0) {
    for (let i = 0; i < size; i++) out[i] = 97 + (i % 4);
    return out;
  }
  let x = Math.imul(seed, 0x9e3779b1) >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** Deterministic ASCII text of exactly `size` bytes. */
function patternText(size: number, seed: number): string {
  const bytes = patternBytes(size, seed);
  const parts: string[] = [];
  for (let start = 0; start < size; start += 8192) {
    const codes: number[] = [];
    for (let i = start; i < Math.min(size, start + 8192); i++) codes.push(seed === 0 ? bytes[i] : 32 + (bytes[i] % 95));
    parts.push(String.fromCharCode(...codes));
  }
  return parts.join('');
}

/** The subset of the browser's WebSocket the kit uses (this package compiles without DOM types). */
interface PageWebSocket {
  binaryType: string;
  readonly protocol: string;
  readonly extensions: string;
  readonly readyState: number;
  onopen: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: CloseInfo) => void) | null;
  onerror: (() => void) | null;
  send(data: string | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
}

/** What the page offers to `page.evaluate` callbacks as the global `pageKit`. Sockets are named by the test. */
interface PageKit {
  open(id: string, path: string, protocols?: string[]): Promise<{ protocol: string; extensions: string }>;
  send(id: string, spec: MessageSpec): void;
  sendText(id: string, text: string): void;
  next(id: string): Promise<Received>;
  /** Sends each message and awaits its echo (or sends all first when `pipelined`); returns what came back. */
  echo(id: string, specs: MessageSpec[], pipelined: boolean): Promise<Received[]>;
  close(id: string, code?: number, reason?: string): void;
  closed(id: string): Promise<CloseInfo>;
  /** Closes every socket still open and forgets them all. */
  closeAll(): Promise<void>;
}

/** Runs in the page: defines `pageKit`. */
function installPageKit(waitMs: number): void {
  const page = globalThis as unknown as {
    WebSocket: new (url: string, protocols?: string[]) => PageWebSocket;
    location: { host: string };
    crypto: { subtle: { digest(algorithm: string, data: Uint8Array): Promise<ArrayBuffer> } };
    pageKit: PageKit;
  };
  interface Entry {
    ws: PageWebSocket;
    inbox: unknown[];
    waiter: ((data: unknown) => void) | null;
    closed: Promise<CloseInfo>;
  }
  const sockets = new Map<string, Entry>();

  function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`page: ${what}: nothing within ${waitMs} ms`)), waitMs);
      promise.then(
        (value) => (clearTimeout(timer), resolve(value)),
        (error: unknown) => (clearTimeout(timer), reject(error)),
      );
    });
  }
  function entry(id: string): Entry {
    const found = sockets.get(id);
    if (!found) throw new Error(`page: no socket ${id}`);
    return found;
  }
  async function summarize(data: unknown): Promise<Received> {
    const isText = typeof data === 'string';
    if (!isText && !(data instanceof ArrayBuffer)) throw new Error(`page: unexpected message type ${Object.prototype.toString.call(data)}`);
    const bytes = isText ? new TextEncoder().encode(data) : new Uint8Array(data);
    const digest = new Uint8Array(await page.crypto.subtle.digest('SHA-256', bytes));
    const sha256 = Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
    const received: Received = { kind: isText ? 'text' : 'binary', bytes: bytes.length, sha256 };
    if (isText && data.length <= 200) received.text = data;
    return received;
  }

  const kit: PageKit = {
    open(id, path, protocols) {
      if (sockets.has(id)) throw new Error(`page: socket ${id} exists`);
      const ws = protocols ? new page.WebSocket(`ws://${page.location.host}${path}`, protocols) : new page.WebSocket(`ws://${page.location.host}${path}`);
      ws.binaryType = 'arraybuffer';
      const item: Entry = { ws, inbox: [], waiter: null, closed: null as unknown as Promise<CloseInfo> };
      ws.onmessage = (event) => {
        if (item.waiter) {
          const waiter = item.waiter;
          item.waiter = null;
          waiter(event.data);
        } else item.inbox.push(event.data);
      };
      const opened = new Promise<{ protocol: string; extensions: string }>((resolve, reject) => {
        ws.onopen = () => resolve({ protocol: ws.protocol, extensions: ws.extensions });
        item.closed = new Promise<CloseInfo>((resolveClose) => {
          ws.onclose = (event) => {
            const info = { code: event.code, reason: event.reason, wasClean: event.wasClean };
            reject(new Error(`page: ${path} closed before opening: ${JSON.stringify(info)}`));
            resolveClose(info);
          };
        });
      });
      sockets.set(id, item);
      return bounded(opened, `open ${path}`);
    },
    send(id, spec) {
      const { ws } = entry(id);
      if (spec.kind === 'text') ws.send(patternText(spec.size, spec.seed));
      else ws.send(patternBytes(spec.size, spec.seed).buffer as ArrayBuffer);
    },
    sendText(id, text) {
      entry(id).ws.send(text);
    },
    async next(id) {
      const item = entry(id);
      const data = item.inbox.length > 0
        ? item.inbox.shift()
        : await bounded(new Promise<unknown>((resolve) => (item.waiter = resolve)), `message on ${id}`);
      return summarize(data);
    },
    async echo(id, specs, pipelined) {
      const results: Received[] = [];
      if (pipelined) {
        for (const spec of specs) kit.send(id, spec);
        for (let i = 0; i < specs.length; i++) results.push(await kit.next(id));
      } else {
        for (const spec of specs) {
          kit.send(id, spec);
          results.push(await kit.next(id));
        }
      }
      return results;
    },
    close(id, code, reason) {
      entry(id).ws.close(code, reason);
    },
    closed(id) {
      return bounded(entry(id).closed, `close of ${id}`);
    },
    async closeAll() {
      const all = [...sockets.values()];
      sockets.clear();
      for (const { ws } of all) if (ws.readyState < 2) ws.close(1000);
      await Promise.all(all.map((item) => bounded(item.closed, 'closeAll')));
    },
  };
  page.pageKit = kit;
}

/** The global the page kit defines; use it only inside `page.evaluate` callbacks. */
declare const pageKit: PageKit;

const PAGE_HTML = `<!doctype html>
<meta charset="utf-8">
<title>baro browser test</title>
<script>
${patternBytes.toString()}
${patternText.toString()}
(${installPageKit.toString()})(${WAIT_MS});
</script>
`;

// ---------------------------------------------------------------------------------------------
// Node side

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function payloadOf(spec: MessageSpec): Buffer {
  return spec.kind === 'text' ? Buffer.from(patternText(spec.size, spec.seed), 'utf8') : Buffer.from(patternBytes(spec.size, spec.seed));
}

function expected(spec: MessageSpec): Received {
  return { kind: spec.kind, bytes: spec.size, sha256: sha256(payloadOf(spec)) };
}

/** Drops the short `text` copy, to compare with `expected`. */
function digestOnly({ kind, bytes, sha256: digest }: Received): Received {
  return { kind, bytes, sha256: digest };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A server-side connection and what the test observed on it. */
interface Peer {
  readonly socket: WebSocketConnection;
  readonly request: IncomingMessage;
  readonly path: string;
  readonly received: Received[];
  readonly closed: Promise<{ code: number; reason: string }>;
}

interface Fixture {
  readonly site: PageServer;
  readonly wss: WebSocketServer;
  readonly errors: Error[];
  /** The next connection the server accepted, in order of arrival. */
  nextPeer(): Promise<Peer>;
  close(): Promise<void>;
}

/**
 * The page and the WebSocket server on one HTTP server. Connections to `/echo` echo every message
 * with its type; connections to anything else only record what arrives.
 */
async function startFixture(perMessageDeflate: boolean): Promise<Fixture> {
  const site = await servePage(PAGE_HTML);
  const wss = new WebSocketServer({ server: site.server, perMessageDeflate, protocols: ['chat.v2', 'chat.v1'] });
  const errors: Error[] = [];
  const arrived: Peer[] = [];
  let waiting: ((peer: Peer) => void) | null = null;
  wss.on('error', (error) => errors.push(error));
  wss.on('connection', (socket, request) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const received: Received[] = [];
    const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason })));
    socket.on('error', (error) => errors.push(error));
    socket.on('message', (data, isBinary) => {
      const entry: Received = { kind: isBinary ? 'binary' : 'text', bytes: data.length, sha256: sha256(data) };
      if (!isBinary && data.length <= 200) entry.text = data.toString('utf8');
      received.push(entry);
      if (path === '/echo') socket.send(data, { binary: isBinary });
    });
    const peer: Peer = { socket, request, path, received, closed };
    if (waiting) {
      const resolve = waiting;
      waiting = null;
      resolve(peer);
    } else arrived.push(peer);
  });
  return {
    site,
    wss,
    errors,
    nextPeer() {
      const ready = arrived.shift();
      if (ready) return Promise.resolve(ready);
      return within(new Promise<Peer>((resolve) => (waiting = resolve)), WAIT_MS, 'server: connection').catch((error: unknown) => {
        waiting = null;
        throw error;
      });
    },
    async close() {
      await within(wss.close({ timeout: 2_000 }), 5_000, 'wss.close');
      await within(site.close(), 5_000, 'http close');
    },
  };
}

async function openPage(browser: Browser, site: PageServer, pageErrors: string[]): Promise<Page> {
  const page = await browser.newPage();
  page.setDefaultTimeout(WAIT_MS);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(site.url);
  return page;
}

/** `page.evaluate`, bounded: a page that stops answering fails the test instead of hanging it. */
function inPage<R, A>(page: Page, what: string, fn: (arg: A) => R | Promise<R>, arg: A): Promise<R> {
  // Arguments here are plain data, for which playwright's `Unboxed<A>` is `A`; the cast says so.
  return within(page.evaluate<R, A>(fn as never, arg), EVALUATE_MS, `page.evaluate(${what})`);
}

async function untilNoClients(wss: WebSocketServer): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (wss.clients.size > 0) {
    if (Date.now() > deadline) throw new Error(`server still has ${wss.clients.size} clients`);
    await sleep(10);
  }
}

let browser: Browser;
before(async () => {
  browser = await launchChromium();
}, { timeout: 60_000 });
after(async () => {
  await browser?.close();
}, { timeout: 30_000 });

for (const deflate of [false, true]) {
  describe(`Chromium WebSocket ↔ WebSocketServer (perMessageDeflate: ${deflate})`, { timeout: 5 * 60_000 }, () => {
    let fixture: Fixture;
    let page: Page;
    const pageErrors: string[] = [];

    before(async () => {
      fixture = await startFixture(deflate);
      page = await openPage(browser, fixture.site, pageErrors);
    }, { timeout: 30_000 });

    afterEach(async () => {
      await inPage(page, 'closeAll', () => pageKit.closeAll(), undefined);
      await untilNoClients(fixture.wss);
      assert.deepEqual(fixture.errors.splice(0).map(String), [], 'server errors');
      assert.deepEqual(pageErrors.splice(0), [], 'page errors');
    }, { timeout: 30_000 });

    after(async () => {
      await page?.close();
      await fixture?.close();
    }, { timeout: 30_000 });

    test(deflate ? 'negotiates permessage-deflate, and the page sees the agreed extension' : 'negotiates no extension', { timeout: TEST_TIMEOUT }, async () => {
      const [opened, peer] = await Promise.all([inPage(page, 'open', () => pageKit.open('a', '/echo'), undefined), fixture.nextPeer()]);
      assert.equal(opened.extensions, peer.socket.extensions, 'page and server agree on the extensions');
      assert.match(peer.request.headers['sec-websocket-extensions'] ?? '', /permessage-deflate/, 'Chromium offers permessage-deflate');
      if (deflate) assert.match(opened.extensions, /^permessage-deflate(;|$)/);
      else assert.equal(opened.extensions, '');
      assert.equal(opened.protocol, '', 'no subprotocol offered, none chosen');
    });

    for (const kind of ['text', 'binary'] as const) {
      test(`echoes ${kind} messages of ${SIZES.join(', ')} bytes both ways, content intact`, { timeout: TEST_TIMEOUT }, async () => {
        const specs: MessageSpec[] = SIZES.map((size, i) => ({ kind, size, seed: 1 + i }));
        const [, peer] = await Promise.all([inPage(page, 'open', () => pageKit.open('a', '/echo'), undefined), fixture.nextPeer()]);
        const echoed = await inPage(page, 'echo', (s) => pageKit.echo('a', s, false), specs);
        assert.deepEqual(peer.received.map(digestOnly), specs.map(expected), 'what the server received');
        assert.deepEqual(echoed.map(digestOnly), specs.map(expected), 'what the page got back');
      });
    }

    test('keeps order and content for a pipelined burst of mixed messages', { timeout: TEST_TIMEOUT }, async () => {
      const sizes = [0, 1, 125, 126, 1023, 1024, 65_536, 200_000, 3, 70_000];
      const specs: MessageSpec[] = Array.from({ length: 40 }, (_, i) => ({ kind: i % 3 === 0 ? 'binary' : 'text', size: sizes[i % sizes.length], seed: i % 5 === 4 ? 0 : 100 + i }));
      const [, peer] = await Promise.all([inPage(page, 'open', () => pageKit.open('a', '/echo'), undefined), fixture.nextPeer()]);
      const echoed = await inPage(page, 'burst', (s) => pageKit.echo('a', s, true), specs);
      assert.deepEqual(peer.received.map(digestOnly), specs.map(expected), 'what the server received');
      assert.deepEqual(echoed.map(digestOnly), specs.map(expected), 'what the page got back');
    });

    test('carries multi-byte UTF-8 text unchanged both ways', { timeout: TEST_TIMEOUT }, async () => {
      const text = 'héllo wörld — 你好 — 🎉 — \u0000 — \uFFFD';
      const [, peer] = await Promise.all([inPage(page, 'open', () => pageKit.open('a', '/echo'), undefined), fixture.nextPeer()]);
      const back = await inPage(page, 'utf8', async (t) => {
        pageKit.sendText('a', t);
        return pageKit.next('a');
      }, text);
      assert.equal(peer.received[0]?.text, text, 'server decoded the same text');
      assert.equal(peer.received[0]?.bytes, Buffer.byteLength(text));
      assert.equal(back.text, text, 'page got the same text back');
    });

    test(deflate ? 'compressible 1 MiB crosses the wire compressed both ways' : 'compressible 1 MiB crosses the wire as is', { timeout: TEST_TIMEOUT }, async () => {
      const spec: MessageSpec = { kind: 'text', size: MiB, seed: 0 };
      const [, peer] = await Promise.all([inPage(page, 'open', () => pageKit.open('a', '/echo'), undefined), fixture.nextPeer()]);
      const socket = peer.request.socket;
      const readBefore = socket.bytesRead;
      const writtenBefore = socket.bytesWritten;
      const [back] = await inPage(page, 'echo', (s) => pageKit.echo('a', [s], false), spec);
      const read = socket.bytesRead - readBefore;
      const written = socket.bytesWritten - writtenBefore;
      assert.deepEqual(digestOnly(back), expected(spec));
      assert.deepEqual(peer.received.map(digestOnly), [expected(spec)]);
      if (deflate) {
        assert.ok(read < 64 * KiB, `page → server: ${read} wire bytes for 1 MiB`);
        assert.ok(written < 64 * KiB, `server → page: ${written} wire bytes for 1 MiB`);
      } else {
        // Frame headers only (Chromium sends a big message as several fragments).
        assert.ok(read > MiB && read < MiB + KiB, `page → server: ${read} wire bytes for 1 MiB`);
        assert.ok(written > MiB && written < MiB + KiB, `server → page: ${written} wire bytes for 1 MiB`);
      }
    });

    test("picks the server's preferred subprotocol among the page's offers", { timeout: TEST_TIMEOUT }, async () => {
      const [opened, peer] = await Promise.all([inPage(page, 'open', () => pageKit.open('a', '/quiet', ['chat.v1', 'chat.v2']), undefined), fixture.nextPeer()]);
      assert.equal(peer.request.headers['sec-websocket-protocol'], 'chat.v1, chat.v2');
      assert.equal(opened.protocol, 'chat.v2');
      assert.equal(peer.socket.protocol, 'chat.v2');
      const [onlyV1, peerV1] = await Promise.all([inPage(page, 'open', () => pageKit.open('b', '/quiet', ['chat.v1']), undefined), fixture.nextPeer()]);
      assert.equal(onlyV1.protocol, 'chat.v1');
      assert.equal(peerV1.socket.protocol, 'chat.v1');
    });

    test('a server close with 4000 and a reason reaches the page as a clean close, every time', { timeout: TEST_TIMEOUT }, async () => {
      // Repeated because what can go wrong here is timing: the server must wait for the page's
      // answering close frame (up to closeTimeout, 10 s by default) before it drops the TCP connection.
      const reason = 'restarting — reconnect ✓';
      for (let round = 0; round < 20; round++) {
        const id = `s${round}`;
        const [, peer] = await Promise.all([inPage(page, 'open', (i) => pageKit.open(i, '/quiet'), id), fixture.nextPeer()]);
        peer.socket.close(4000, reason);
        const seen = await inPage(page, 'closed', (i) => pageKit.closed(i), id);
        const serverSide = await within(peer.closed, WAIT_MS, 'server close event');
        assert.deepEqual(
          { page: seen, server: serverSide.code },
          { page: { code: 4000, reason, wasClean: true }, server: 4000 },
          `round ${round}: the page sees a clean 4000 with the reason; the server gets the echoed 4000`,
        );
      }
    });

    test("a page close with 3001 reaches the server's close event", { timeout: TEST_TIMEOUT }, async () => {
      const reason = 'bye from the page';
      const [, peer] = await Promise.all([inPage(page, 'open', () => pageKit.open('a', '/quiet'), undefined), fixture.nextPeer()]);
      await inPage(page, 'close', (r) => pageKit.close('a', 3001, r), reason);
      assert.deepEqual(await within(peer.closed, WAIT_MS, 'server close event'), { code: 3001, reason });
      // The page's reason is the one in the server's answering close frame, which need not repeat it.
      const seen = await inPage(page, 'closed', () => pageKit.closed('a'), undefined);
      assert.deepEqual({ code: seen.code, wasClean: seen.wasClean }, { code: 3001, wasClean: true });
    });

    test('answers a server ping with a pong carrying the same payload', { timeout: TEST_TIMEOUT }, async () => {
      const [, peer] = await Promise.all([inPage(page, 'open', () => pageKit.open('a', '/quiet'), undefined), fixture.nextPeer()]);
      const pong = new Promise<Buffer>((resolve) => peer.socket.once('pong', resolve));
      assert.equal(peer.socket.ping('are you there?'), true);
      assert.equal((await within(pong, WAIT_MS, 'pong')).toString(), 'are you there?');
    });

    test('a 12 MiB message to the page reports backpressure, drains, and arrives intact', { timeout: TEST_TIMEOUT }, async () => {
      // Under the default limits: above highWaterMark (1 MiB), below maxBufferedBytes (16 MiB).
      const spec: MessageSpec = { kind: 'binary', size: 12 * MiB, seed: 12 };
      const [, peer] = await Promise.all([inPage(page, 'open', () => pageKit.open('a', '/quiet'), undefined), fixture.nextPeer()]);
      const drained = new Promise<void>((resolve) => peer.socket.once('drain', () => resolve()));
      const accepted = peer.socket.send(payloadOf(spec));
      const buffered = peer.socket.bufferedAmount;
      const got = await inPage(page, 'next', () => pageKit.next('a'), undefined);
      assert.deepEqual(digestOnly(got), expected(spec), 'the page got the message intact');
      assert.equal(accepted, false, `send() must report backpressure with ${buffered} bytes buffered (default highWaterMark ${DEFAULT_LIMITS.highWaterMark})`);
      await within(drained, WAIT_MS, "'drain'");
      assert.equal(peer.socket.readyState, ReadyState.OPEN, 'still open: below maxBufferedBytes');
    });

    test('a broadcast reaches three pages, text and binary', { timeout: TEST_TIMEOUT }, async () => {
      const others = [await openPage(browser, fixture.site, pageErrors), await openPage(browser, fixture.site, pageErrors)];
      const pages = [page, ...others];
      try {
        await Promise.all(pages.map((p, i) => inPage(p, 'open', (id) => pageKit.open(id, '/quiet').then(() => undefined), `b${i}`)));
        for (let i = 0; i < pages.length; i++) await fixture.nextPeer();
        const specs: MessageSpec[] = [
          { kind: 'text', size: 5, seed: 7 },
          { kind: 'binary', size: 65_536, seed: 8 },
          { kind: 'text', size: 300 * KiB, seed: 0 },
        ];
        for (const spec of specs) assert.equal(fixture.wss.broadcast(payloadOf(spec), { binary: spec.kind === 'binary' }), 3, 'queued for 3 clients');
        const got = await Promise.all(pages.map((p, i) => inPage(p, 'receive', async ({ id, count }) => {
          const out: Received[] = [];
          for (let n = 0; n < count; n++) out.push(await pageKit.next(id));
          return out;
        }, { id: `b${i}`, count: specs.length })));
        for (const received of got) assert.deepEqual(received.map(digestOnly), specs.map(expected));
        await Promise.all(others.map((p) => inPage(p, 'closeAll', () => pageKit.closeAll(), undefined)));
      } finally {
        await Promise.all(others.map((p) => p.close()));
      }
    });
  });
}
