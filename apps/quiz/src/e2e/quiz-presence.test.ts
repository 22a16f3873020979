/**
 * A phone whose network goes silent (a TCP proxy that stops passing bytes, connections left open:
 * only heartbeats can tell) is shown "reconnecting…" on the phone and to the host within 5 s, and
 * comes back by itself when the network does. The quiz's default heartbeat is used.
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { CuttingProxy, launchChromium } from '@baro/testing';
import { startTestApp } from '../test-support/quiz-clients.js';
import { ARTIFACTS, expectNoCspViolations, hostPage, id, playerPage } from './browser-support.js';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser?.close());
afterEach(expectNoCspViolations);

const DETECTION_BUDGET_MS = 5000;

test('a player whose network goes silent is "reconnecting…" on the phone and offline to the host within 5 s, then back', { timeout: 90_000 }, async () => {
  const app = await startTestApp();
  const wifi = await CuttingProxy.start(Number(new URL(app.url).port));
  try {
    const host = await hostPage(browser, app.url, app.demo!.liveId);
    const ana = await playerPage(browser, wifi.url, app.demo!.code, 'Ana');
    await ana.waitForSelector(`${id('connection-status')}[data-state="open"][data-transport="websocket"]`);
    await host.waitForSelector(`${id('player-row')}[data-nickname="Ana"][data-status="online"]`);

    wifi.silence();
    const silencedAt = Date.now();
    const phoneSees = ana
      .waitForSelector(`${id('connection-status')}[data-state="reconnecting"]`, { timeout: DETECTION_BUDGET_MS + 2000 })
      .then(() => Date.now() - silencedAt);
    const hostSees = host
      .waitForSelector(`${id('player-row')}[data-nickname="Ana"][data-connected="false"]`, { timeout: DETECTION_BUDGET_MS + 2000 })
      .then(() => Date.now() - silencedAt);
    const [phoneMs, hostMs] = await Promise.all([phoneSees, hostSees]);
    assert.ok(phoneMs <= DETECTION_BUDGET_MS, `the phone showed "reconnecting" after ${phoneMs} ms`);
    assert.ok(hostMs <= DETECTION_BUDGET_MS, `the host saw Ana offline after ${hostMs} ms`);
    assert.equal(await host.getAttribute(`${id('player-row')}[data-nickname="Ana"]`, 'data-status'), 'reconnecting', 'her seat waits for her');
    await ana.screenshot({ path: `${ARTIFACTS}presence-player-reconnecting.png` });
    await host.screenshot({ path: `${ARTIFACTS}presence-host-reconnecting.png`, fullPage: true });
    console.log(`# silent network noticed: phone ${phoneMs} ms, host ${hostMs} ms`);

    wifi.online();
    await ana.waitForSelector(`${id('connection-status')}[data-state="open"]`, { timeout: 15_000 });
    await host.waitForSelector(`${id('player-row')}[data-nickname="Ana"][data-status="online"]`, { timeout: 15_000 });
  } finally {
    await wifi.close();
    await app.dispose();
  }
});
