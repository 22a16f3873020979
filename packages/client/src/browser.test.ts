/**
 * The client in Chromium against the real BaroServer: the page imports the compiled ES modules
 * (dist/, with an import map for @baro/protocol) and uses the browser's own WebSocket and fetch
 * streaming. Every transport alone, then the default order against a server without WebSocket.
 * Skipped when no Chromium is installed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { BaroServer, type Session } from 'baro';
import { findChromium, launchChromium, servePage, type PageServer } from '@baro/testing';
import type { Browser, Page } from 'playwright-core';
import type { TransportName } from '@baro/protocol';

const TEST_TIMEOUT = 30_000;
const ROOTS: Record<string, string> = {
  client: fileURLToPath(new URL('.', import.meta.url)),
  protocol: fileURLToPath(new URL('../../protocol/dist/', import.meta.url)),
};

const PAGE = `<!doctype html>
<meta charset="utf-8">
<script type="importmap">{ "imports": { "@baro/protocol": "/protocol/index.js" } }</script>
<script type="module">
  import * as baro from '/client/index.js';
  window.baro = baro;
  window.baroReady = true;
</script>`;

/** Serves the page and the compiled modules; BaroServer takes its own paths first. */
async function serve(): Promise<PageServer> {
  return servePage(PAGE, {
    fallback: (request, response) => {
      const { pathname } = new URL(request.url ?? '/', 'http://x');
      const [, root, ...rest] = pathname.split('/');
      const base = ROOTS[root];
      if (!base || rest.some((part) => part === '..' || part === '') || !pathname.endsWith('.js')) {
        response.writeHead(404).end();
        return;
      }
      readFile(base + rest.join('/')).then(
        (body) => response.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store' }).end(body),
        () => response.writeHead(404).end(),
      );
    },
  });
}

interface PageResult {
  transport: string;
  echoed: { bytes: number[]; text: string };
  news: string;
  answer: unknown;
  blob: number[];
}

/** Runs in the page: one client on `transports`, a round of every kind of exchange, then close. */
async function exchange(page: Page, transports: TransportName[] | null): Promise<PageResult> {
  return page.evaluate(async (transports) => {
    type Client = {
      onState(listener: (event: { type: string; transport?: string }) => void): () => void;
      on(name: string, handler: (data: unknown, ack: (reply: unknown) => void) => void): void;
      emit(name: string, data: unknown): boolean;
      emitWithAck(name: string, data: unknown): Promise<unknown>;
      close(): void;
    };
    const { connect } = (window as unknown as { baro: { connect(url: string, options: object): Client } }).baro;
    const within = <T,>(promise: Promise<T>, what: string) =>
      Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`page: timed out waiting for ${what}`)), 8000))]);
    const client = connect(location.origin, { ...(transports ? { transports } : {}), pollInterval: 50, openTimeout: 3000 });
    try {
      const opened = await within(
        new Promise<{ transport?: string }>((resolve) => client.onState((event) => event.type === 'open' && resolve(event))),
        'open',
      );
      client.on('confirm', (question, ack) => ack({ yes: question === 'ok?' }));
      const blob = new Promise<number[]>((resolve) => client.on('blob', (data) => resolve([...(data as { bytes: Uint8Array }).bytes])));
      const news = new Promise<string>((resolve) => client.on('news', (text) => resolve(text as string)));
      const echoed = (await within(client.emitWithAck('echo', { bytes: new Uint8Array([0, 1, 254, 255]), text: 'héllo ✓' }), 'echo')) as { bytes: Uint8Array; text: string };
      client.emit('hello', 'chromium');
      return {
        transport: opened.transport ?? '',
        echoed: { bytes: [...echoed.bytes], text: echoed.text },
        news: await within(news, 'news'),
        answer: await within(client.emitWithAck('ask-me', null), 'the server asking back'),
        blob: await within(blob, 'blob'),
      };
    } finally {
      client.close();
    }
  }, transports);
}

/** The app: echo, hello → news, ask-me → the server asks the client and answers with its reply, then a binary event. */
function app(baro: BaroServer): void {
  baro.on('connection', (session: Session) => {
    session.on('echo', (data: unknown, ack?: (reply: unknown) => void) => ack?.(data));
    session.on('hello', (name: unknown) => session.emit('news', `hello, ${String(name)}`));
    session.on('ask-me', (_: unknown, ack?: (reply: unknown) => void) => {
      void session.emitWithAck('confirm', 'ok?').then((reply) => {
        ack?.(reply);
        session.emit('blob', { bytes: new Uint8Array([9, 8, 7]) });
      });
    });
  });
}

describe('in Chromium', { timeout: TEST_TIMEOUT, skip: findChromium() ? false : 'no Chromium installed' }, () => {
  let browser: Browser;
  let page: Page;
  let pageServer: PageServer;
  let baro: BaroServer;

  before(async () => {
    pageServer = await serve();
    baro = new BaroServer({ server: pageServer.server });
    app(baro);
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(pageServer.url);
    await page.waitForFunction(() => (window as unknown as { baroReady?: boolean }).baroReady === true, undefined, { timeout: 10_000 });
  });
  after(async () => {
    await browser?.close();
    await baro?.close({ timeout: 100 });
    await pageServer?.close();
  });

  for (const transport of ['websocket', 'sse', 'long-polling', 'polling'] as const) {
    test(`${transport} alone: events, acks both ways, binary`, async () => {
      const result = await exchange(page, [transport]);
      assert.deepEqual(result, {
        transport,
        echoed: { bytes: [0, 1, 254, 255], text: 'héllo ✓' },
        news: 'hello, chromium',
        answer: { yes: true },
        blob: [9, 8, 7],
      });
    });
  }

  test('the default order opens on the browser\'s own WebSocket', async () => {
    assert.equal((await exchange(page, null)).transport, 'websocket');
  });
});

describe('in Chromium, a server without WebSocket', { timeout: TEST_TIMEOUT, skip: findChromium() ? false : 'no Chromium installed' }, () => {
  test('the default order falls back to SSE', async () => {
    const pageServer = await serve();
    const baro = new BaroServer({ server: pageServer.server, transports: ['sse', 'long-polling', 'polling'] });
    app(baro);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(pageServer.url);
      await page.waitForFunction(() => (window as unknown as { baroReady?: boolean }).baroReady === true, undefined, { timeout: 10_000 });
      const result = await exchange(page, null);
      assert.equal(result.transport, 'sse');
      assert.deepEqual(result.blob, [9, 8, 7]);
    } finally {
      await browser.close();
      await baro.close({ timeout: 100 });
      await pageServer.close();
    }
  });
});
