/**
 * The live quiz as people use it: one host page and three player pages in real Chromium, against
 * the real server. Screenshots of every view land in `test-artifacts/quiz/`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { CuttingProxy, launchChromium } from '@baro/testing';
import { HOST_PASSWORD, quizClient, startTestApp } from '../test-support/quiz-clients.js';
import { watchCsp } from './csp-watch.js';
import type { QuizAppOptions } from '../quiz-app.js';

const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/quiz/', import.meta.url));
const id = (testId: string) => `[data-testid="${testId}"]`;

let browser: Browser;
before(async () => {
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
});
after(() => browser?.close());

/** What the pages' Content-Security-Policy refused (the server's headers must let the built app run whole). */
const cspViolations: string[] = [];

async function openPage(url: string, viewport = { width: 390, height: 844 }): Promise<Page> {
  // A context per person: their own localStorage, as on their own phone.
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await watchCsp(page, cspViolations);
  await page.goto(url);
  return page;
}

async function hostPage(app: { url: string; demo: { liveId: string } | null }): Promise<Page> {
  const page = await openPage(`${app.url}/host#password=${encodeURIComponent(HOST_PASSWORD)}`, { width: 1280, height: 900 });
  await page.waitForSelector(id('quiz-list'));
  await page.goto(`${app.url}/host/live/${app.demo!.liveId}`);
  await page.waitForSelector(id('host-join-code'));
  return page;
}

async function playerPage(url: string, code: string, nickname: string, query = ''): Promise<Page> {
  const page = await openPage(`${url}/join/${code}${query}`);
  await page.fill(id('nickname-input'), nickname);
  await page.click(id('join-button'));
  await page.waitForSelector(`${id('player-view')}[data-phase]`);
  return page;
}

// Page-side code: this project compiles for Node, without DOM types. Predicates are functions, not
// strings: Playwright evaluates a string predicate with eval, which the pages' CSP refuses.
// (The casts are types only: the function's text runs in the page, where `globalThis` is the window.)
type PageDom = { document: { querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }> } };
const waitForCount = (page: Page, testId: string, count: number) =>
  page.waitForFunction(([selector, n]) => (globalThis as unknown as PageDom).document.querySelectorAll(selector).length === n, [id(testId), count] as const);
const stageOf = (page: Page, testId: string) => page.getAttribute(id(testId), 'data-stage');
const submitEnabled = (page: Page) => page.isEnabled(id('submit-button'));
const waitSubmitEnabled = (page: Page) => page.waitForSelector(`${id('submit-button')}:not([disabled])`);
// After close the phone shows its result card instead of the form.
const waitSubmitDisabled = (page: Page) => page.waitForSelector(`${id('submit-button')}[disabled], ${id('result-card')}`);

async function transportOf(page: Page): Promise<string | null> {
  await page.waitForSelector(`${id('connection-status')}[data-state="open"]`);
  return page.getAttribute(id('connection-status'), 'data-transport');
}

async function playQuestion(host: Page, players: Page[], order: number[], shotPrefix?: string): Promise<void> {
  await host.click(id('show-button'));
  for (const page of players) await page.waitForSelector(`${id('player-view')}[data-stage="shown"]`);
  // Everyone picks an answer while the question is only shown: the button stays off.
  for (const page of players) await page.click(id('option-2'));
  for (const page of players) assert.equal(await submitEnabled(page), false, 'submit is disabled before open');
  if (shotPrefix) await players[0].screenshot({ path: `${ARTIFACTS}${shotPrefix}-player-shown.png` });

  await host.click(id('open-button'));
  // No player does anything: the pushed "open" alone turns every button on.
  await Promise.all(players.map(waitSubmitEnabled));
  if (shotPrefix) await players[0].screenshot({ path: `${ARTIFACTS}${shotPrefix}-player-open.png` });

  for (const index of order) {
    await players[index].click(id('submit-button'));
    await players[index].waitForSelector(`${id('submit-feedback')}[data-ticket]`);
  }
  await waitForCount(host, 'ranking-row', order.length);
  if (shotPrefix) await host.screenshot({ path: `${ARTIFACTS}${shotPrefix}-host-open.png`, fullPage: true });

  await host.click(id('close-button'));
  await Promise.all(players.map(waitSubmitDisabled));
  for (const page of players) await page.waitForSelector(id('reveal'));
}

/** The random delay of the cancelled open: long enough for a loaded CI to click cancel inside it. */
const OPEN_DELAY_MS = 3000;

async function withApp(options: QuizAppOptions, body: (app: Awaited<ReturnType<typeof startTestApp>>) => Promise<void>) {
  const app = await startTestApp(options);
  try {
    await body(app);
    assert.deepEqual(cspViolations.splice(0), [], 'no page broke its Content-Security-Policy');
  } finally {
    await app.dispose();
  }
}

test('host and three players: buttons turn on by themselves, the ranking is the order of acceptance, close turns them off', { timeout: 90_000 }, async () => {
  await withApp({ pingIntervalMs: 1000, randomDelayMs: { min: OPEN_DELAY_MS, max: OPEN_DELAY_MS } }, async (app) => {
    const host = await hostPage(app);
    const code = app.demo!.code;
    assert.equal(await host.textContent(id('host-join-code')), code);
    const players = [await playerPage(app.url, code, 'Ana'), await playerPage(app.url, code, 'Bo'), await playerPage(app.url, code, 'Cy')];
    await waitForCount(host, 'player-row', 3);
    await host.screenshot({ path: `${ARTIFACTS}lobby-host.png`, fullPage: true });
    await players[0].screenshot({ path: `${ARTIFACTS}lobby-player.png` });
    for (const page of players) assert.equal(await transportOf(page), 'websocket');

    // The policy is in force, and watched: an inline script is refused and the refusal is seen.
    const refused = players[0].waitForEvent('console', (message) => message.text().startsWith('CSP violation'));
    await players[0].evaluate(`{ const s = document.createElement('script'); s.textContent = 'window.inlineRan = true'; document.body.append(s); }`);
    await refused;
    assert.equal(await players[0].evaluate('window.inlineRan === true'), false);
    assert.ok(cspViolations.splice(0).every((line) => line.includes('script-src')));

    await playQuestion(host, players, [2, 0, 1], 'q1');
    const ranking = await host.$$eval(id('ranking-row'), (rows) => rows.map((r) => [r.getAttribute('data-nickname'), Number(r.getAttribute('data-ticket'))]));
    assert.deepEqual(ranking, [
      ['Cy', 1],
      ['Ana', 2],
      ['Bo', 3],
    ]);
    assert.match((await players[2].textContent(id('placement')))!, /1/);
    assert.match((await players[1].textContent(id('placement')))!, /3/);
    await players[2].screenshot({ path: `${ARTIFACTS}q1-player-closed.png` });
    await host.screenshot({ path: `${ARTIFACTS}q1-host-closed.png`, fullPage: true });

    // Latency is measured per player and shown to the host.
    await host.waitForFunction((selector) => Array.from((globalThis as unknown as PageDom).document.querySelectorAll(selector)).every((cell) => /\d+\s*ms/.test(cell.textContent ?? '')), id('player-rtt'), {
      timeout: 15_000,
    });

    // An open with a random delay, cancelled before it fires: no player's button ever turns on.
    await host.click(id('next-button'));
    for (const page of players) await page.waitForSelector(`${id('player-view')}[data-stage="shown"]`);
    await host.check(id('random-delay'));
    await host.click(id('open-button'));
    await host.waitForSelector(id('opens-in'));
    await host.screenshot({ path: `${ARTIFACTS}q2-host-opening.png`, fullPage: true });
    await host.click(id('cancel-open-button'));
    await host.waitForSelector(id('opens-in'), { state: 'detached' });
    // Past the instant the cancelled open would have fired.
    await new Promise((resolve) => setTimeout(resolve, OPEN_DELAY_MS + 200));
    for (const page of players) {
      assert.equal(await stageOf(page, 'player-view'), 'shown');
      assert.equal(await submitEnabled(page), false, 'a cancelled open leaves submit disabled');
    }
    assert.equal(await host.isEnabled(id('open-button')), true, 'the host can open again');

    await host.click(id('finish-button'));
    await host.click(id('confirm-yes'));
    for (const page of players) await page.waitForSelector(id('final-results'));
    await players[0].screenshot({ path: `${ARTIFACTS}final-player.png` });
    await host.screenshot({ path: `${ARTIFACTS}final-host.png`, fullPage: true });
  });
});

test('with WebSocket blocked the quiz runs on SSE and long-polling', { timeout: 90_000 }, async () => {
  await withApp({ transports: ['sse', 'long-polling', 'polling'], pingIntervalMs: 1000 }, async (app) => {
    const host = await hostPage(app);
    const code = app.demo!.code;
    const players = [await playerPage(app.url, code, 'Ana'), await playerPage(app.url, code, 'Bo'), await playerPage(app.url, code, 'Cy', '?transports=websocket,long-polling')];
    assert.deepEqual(await Promise.all(players.map(transportOf)), ['sse', 'sse', 'long-polling']);
    await waitForCount(host, 'player-row', 3);
    await playQuestion(host, players, [1, 2, 0], 'fallback');
    const ranking = await host.$$eval(id('ranking-row'), (rows) => rows.map((r) => r.getAttribute('data-nickname')));
    assert.deepEqual(ranking, ['Bo', 'Cy', 'Ana']);
  });
});

test('a player who reloads mid-question is back in the same seat and can still answer; the host page survives a reload', { timeout: 90_000 }, async () => {
  await withApp({ pingIntervalMs: 1000 }, async (app) => {
    const host = await hostPage(app);
    const code = app.demo!.code;
    const players = [await playerPage(app.url, code, 'Ana'), await playerPage(app.url, code, 'Bo'), await playerPage(app.url, code, 'Cy')];
    await host.click(id('show-button'));
    for (const page of players) await page.waitForSelector(`${id('player-view')}[data-stage="shown"]`);
    for (const page of players) await page.click(id('option-1'));
    await host.click(id('open-button'));
    await Promise.all(players.map(waitSubmitEnabled));
    await players[0].click(id('submit-button'));
    await players[0].waitForSelector(`${id('submit-feedback')}[data-ticket]`);

    await players[1].reload();
    await players[1].waitForSelector(`${id('player-view')}[data-stage="open"]`);
    assert.equal(await players[1].isVisible(id('nickname-input')), false, 'no second join');
    await players[1].click(id('option-2'));
    await waitSubmitEnabled(players[1]);
    await players[1].click(id('submit-button'));
    await players[1].waitForSelector(`${id('submit-feedback')}[data-ticket]`);

    await host.reload();
    await host.waitForSelector(`${id('host-view')}[data-stage="open"]`);
    await waitForCount(host, 'player-row', 3);
    assert.deepEqual(
      await host.$$eval(id('player-row'), (rows) => rows.map((r) => r.getAttribute('data-nickname'))),
      ['Ana', 'Bo', 'Cy'],
      'the reload did not add a player',
    );
    await waitForCount(host, 'ranking-row', 1);
    assert.equal(await host.getAttribute(id('ranking-row'), 'data-nickname'), 'Bo', 'Ana was wrong, Bo (after his reload) right');
    await host.click(id('close-button'));
    await Promise.all(players.map(waitSubmitDisabled));
    assert.equal(await stageOf(players[1], 'player-view'), 'closed');
  });
});

test('a player whose network drops while the question opens comes back in the same seat: the open arrives, the answer counts', { timeout: 90_000 }, async () => {
  await withApp({ pingIntervalMs: 1000 }, async (app) => {
    // Ana's phone reaches the server through a network the test can take down; Bo's does not.
    const wifi = await CuttingProxy.start(Number(new URL(app.url).port));
    try {
      const host = await hostPage(app);
      const code = app.demo!.code;
      const ana = await playerPage(wifi.url, code, 'Ana');
      const bo = await playerPage(app.url, code, 'Bo');
      await host.click(id('show-button'));
      for (const page of [ana, bo]) await page.waitForSelector(`${id('player-view')}[data-stage="shown"]`);
      await ana.click(id('option-2'));
      await bo.click(id('option-1'));

      wifi.offline();
      await ana.waitForSelector(`${id('connection-status')}:not([data-state="open"])`);
      await host.waitForSelector(`${id('player-row')}[data-nickname="Ana"][data-connected="false"]`);
      await host.click(id('open-button'));
      await waitSubmitEnabled(bo);
      assert.equal(await submitEnabled(ana), false, 'offline, Ana cannot have heard the open');
      await ana.screenshot({ path: `${ARTIFACTS}wifi-drop-player-offline.png` });

      wifi.online();
      // No reload, no action: the resumed session delivers the open, and Ana's pick is still there.
      await waitSubmitEnabled(ana);
      await ana.waitForSelector(`${id('connection-status')}[data-state="open"]`);
      await ana.click(id('submit-button'));
      await ana.waitForSelector(`${id('submit-feedback')}[data-ticket]`);
      await host.waitForSelector(`${id('player-row')}[data-nickname="Ana"][data-connected="true"]`);
      await waitForCount(host, 'ranking-row', 1);
      assert.equal(await host.getAttribute(id('ranking-row'), 'data-nickname'), 'Ana');
      assert.deepEqual(
        await host.$$eval(id('player-row'), (rows) => rows.map((r) => r.getAttribute('data-nickname'))),
        ['Ana', 'Bo'],
        'the same seat, not a second one',
      );
    } finally {
      await wifi.close();
    }
  });
});

test('the host makes a quiz in the editor, imports another, starts a session; players join by typing the code', { timeout: 90_000 }, async () => {
  await withApp({ demo: false }, async (app) => {
    const host = await openPage(`${app.url}/host#password=${encodeURIComponent(HOST_PASSWORD)}`, { width: 1280, height: 900 });
    await host.waitForSelector(id('new-quiz'));
    assert.equal(await host.evaluate('location.hash'), '', 'the password left the address bar');
    // The page traded the password for a token and keeps only the token.
    const kept = (await host.evaluate('JSON.stringify(Object.entries(localStorage))')) as string;
    assert.ok(!kept.includes(HOST_PASSWORD), kept);
    assert.match(kept, /baro-quiz:host-token/);

    // The form editor: a mistake is explained, then the quiz is saved.
    await host.click(id('new-quiz'));
    await host.fill(id('editor-title'), 'Editor quiz');
    await host.getByLabel('Question', { exact: true }).fill('Which one is a transport?');
    await host.getByLabel('Option A', { exact: true }).fill('SSE');
    await host.getByLabel('Option B', { exact: true }).fill('CSS');
    await host.fill(id('editor-max-attempts'), '3');
    await host.click(id('editor-save'));
    await host.waitForSelector(id('quiz-item'));
    const [saved] = app.store.listQuizzes();
    assert.equal((saved.body as { maxAttempts?: number }).maxAttempts, 3, 'the tries per question are saved');
    await host.click(id('new-quiz'));
    await host.click(id('editor-save'));
    await host.waitForSelector(`${id('editor-error')}:has-text("title must not be empty")`);
    await host.screenshot({ path: `${ARTIFACTS}editor-errors.png`, fullPage: true });
    await host.getByRole('button', { name: 'Cancel' }).click();

    // A Markdown file, imported; a broken one is refused with the line that is wrong.
    await host.setInputFiles(id('import-file'), { name: 'broken.md', mimeType: 'text/markdown', buffer: Buffer.from('# Broken\n\n## Q?\n- [x] a\nanswer: b\n') });
    await host.waitForSelector(id('import-error'));
    assert.match((await host.textContent(id('import-error')))!, /line \d+/);
    const markdown = '# Imported quiz\nmode: speed\n\n## Capital of Korea?\nAnswer: Seoul | 서울\n';
    await host.setInputFiles(id('import-file'), { name: 'capitals.md', mimeType: 'text/markdown', buffer: Buffer.from(markdown) });
    await host.waitForSelector(`${id('quiz-item')}[data-title="Imported quiz"]`);
    assert.deepEqual(await host.$$eval(id('quiz-item'), (items) => items.map((item) => item.getAttribute('data-title'))), ['Editor quiz', 'Imported quiz']);

    await host.click(`${id('quiz-item')}[data-title="Imported quiz"] ${id('start-live')}`);
    await host.waitForSelector(id('host-join-code'));
    const code = (await host.textContent(id('host-join-code')))!.trim();
    assert.match(code, /^[A-Z2-9]{6}$/);
    assert.match((await host.getAttribute(id('join-qr'), 'src'))!, new RegExp(`/qr/${code}\\.svg$`));

    const player = await openPage(`${app.url}/`);
    await player.fill(id('join-code-input'), code.toLowerCase());
    await player.click(id('join-code-go'));
    await player.fill(id('nickname-input'), '민지');
    await player.click(id('join-button'));
    await player.waitForSelector(`${id('player-view')}[data-phase]`);
    await host.waitForSelector(`${id('player-row')}[data-nickname="민지"]`);

    await host.click(id('show-button'));
    await player.waitForSelector(`${id('player-view')}[data-stage="shown"]`);
    await player.fill(id('answer-input'), '  서울 ');
    assert.equal(await submitEnabled(player), false);
    await host.click(id('open-button'));
    await waitSubmitEnabled(player);
    await player.click(id('submit-button'));
    await player.waitForSelector(`${id('submit-feedback')}:has-text("Correct")`);
    await host.waitForSelector(`${id('ranking-row')}[data-nickname="민지"]`);
    await player.screenshot({ path: `${ARTIFACTS}short-answer-player.png` });
  });
});

test('a player page whose seat is taken by one page too many says so, and stops showing the game', { timeout: 60_000 }, async () => {
  await withApp({ sessionsPerSeat: 2 }, async (app) => {
    const code = app.demo!.code;
    const page = await playerPage(app.url, code, 'Ana');
    const seat = JSON.parse((await page.evaluate(`localStorage.getItem('baro-quiz:seat:${code}')`)) as string) as { playerId: string; secret: string };
    // Two more pages (other devices) take the same seat: the first page is the oldest of three.
    const others = [quizClient(app.url), quizClient(app.url)];
    try {
      for (const other of others) assert.equal((await other.emitWithAck('rejoin', { code, playerId: seat.playerId, secret: seat.secret })).ok, true);
      await page.waitForSelector('.card.error:has-text("This seat was opened on another page or device")');
      assert.equal(await page.$(id('player-view')), null, 'the game is no longer shown');
      await page.screenshot({ path: `${ARTIFACTS}seat-taken-player.png` });
    } finally {
      for (const other of others) other.close();
    }
  });
});
