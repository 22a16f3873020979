/**
 * What a player's phone and the host's laptop show, in real Chromium: Korean or English from the
 * browser's languages (and the switch), the result card on a 360×640 phone without sideways
 * scrolling (a regrade updates it), length counters, keyboard-only play, and the confirmations.
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '@baro/testing';
import { HOST_PASSWORD, startTestApp } from '../test-support/quiz-clients.js';
import { ARTIFACTS, expectNoCspViolations, hostPage, id, openPage, PHONE, playerPage, waitStage } from './browser-support.js';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser?.close());
afterEach(expectNoCspViolations);

const noSidewaysScroll = async (page: Page): Promise<boolean> => (await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')) as boolean;

test('a Korean browser gets the Korean UI with lang="ko"; the switch turns it English and is remembered', { timeout: 60_000 }, async () => {
  const app = await startTestApp();
  try {
    const page = await openPage(browser, `${app.url}/`, { locale: 'ko-KR' });
    await page.waitForSelector('label[for="join-code"]');
    assert.equal(await page.getAttribute('html', 'lang'), 'ko');
    assert.equal(await page.textContent('label[for="join-code"]'), '참가 코드');
    await page.screenshot({ path: `${ARTIFACTS}i18n-landing-ko.png` });
    await page.click(id('language-en'));
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await page.textContent('label[for="join-code"]'), 'Join code');
    await page.reload();
    await page.waitForSelector('label[for="join-code"]');
    assert.equal(await page.getAttribute('html', 'lang'), 'en', 'the choice outlives a reload');

    // An English browser starts in English; a player joining in Korean sees no technical words.
    const english = await openPage(browser, `${app.url}/`, { locale: 'en-GB' });
    await english.waitForSelector('label[for="join-code"]');
    assert.equal(await english.getAttribute('html', 'lang'), 'en');
    const player = await playerPage(browser, app.url, app.demo!.code, '민지', { locale: 'ko-KR' });
    await player.waitForSelector(`${id('connection-status')}[data-state="open"]`);
    const text = (await player.textContent('body'))!;
    assert.match(text, /진행자가 시작할 때까지/);
    assert.doesNotMatch(text, /websocket|ticket|polling|sse/i, 'no jargon on a player screen');
    await player.screenshot({ path: `${ARTIFACTS}i18n-player-ko.png` });
  } finally {
    await app.dispose();
  }
});

test('on a 360×640 phone the result card shows verdict, place, score and answer without sideways scrolling; a regrade updates it', { timeout: 90_000 }, async () => {
  const app = await startTestApp();
  try {
    const host = await hostPage(browser, app.url, app.demo!.liveId);
    const code = app.demo!.code;
    // Nicknames as long as allowed, so the tables are as wide as they get.
    const players = [await playerPage(browser, app.url, code, '아주아주긴닉네임을가진첫번째참가자'), await playerPage(browser, app.url, code, 'Second-player-long.n')];
    for (const page of players) assert.equal(page.viewportSize()?.width, PHONE.width);

    // Question 1 (choice): the first is right, the second wrong.
    await host.click(id('show-button'));
    for (const page of players) await waitStage(page, 'player-view', 'shown');
    await host.click(id('open-button'));
    await players[0].click(id('option-2'));
    await players[1].click(id('option-0'));
    for (const page of players) {
      await page.waitForSelector(`${id('submit-button')}:not([disabled])`);
      await page.click(id('submit-button'));
      await page.waitForSelector(`${id('submit-feedback')}[data-ticket]`);
    }
    await host.click(id('close-button'));
    await players[0].waitForSelector(`${id('result-card')}[data-verdict="right"]`);
    await players[1].waitForSelector(`${id('result-card')}[data-verdict="wrong"]`);
    assert.equal(await players[0].getAttribute(id('placement'), 'data-placement'), '1');
    assert.match((await players[0].textContent(id('reveal')))!, /WebSocket/);
    assert.equal(await players[0].textContent(id('result-score')), '1');
    for (const page of players) assert.ok(await noSidewaysScroll(page), 'no horizontal scroll on a 360 px phone');
    await players[0].screenshot({ path: `${ARTIFACTS}result-card-right-360.png` });
    await players[1].screenshot({ path: `${ARTIFACTS}result-card-wrong-360.png` });
    await players[1].screenshot({ path: `${ARTIFACTS}result-card-wrong-360-full.png`, fullPage: true });

    // Question 2 (short): "101 switching" is not an accepted spelling until the host regrades.
    await host.click(id('next-button'));
    await waitStage(players[0], 'player-view', 'shown');
    await host.click(id('open-button'));
    await players[0].fill(id('answer-input'), '101 switching');
    await players[0].click(id('submit-button'));
    await players[0].waitForSelector(`${id('submit-feedback')}[data-ticket]`);
    await host.click(id('close-button'));
    await players[0].waitForSelector(`${id('result-card')}[data-verdict="wrong"]`);
    await host.fill(id('regrade-input'), '101 switching');
    await host.click(id('regrade-button'));
    await players[0].waitForSelector(`${id('result-card')}[data-verdict="right"]`);
    await players[0].waitForSelector(`${id('placement')}[data-placement="1"]`);
    assert.ok(await noSidewaysScroll(players[0]));
    await players[0].screenshot({ path: `${ARTIFACTS}result-card-regraded-360.png` });
  } finally {
    await app.dispose();
  }
});

test('keyboard only: join code, Enter, nickname, arrows in the options, submit; "answers open" is announced; counters refuse past the limit', { timeout: 90_000 }, async () => {
  const app = await startTestApp();
  try {
    const host = await hostPage(browser, app.url, app.demo!.liveId);
    const page = await openPage(browser, `${app.url}/`);
    await page.waitForSelector(id('join-code-input'));
    await page.keyboard.type(app.demo!.code);
    await page.keyboard.press('Enter');
    await page.waitForSelector(id('nickname-input'));
    await page.waitForSelector('#nickname:focus');

    // Past 20 characters: a counter says so and Join stays off (nothing is cut silently).
    await page.keyboard.type('x'.repeat(21));
    await page.waitForSelector(`${id('nickname-counter')}[data-over="true"]`);
    assert.equal(await page.isEnabled(id('join-button')), false);
    await page.keyboard.press('Backspace');
    await page.waitForSelector(`${id('nickname-counter')}:not([data-over])`);
    await page.keyboard.press('Control+A');
    await page.keyboard.type('Keys');
    await page.keyboard.press('Enter');
    await page.waitForSelector(`${id('player-view')}[data-phase]`);

    await host.click(id('show-button'));
    await waitStage(page, 'player-view', 'shown');
    // Tab reaches the options group once; arrows move and pick.
    await page.keyboard.press('Tab');
    await page.waitForSelector(`${id('option-0')}:focus`);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.waitForSelector(`${id('option-2')}[aria-checked="true"]`);
    assert.equal(await page.evaluate(`document.activeElement?.getAttribute('data-testid')`), 'option-2');
    await host.click(id('open-button'));
    await page.waitForSelector(`${id('stage-announcement')}[role="status"]:has-text("Answers are open")`);
    await page.waitForSelector(`${id('submit-button')}:not([disabled])`);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(`document.activeElement?.getAttribute('data-testid')`), 'submit-button');
    await page.keyboard.press('Enter');
    await page.waitForSelector(`${id('submit-feedback')}.feedback-correct`);
    await page.screenshot({ path: `${ARTIFACTS}keyboard-player-correct.png` });
  } finally {
    await app.dispose();
  }
});

test('Finish asks first and is off while a question is open; a played question cannot be shown again; Delete asks first', { timeout: 90_000 }, async () => {
  const app = await startTestApp();
  try {
    const host = await hostPage(browser, app.url, app.demo!.liveId);
    await host.click(id('show-button'));
    await host.waitForSelector(`${id('host-view')}[data-stage="shown"]`);
    await host.click(id('open-button'));
    await host.waitForSelector(`${id('host-view')}[data-stage="open"]`);
    assert.equal(await host.isEnabled(id('finish-button')), false, 'Finish is off while a question is open');
    await host.click(id('close-button'));
    await host.waitForSelector(`${id('host-view')}[data-stage="closed"]`);
    // Question 1 was played: the picker offers it greyed out and moves on to question 2.
    await host.waitForSelector(`${id('question-picker')} option[value="1"][disabled]`, { state: 'attached' });
    assert.equal(await host.inputValue(id('question-picker')), '2');

    await host.click(id('finish-button'));
    await host.waitForSelector(`${id('finish-button-dialog')}[open]`);
    await host.screenshot({ path: `${ARTIFACTS}confirm-finish.png` });
    await host.click(id('confirm-cancel'));
    await host.waitForSelector(`${id('finish-button-dialog')}:not([open])`, { state: 'attached' });
    assert.equal(await host.getAttribute(id('host-view'), 'data-phase'), 'ongoing', 'cancelled: still going');
    await host.click(id('finish-button'));
    await host.click(id('confirm-yes'));
    await host.waitForSelector(`${id('host-view')}[data-phase="finished"]`);

    // A quiz with no live session can be deleted.
    const created = await fetch(`${app.url}/api/quizzes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${HOST_PASSWORD}`, 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'markdown', text: '# Spare\n\n## Q?\nAnswer: a\n' }),
    });
    assert.equal(created.status, 201);
    await host.goto(`${app.url}/host`);
    const spare = `${id('quiz-item')}[data-title="Spare"]`;
    await host.click(`${spare} ${id('delete-quiz')}`);
    await host.click(`${spare} ${id('confirm-cancel')}`);
    assert.equal(await host.isVisible(spare), true, 'cancelled: the quiz is still there');
    await host.click(`${spare} ${id('delete-quiz')}`);
    await host.click(`${spare} ${id('confirm-yes')}`);
    await host.waitForSelector(spare, { state: 'detached' });
  } finally {
    await app.dispose();
  }
});

test('in the dark theme a disabled "Open" looks off, not like the enabled one', { timeout: 60_000 }, async () => {
  const app = await startTestApp();
  try {
    const host = await hostPage(browser, app.url, app.demo!.liveId, { colorScheme: 'dark' });
    const background = (selector: string) => host.evaluate(`getComputedStyle(document.querySelector('${selector}')).backgroundColor`) as Promise<string>;
    await host.waitForSelector(`${id('open-button')}[disabled]`);
    const off = await background(id('open-button'));
    await host.click(id('show-button'));
    await host.waitForSelector(`${id('open-button')}:not([disabled])`);
    const on = await background(id('open-button'));
    assert.notEqual(off, on);
    // Off: the dark theme's plain surface (--surface-2, #222a35), not its light accent.
    assert.equal(off, 'rgb(34, 42, 53)');
    await host.screenshot({ path: `${ARTIFACTS}dark-host-open-enabled.png` });
  } finally {
    await app.dispose();
  }
});
