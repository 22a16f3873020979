/**
 * Resume under fire: the client connects through a TCP proxy that destroys every connection it
 * carries every 100 ms (so every transport is cut the same way: a WebSocket mid-frame, an event
 * stream mid-event, a poll or a POST mid-request). Meanwhile
 * - the server emits 10,000 numbered events to the session, a mix of its own events, broadcasts to
 *   a room it is in and broadcasts to everyone (three streams, each with its own positions) → the
 *   client's handler sees 1..10,000 exactly once and in order;
 * - the client emits 1,000 numbered events → the server's handler sees 1..1,000 exactly once and
 *   in order.
 * Every transport forced alone with the Node client; WebSocket, SSE and long-polling in Chromium
 * too. The server keeps enough for replay (`replayCount`/`replayBytes`) and no rate limit gets in the way. Emission is
 * paced: batches at most every BATCH_MS, so that it spans at least 15 cuts, and at most WINDOW
 * ahead of what the other side processed, so that the run stays bounded.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TransportName } from '@baro/protocol';
import { launchChromium } from '@baro/testing';
import type { Browser } from 'playwright-core';
import { App } from './support/app.js';
import { prepareClientBundle } from './support/bundle.js';
import { nodeDriver, openKitPage, RemoteClient, type KitDriver } from './support/drivers.js';
import type { PlainClientOptions } from './support/kit.js';
import { CuttingProxy } from '@baro/testing';
import { sequenceReport, sleep } from './support/wait.js';

const TO_CLIENT = 10_000;
const TO_SERVER = 1_000;
const CUT_EVERY_MS = 100;
/** Events emitted at most this far ahead of what the receiver processed. */
const WINDOW = 1500;
/** At most one batch (100 server events, 10 client events) per this many ms. */
const BATCH_MS = 15;
/** Bound on the delivery of one whole run. */
const DELIVERY_MS = 60_000;
const TEST_TIMEOUT = 90_000;
const MiB = 1024 * 1024;

const RUNS: { where: 'node' | 'chromium'; transport: TransportName }[] = [
  { where: 'node', transport: 'websocket' },
  { where: 'node', transport: 'sse' },
  { where: 'node', transport: 'long-polling' },
  { where: 'node', transport: 'polling' },
  { where: 'chromium', transport: 'websocket' },
  { where: 'chromium', transport: 'sse' },
  { where: 'chromium', transport: 'long-polling' },
];

let app: App;
let proxy: CuttingProxy;
let browser: Browser | undefined;
let chromium: KitDriver | undefined;
let node: KitDriver;

before(async () => {
  app = await App.start({
    limits: { replayCount: 50_000, replayBytes: 64 * MiB, maxQueuedBytes: 64 * MiB, eventsPerSecond: 1_000_000, eventBurst: 1_000_000 },
    history: { count: 50_000, bytes: 64 * MiB },
  });
  proxy = await CuttingProxy.start(app.port);
  node = nodeDriver(proxy.url);
  if (RUNS.some((run) => run.where === 'chromium')) {
    await prepareClientBundle();
    browser = await launchChromium();
    // The page (and the bundle) come through the proxy too, before any cutting starts.
    chromium = (await openKitPage(browser, proxy.url)).driver;
  }
});

afterEach(async () => {
  proxy.stopCutting();
  await Promise.allSettled([node.call('closeAll'), chromium?.call('closeAll')]);
});

after(async () => {
  await browser?.close();
  await proxy?.close();
  await app?.close();
});

const options = (transport: TransportName): PlainClientOptions => ({
  transports: [transport],
  openTimeout: 2000,
  // Polling back to back: a request is nearly always in flight when a cut comes.
  pollInterval: 1,
  reconnect: { initialDelay: 10, maxDelay: 100 },
  maxQueued: WINDOW + 500,
});

/**
 * What the cuts did: they really hit the session at least 5 times, and every time it came back to
 * the same session. A hit shows on the client as a reconnect, or only on the server as a lost
 * transport (`offline`): Chromium quietly retries a GET whose reused connection was cut before any
 * answer, and a polling client between requests has nothing in flight to lose.
 */
async function checkResumed(client: RemoteClient, sid: string, cutsBefore: number): Promise<void> {
  const info = await client.info();
  const types = info.states.map((event) => event.type);
  const reconnects = types.filter((type) => type === 'reconnecting').length;
  const offline = app.session(sid).data.offline as number;
  const cuts = proxy.cuts - cutsBefore;
  assert.ok(cuts >= 10, `at least 10 cuts happened (${cuts})`);
  assert.ok(Math.max(reconnects, offline) >= 5, `the cuts hit the session at least 5 times (${cuts} cuts; the client reconnected ${reconnects} times, the server lost its transport ${offline} times)`);
  assert.ok(!types.includes('resync'), 'every reconnect resumed the same session (no resync)');
  assert.equal(info.sid, sid, 'still the first session');
  assert.ok(!types.includes('closed'), 'the client never closed');
}

let serial = 0;
for (const { where, transport } of RUNS) {
  describe(`${where}: ${transport} through a proxy that cuts every connection every ${CUT_EVERY_MS} ms`, () => {
    const driver = (): KitDriver => (where === 'node' ? node : chromium!);

    test(`${TO_CLIENT} server → client events arrive exactly once, in order`, { timeout: TEST_TIMEOUT }, async () => {
      const client = await RemoteClient.open(driver(), `resume-${++serial}`, options(transport), proxy.url);
      const { sid } = await client.opened();
      assert.ok(sid);
      const session = app.session(sid);
      const room = `room-${serial}`;
      session.join(room);
      const others = app.baro.to(room).except('nobody-is-here');
      const cutsBefore = proxy.cuts;
      proxy.cutEvery(CUT_EVERY_MS);

      // Event n goes as the session's own, to its room, or to everyone (where no other session
      // listens for it: earlier tests' clients are closed), by turns.
      const emit = (n: number): boolean => {
        if (n % 3 === 0) return session.emit('n', n);
        if (n % 3 === 1) others.emit('n', n);
        else app.baro.to(room, `${room}-empty`).emit('n', n);
        return true;
      };
      const deadline = Date.now() + DELIVERY_MS;
      let sent = 0;
      let received = 0;
      while (received < TO_CLIENT) {
        if (Date.now() > deadline) assert.fail(`delivery took over ${DELIVERY_MS} ms: ${received} of ${TO_CLIENT} received, ${sent} sent`);
        if (sent < TO_CLIENT && sent - received < WINDOW) {
          for (let i = 0; i < 100 && sent < TO_CLIENT; i++) assert.ok(emit(++sent), `the session took event ${sent}`);
        }
        await sleep(sent < TO_CLIENT ? BATCH_MS : 20);
        received = await client.count('n');
      }
      // Cutting goes on a little after the last event arrived: nothing may come twice.
      await sleep(300);
      proxy.stopCutting();
      await sleep(100);
      const got = (await client.received('n')) as number[];
      assert.ok(
        got.length === TO_CLIENT && got.every((value, index) => value === index + 1),
        `the client's handler saw 1..${TO_CLIENT} exactly once in order: ${sequenceReport(got, TO_CLIENT)}`,
      );
      await checkResumed(client, sid, cutsBefore);
      assert.equal(session.ended, false);
    });

    test(`${TO_SERVER} client → server events are handled exactly once, in order`, { timeout: TEST_TIMEOUT }, async () => {
      const client = await RemoteClient.open(driver(), `resume-${++serial}`, options(transport), proxy.url);
      const { sid } = await client.opened();
      assert.ok(sid);
      const session = app.session(sid);
      const handled = app.received(session, 'n') as number[];
      const cutsBefore = proxy.cuts;
      proxy.cutEvery(CUT_EVERY_MS);

      const deadline = Date.now() + DELIVERY_MS;
      let next = 1;
      while (handled.length < TO_SERVER) {
        if (Date.now() > deadline) assert.fail(`delivery took over ${DELIVERY_MS} ms: ${handled.length} of ${TO_SERVER} handled, ${next - 1} emitted`);
        if (next <= TO_SERVER && next - 1 - handled.length < WINDOW) next = await client.emitNumbers('n', next, Math.min(next + 9, TO_SERVER));
        await sleep(BATCH_MS);
      }
      await sleep(300);
      proxy.stopCutting();
      await sleep(100);
      assert.ok(
        handled.length === TO_SERVER && handled.every((value, index) => value === index + 1),
        `the server's handler saw 1..${TO_SERVER} exactly once in order: ${sequenceReport(handled, TO_SERVER)}`,
      );
      await checkResumed(client, sid, cutsBefore);
      assert.equal(app.session(sid), session, 'the server still holds the same session');
    });
  });
}

