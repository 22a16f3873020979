/**
 * The presenter screen (the projector) through a whole game in real Chromium: it shows the join
 * code, each question, the chart after close and the podium, and at no moment the answer before
 * close, nor "open" before the players' buttons turn on (a random delay stays hidden).
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '@baro/testing';
import { startTestApp } from '../test-support/quiz-clients.js';
import { animationsFinished, ARTIFACTS, expectNoCspViolations, hostPage, id, LAPTOP, newContext, playerPage, waitStage } from './browser-support.js';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser?.close());
afterEach(expectNoCspViolations);

/**
 * Installed in the presenter page: on every change of the DOM it checks that nothing of an answer
 * is on screen unless the question is closed (or the game is over), and notes when "open" shows.
 * `secrets` are the short answers' accepted spellings, which must not appear as text before close.
 */
const WATCH = (secrets: string[]) => `(() => {
  const secrets = ${JSON.stringify(secrets)};
  window.__violations = [];
  window.__openedAt = [];
  const check = () => {
    const view = document.querySelector('[data-testid="presenter-view"]');
    if (!view) return;
    const stage = view.getAttribute('data-stage');
    const phase = view.getAttribute('data-phase');
    if (stage === 'open' && window.__lastStage !== 'open') window.__openedAt.push(Date.now());
    window.__lastStage = stage;
    if (stage === 'closed' || phase === 'finished') return;
    if (document.querySelector('[data-testid="presenter-reveal"], [data-correct], .correct')) window.__violations.push('answer marked while ' + stage);
    const text = document.body.innerText;
    for (const secret of secrets) if (text.includes(secret)) window.__violations.push('"' + secret + '" shown while ' + stage);
    if (/opening in|곧 시작/.test(text)) window.__violations.push('the random delay is shown');
  };
  new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  check();
})()`;

async function violations(presenter: Page): Promise<string[]> {
  return presenter.evaluate('window.__violations') as Promise<string[]>;
}

test('the presenter screen follows a whole game and never shows an answer (or an early open) before close', { timeout: 120_000 }, async () => {
  const delay = 1500;
  const app = await startTestApp({ randomDelayMs: { min: delay, max: delay } });
  try {
    const host = await hostPage(browser, app.url, app.demo!.liveId);
    // Opened from the control room: a new tab with the host's credentials.
    const [presenter] = await Promise.all([host.context().waitForEvent('page'), host.click(id('open-presenter'))]);
    presenter.setDefaultTimeout(10_000);
    await presenter.setViewportSize(LAPTOP);
    await presenter.waitForSelector(id('presenter-lobby'));
    // The demo's short answers: "101" (question 2), "6455" (question 5), "WebRTC" (question 6).
    await presenter.evaluate(WATCH(['101', '6455', 'WebRTC']));

    const code = app.demo!.code;
    const ana = await playerPage(browser, app.url, code, 'Ana');
    const bo = await playerPage(browser, app.url, code, 'Bo');
    await presenter.waitForSelector(`${id('presenter-player-count')}[data-count="2"]`);
    await presenter.screenshot({ path: `${ARTIFACTS}presenter-lobby.png` });

    const answers: { ana: number | string; bo: number | string }[] = [
      { ana: 2, bo: 1 },
      { ana: '101', bo: '200' },
      { ana: 1, bo: 1 },
      { ana: 0, bo: 2 },
      { ana: '6455', bo: 'RFC 6455' },
      { ana: 'WebRTC', bo: 'webrtc' },
    ];
    for (const [index, answer] of answers.entries()) {
      if (index === 0) await host.click(id('show-button'));
      else await host.click(id('next-button'));
      await waitStage(presenter, 'presenter-view', 'shown');
      for (const [page, given] of [
        [ana, answer.ana],
        [bo, answer.bo],
      ] as const) {
        await waitStage(page, 'player-view', 'shown');
        if (typeof given === 'number') await page.click(id(`option-${given}`));
        else await page.fill(id('answer-input'), given);
      }
      if (index === 1) await presenter.screenshot({ path: `${ARTIFACTS}presenter-shown.png` });

      // Every other question opens after the random delay: the presenter must wait it out like the phones.
      const random = index % 2 === 1;
      if (random) await host.check(id('random-delay'));
      else await host.uncheck(id('random-delay'));
      const clickedAt = Date.now();
      await host.click(id('open-button'));
      if (random) {
        await host.waitForSelector(id('opens-in'));
        assert.equal(await presenter.getAttribute(id('presenter-view'), 'data-stage'), 'shown', 'still shown during the random delay');
      }
      await waitStage(presenter, 'presenter-view', 'open');
      if (random) {
        const openedAt = ((await presenter.evaluate('window.__openedAt')) as number[]).at(-1)!;
        assert.ok(openedAt - clickedAt >= delay - 50, `the presenter showed "open" ${openedAt - clickedAt} ms after the click, before the ${delay} ms delay ended`);
      }
      if (index === 0) await presenter.screenshot({ path: `${ARTIFACTS}presenter-open.png` });
      // The opening is announced a lead ahead of its instant: the screen turns "open" with the
      // phones' buttons, not on the announcement (both clocks are this machine's wall clock).
      const presenterOpenedAt = ((await presenter.evaluate('window.__openedAt')) as number[]).at(-1)!;
      for (const page of [ana, bo]) {
        await page.waitForSelector(`${id('submit-button')}:not([disabled])`);
        const buttonOnAt = Number(await page.getAttribute(id('submit-button'), 'data-on-at'));
        assert.ok(presenterOpenedAt >= buttonOnAt - 30, `the presenter showed "open" ${(buttonOnAt - presenterOpenedAt).toFixed(1)} ms before a phone's button`);
        await page.click(id('submit-button'));
        await page.waitForSelector(id('submit-feedback'));
      }
      await presenter.waitForSelector(`${id('presenter-answered')}:has-text("2")`);
      await host.click(id('close-button'));
      await presenter.waitForSelector(id('presenter-reveal'));
      const counts = await presenter.$$eval(id('chart-row'), (rows) => rows.map((row) => Number(row.getAttribute('data-count'))));
      assert.equal(
        counts.reduce((a, b) => a + b, 0),
        2,
        `question ${index + 1}: both first answers are in the chart`,
      );
      if (index === 0) await presenter.screenshot({ path: `${ARTIFACTS}presenter-closed-chart.png` });
      if (index === 4) await presenter.screenshot({ path: `${ARTIFACTS}presenter-closed-short.png` });
    }
    await host.click(id('finish-button'));
    const confirm = await host.$(id('confirm-yes'));
    if (confirm) await confirm.click();
    await presenter.waitForSelector(id('podium'));
    const podium = await presenter.$$eval(id('podium-step'), (steps) => steps.map((step) => [step.getAttribute('data-rank'), step.getAttribute('data-nickname')]));
    assert.equal(podium[0]?.[1], 'Ana', 'Ana answered first every time');
    await animationsFinished(presenter);
    await presenter.screenshot({ path: `${ARTIFACTS}presenter-podium.png` });
    assert.deepEqual(await violations(presenter), []);
  } finally {
    await app.dispose();
  }
});

test('the presenter screen without the host credentials in the browser says where to open it', { timeout: 30_000 }, async () => {
  const app = await startTestApp();
  try {
    const context = await newContext(browser, { viewport: LAPTOP });
    const page = await context.newPage();
    await page.goto(`${app.url}/present/${app.demo!.liveId}`);
    await page.waitForSelector(id('presenter-needs-host'));
    await context.close();
  } finally {
    await app.dispose();
  }
});
