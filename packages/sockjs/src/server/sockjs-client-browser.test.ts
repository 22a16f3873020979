/**
 * The official sockjs-client 1.6.1 in Chromium against examples/sockjs-server.mjs, forced onto each
 * transport in turn. The page and the client script come from one origin, the SockJS server is
 * another, so the iframe transports do their cross-origin work for real.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { CuttingProxy, HttpProxy, launchChromium, servePage, type PageServer } from '@baro/testing';
import { startExample, type RunningExample } from './test-support/example.js';

const require = createRequire(import.meta.url);
const clientScript = readFileSync(require.resolve('sockjs-client/dist/sockjs.min.js'));

let browser: Browser;
let page: Page;
let pageServer: PageServer;
let example: RunningExample;

before(async () => {
  pageServer = await servePage('<!doctype html><meta charset="utf-8"><script src="/sockjs.min.js"></script>', {
    fallback: (request, response) => {
      if (request.url === '/sockjs.min.js') response.writeHead(200, { 'Content-Type': 'application/javascript' }).end(clientScript);
      else response.writeHead(404).end();
    },
  });
  example = await startExample(['--sockjs-url', `${pageServer.origin}/sockjs.min.js`]);
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(pageServer.url);
});
after(async () => {
  await browser?.close();
  await example?.stop();
  await pageServer?.close();
});

interface Outcome {
  transport: string | null;
  received: string[];
  close: [number, string];
}

/** One client over `transports` (all the client knows when null): sends `messages`, closes once they are echoed. */
function converse(url: string, transport: string | null, messages: readonly string[]): Promise<Outcome> {
  return page.evaluate(
    ({ url, transport, messages }) =>
      new Promise<Outcome>((resolve) => {
        const client = new (globalThis as unknown as { SockJS: new (url: string, reserved: null, options: object) => any }).SockJS(url, null, transport === null ? {} : { transports: [transport] });
        const received: string[] = [];
        let openedOver: string | null = null;
        const timer = setTimeout(() => client.close(), 20_000);
        client.onopen = () => {
          openedOver = client.transport;
          for (const message of messages) client.send(message);
        };
        client.onmessage = (event: { data: string }) => {
          received.push(event.data);
          if (received.length === messages.length) client.close();
        };
        client.onclose = (event: { code: number; reason: string }) => {
          clearTimeout(timer);
          resolve({ transport: openedOver, received, close: [event.code, event.reason] });
        };
      }),
    { url, transport, messages },
  );
}

const MESSAGES = ['hello', '\u0000\u001f \u2028\u2029 \u200c \u2060 \ufeff \ufff0', 'héllo 😀 "\\\n', '%\r\n%0A', '</script><script>alert(1)</script>', 'x'.repeat(10_000), 'y'.repeat(5_000)];

for (const transport of ['websocket', 'xhr-streaming', 'xhr-polling', 'eventsource', 'iframe-eventsource', 'iframe-htmlfile', 'jsonp-polling']) {
  test(`Chromium over ${transport}: echo, escaped unicode, messages over response_limit, close codes`, { timeout: 60_000 }, async () => {
    const echoed = await converse(example.origin + '/echo', transport, MESSAGES);
    assert.equal(echoed.transport, transport);
    assert.deepEqual(echoed.received, MESSAGES);
    assert.deepEqual(echoed.close, [1000, 'Normal closure']);
    const refused = await converse(example.origin + '/close', transport, []);
    assert.equal(refused.transport, transport);
    assert.deepEqual(refused.close, [3000, 'Go away!']);
  });
}

for (const refusal of ['refuse', 'destroy'] as const) {
  test(`Chromium behind a proxy that ${refusal === 'refuse' ? 'answers 403 to' : 'drops'} WebSocket upgrades: the client falls back by itself and echoes everything`, { timeout: 60_000 }, async (t) => {
    const proxy = await HttpProxy.start(Number(new URL(example.origin).port), { upgrade: refusal });
    t.after(() => proxy.close());
    const echoed = await converse(proxy.url + '/echo', null, MESSAGES);
    assert.ok(proxy.log.some((line) => line.startsWith('UPGRADE /echo/')), `the client tried WebSocket first: ${proxy.log.join(', ')}`);
    assert.ok(echoed.transport !== null && echoed.transport !== 'websocket', `opened over ${echoed.transport}`);
    assert.deepEqual(echoed.received, MESSAGES);
    assert.deepEqual(echoed.close, [1000, 'Normal closure']);
  });
}

/**
 * A SockJS client does not reconnect by itself: the app opens a new one when the old one closes.
 * After a dropped link, that new client gets a working session.
 */
for (const transport of ['websocket', 'xhr-streaming', 'xhr-polling']) {
  test(`Chromium over ${transport}: a dropped link closes the client (not cleanly), and a new client on the same server echoes`, { timeout: 60_000 }, async (t) => {
    const link = await CuttingProxy.start(Number(new URL(example.origin).port));
    t.after(() => link.close());
    const url = link.url + '/echo';
    const dropped = page.evaluate(
      ({ url, transport }) =>
        new Promise<{ opened: boolean; close: [number, string] }>((resolve) => {
          const client = new (globalThis as unknown as { SockJS: new (url: string, reserved: null, options: object) => any }).SockJS(url, null, { transports: [transport] });
          let opened = false;
          const timer = setTimeout(() => client.close(4999, 'the drop was not noticed'), 30_000);
          client.onopen = () => {
            opened = true;
            (globalThis as unknown as { sockjsOpened: boolean }).sockjsOpened = true;
          };
          client.onclose = (event: { code: number; reason: string }) => {
            clearTimeout(timer);
            resolve({ opened, close: [event.code, event.reason] });
          };
        }),
      { url, transport },
    );
    await page.waitForFunction(() => (globalThis as unknown as { sockjsOpened?: boolean }).sockjsOpened === true, null, { timeout: 20_000 });
    await page.evaluate(() => delete (globalThis as unknown as { sockjsOpened?: boolean }).sockjsOpened);
    link.cut();
    const outcome = await dropped;
    assert.equal(outcome.opened, true);
    assert.notEqual(outcome.close[0], 1000, `closed with ${outcome.close.join(' ')}`);
    assert.notEqual(outcome.close[0], 4999, 'the client noticed the drop');
    const again = await converse(url, transport, ['back', 'again']);
    assert.equal(again.transport, transport);
    assert.deepEqual(again.received, ['back', 'again']);
    assert.deepEqual(again.close, [1000, 'Normal closure']);
  });
}
