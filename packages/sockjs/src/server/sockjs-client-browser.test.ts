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
import { launchChromium, servePage, type PageServer } from '@baro/testing';
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

function converse(url: string, transport: string, messages: readonly string[]): Promise<Outcome> {
  return page.evaluate(
    ({ url, transport, messages }) =>
      new Promise<Outcome>((resolve) => {
        const client = new (globalThis as unknown as { SockJS: new (url: string, reserved: null, options: object) => any }).SockJS(url, null, { transports: [transport] });
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
