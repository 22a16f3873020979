/**
 * Transport fallback in real Chromium, with the client's default transport order, through an
 * in-test HTTP proxy in front of a default-configured `BaroServer` (page, bundle and endpoints all
 * come through the proxy, as they would in production):
 * (a) a proxy that refuses `Upgrade` (403, or by dropping the connection) → the client ends on SSE;
 * (b) a proxy that also buffers response bodies until they end (SSE never gets through) → the
 *     client gives SSE up after its open timeout and ends on long-polling;
 * (c) no proxy → WebSocket.
 * Each case checks the client's `transport`, its state events, what the proxy saw, and that events
 * then flow both ways on the transport it ended on.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from '@baro/testing';
import type { Browser, Page } from 'playwright-core';
import { App } from './support/app.js';
import { prepareClientBundle } from './support/bundle.js';
import { openKitPage, RemoteClient } from './support/drivers.js';
import { HttpProxy } from '@baro/testing';
import { sleep } from './support/wait.js';

const TEST_TIMEOUT = 30_000;
/** Short, so that case (b) does not wait the default 5 s for the buffered event stream. */
const OPEN_TIMEOUT = 1500;

let app: App;
let browser: Browser;
const pages: Page[] = [];
const proxies: HttpProxy[] = [];

before(async () => {
  await prepareClientBundle();
  app = await App.start();
  browser = await launchChromium();
});

afterEach(async () => {
  await Promise.allSettled(pages.splice(0).map((page) => page.close()));
  await Promise.allSettled(proxies.splice(0).map((proxy) => proxy.close()));
});

after(async () => {
  await browser?.close();
  await app?.close();
});

async function clientAt(url: string, id: string): Promise<RemoteClient> {
  const { page, driver } = await openKitPage(browser, url);
  pages.push(page);
  return RemoteClient.open(driver, id, { openTimeout: OPEN_TIMEOUT, reconnect: { initialDelay: 100, maxDelay: 500 } });
}

/** Events both ways on the transport the client ended on, and the server agrees on the transport. */
async function checkTraffic(client: RemoteClient, transport: string): Promise<void> {
  const info = await client.info();
  const session = app.session(info.sid);
  assert.equal(session.transport, transport, 'the server carries the session on the same transport');
  await client.emit('hello', 'through');
  await client.waitCount('news', 1);
  session.emit('news', 'pushed');
  await client.waitCount('news', 2);
  assert.deepEqual(await client.received('news'), ['hello, through', 'pushed']);
}

const stateTypes = (info: { states: { type: string }[] }): string[] => info.states.map((event) => event.type);

describe('fallback in Chromium, default transport order, default server options', () => {
  for (const upgrade of ['refuse', 'destroy'] as const) {
    test(`(a) a proxy that ${upgrade === 'refuse' ? 'answers 403 to' : 'drops'} WebSocket upgrades: the client ends on SSE`, { timeout: TEST_TIMEOUT }, async () => {
      const proxy = await HttpProxy.start(app.port, { upgrade });
      proxies.push(proxy);
      const client = await clientAt(proxy.url, `a-${upgrade}`);
      const info = await client.opened({ timeout: 10_000 });
      assert.equal(info.transport, 'sse');
      assert.deepEqual(stateTypes(info), ['connecting', 'open'], 'the fallback happens within one connect cycle');
      const tried = proxy.log.filter((line) => line.includes('/baro/'));
      assert.equal(tried[0], 'UPGRADE /baro/ws', `WebSocket was tried first; the proxy saw ${JSON.stringify(tried)}`);
      assert.ok(tried.includes('GET /baro/sse'), `then SSE; the proxy saw ${JSON.stringify(tried)}`);
      await checkTraffic(client, 'sse');
      await sleep(500);
      const later = await client.info();
      assert.equal(later.transport, 'sse', 'and stays there');
      assert.deepEqual(stateTypes(later), ['connecting', 'open'], 'no reconnect, no transport change');
    });
  }

  test('(b) a proxy that refuses upgrades and buffers streamed responses: the client ends on long-polling', { timeout: TEST_TIMEOUT }, async () => {
    const proxy = await HttpProxy.start(app.port, { upgrade: 'refuse', buffer: true });
    proxies.push(proxy);
    const began = Date.now();
    const client = await clientAt(proxy.url, 'b');
    const info = await client.opened({ timeout: 15_000 });
    const openAt = info.states.find((event) => event.type === 'open')!.at;
    assert.equal(info.transport, 'long-polling');
    assert.deepEqual(stateTypes(info), ['connecting', 'open'], 'the fallback happens within one connect cycle');
    const tried = proxy.log.filter((line) => line.includes('/baro/'));
    assert.deepEqual(tried.slice(0, 2), ['UPGRADE /baro/ws', 'GET /baro/sse'], `WebSocket, then SSE were tried first; the proxy saw ${JSON.stringify(tried)}`);
    assert.ok(tried.slice(2).every((line) => line === 'GET /baro/poll' || line === 'POST /baro/send'), `then only long-polling; the proxy saw ${JSON.stringify(tried)}`);
    assert.ok(openAt - began >= OPEN_TIMEOUT - 50, `SSE was given its open timeout (${OPEN_TIMEOUT} ms) before the fallback; opened after ${openAt - began} ms`);
    await checkTraffic(client, 'long-polling');
    await sleep(1000);
    const later = await client.info();
    assert.equal(later.transport, 'long-polling', 'and stays there');
    assert.deepEqual(stateTypes(later), ['connecting', 'open'], 'no reconnect, no transport change');
    const since = proxy.log.filter((line) => line.includes('/baro/')).slice(2);
    assert.ok(since.every((line) => line === 'GET /baro/poll' || line === 'POST /baro/send'), `the failed transports are not probed again; the proxy saw ${JSON.stringify(since)}`);
  });

  test('(c) no proxy: the client ends on WebSocket', { timeout: TEST_TIMEOUT }, async () => {
    const client = await clientAt(app.url, 'c');
    const info = await client.opened({ timeout: 10_000 });
    assert.equal(info.transport, 'websocket', `the client ended on ${info.transport}; states ${JSON.stringify(info.states)}`);
    assert.deepEqual(stateTypes(info), ['connecting', 'open']);
    await checkTraffic(client, 'websocket');
  });
});
