/**
 * Moderation in real Chromium: the host removes a player (their answers stop counting, their page
 * says so, their seat and nickname are closed to them), closes and reopens entry (the seated still
 * come back), and a nickname from the club's word list is refused.
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '@baro/testing';
import { HOST_PASSWORD, startTestApp } from '../test-support/quiz-clients.js';
import { animationsFinished, ARTIFACTS, expectNoCspViolations, hostPage, id, openPage, playerPage, waitStage } from './browser-support.js';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser?.close());
afterEach(expectNoCspViolations);

const row = (nickname: string) => `${id('player-row')}[data-nickname="${nickname}"]`;

async function tryJoin(page: Page, nickname: string): Promise<void> {
  await page.fill(id('nickname-input'), nickname);
  await page.click(id('join-button'));
}

test('kick: the removed player is told, leaves the rankings, and cannot come back; lock: no new players, the seated return', { timeout: 90_000 }, async () => {
  const app = await startTestApp({ blockedNicknameWords: ['badword', '욕설'] });
  try {
    const host = await hostPage(browser, app.url, app.demo!.liveId);
    const code = app.demo!.code;
    const troll = await playerPage(browser, app.url, code, 'Troll');
    const ana = await playerPage(browser, app.url, code, 'Ana');

    await host.click(id('show-button'));
    for (const page of [troll, ana]) await waitStage(page, 'player-view', 'shown');
    await host.click(id('open-button'));
    for (const page of [troll, ana]) {
      await page.click(id('option-2'));
      await page.waitForSelector(`${id('submit-button')}:not([disabled])`);
      await page.click(id('submit-button'));
      await page.waitForSelector(`${id('submit-feedback')}[data-ticket]`);
    }
    await host.click(id('close-button'));
    await host.waitForSelector(`${id('ranking-row')}[data-rank="1"][data-nickname="Troll"]`);

    await host.click(`${row('Troll')} ${id('kick-button')}`);
    await host.waitForSelector(`${row('Troll')} ${id('kick-button-dialog')}[open]`);
    await host.screenshot({ path: `${ARTIFACTS}moderation-confirm-kick.png` });
    await host.click(`${row('Troll')} ${id('confirm-yes')}`);
    await troll.waitForSelector(id('kicked'));
    await host.waitForSelector(row('Troll'), { state: 'detached' });
    // Troll's answer no longer counts: Ana, second to answer, is the question's first now.
    await host.waitForSelector(`${id('ranking-row')}[data-rank="1"][data-nickname="Ana"]`);
    await ana.waitForSelector(`${id('placement')}[data-placement="1"]`);
    await troll.screenshot({ path: `${ARTIFACTS}moderation-kicked-player.png` });

    // Back after a reload: no seat any more, and the nickname stays taken.
    await troll.reload();
    await tryJoin(troll, 'Troll');
    await troll.waitForSelector(`${id('join-error')}:has-text("taken")`);

    // Entry closed: a newcomer is refused, Ana (seated) comes back after a reload.
    await host.click(id('lock-button'));
    await host.waitForSelector(`${id('lobby-lock')}[data-locked="true"]`);
    const late = await openPage(browser, `${app.url}/join/${code}`);
    await tryJoin(late, 'Late');
    await late.waitForSelector(`${id('join-error')}:has-text("closed entry")`);
    await ana.reload();
    await ana.waitForSelector(`${id('player-view')}[data-phase="ongoing"]`);
    await host.screenshot({ path: `${ARTIFACTS}moderation-locked-host.png`, fullPage: true });

    // Reopened: the newcomer gets in, but not under a name from the club's list.
    await host.click(id('lock-button'));
    await host.waitForSelector(`${id('lobby-lock')}[data-locked="false"]`);
    await tryJoin(late, 'the BAD-word one');
    await late.waitForSelector(`${id('join-error')}:has-text("not allowed")`);
    await tryJoin(late, 'Late');
    await late.waitForSelector(`${id('player-view')}[data-phase]`);
    await host.waitForSelector(row('Late'));
    assert.deepEqual(await host.$$eval(id('player-row'), (rows) => rows.map((r) => r.getAttribute('data-nickname'))), ['Ana', 'Late']);

    // The export, as the browser saves it: UTF-8 with a byte order mark; the removed player's answer kept and marked.
    const [download] = await Promise.all([host.waitForEvent('download'), host.click(id('export-submissions'))]);
    const bytes = readFileSync((await download.path())!);
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 byte order mark');
    const lines = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(3)).trim().split('\r\n');
    assert.equal(lines.length, 3);
    assert.match(lines[1], /,Troll,3\. WebSocket,1,yes,\d+(\.\d+)?,,yes$/);
    assert.match(lines[2], /,Ana,3\. WebSocket,1,yes,\d+(\.\d+)?,,no$/, 'the page measured the reaction time; it passed the check');

    // The results page, opened later from the list of sessions: each question's stats, each player's answers.
    await host.goto(`${app.url}/host`);
    await host.click(`${id('live-item')} a[href^="/host/results/"]`);
    await host.waitForSelector(id('results-page'));
    assert.equal((await host.$$(id('results-question'))).length, 6);
    assert.equal((await host.$$(`${id('results-question')}[data-played="true"]`)).length, 1);
    await host.click(`${id('results-player')}[data-nickname="Ana"] summary`);
    assert.match((await host.textContent(`${id('results-player')}[data-nickname="Ana"]`))!, /3\. WebSocket/);
    assert.equal(await host.$(`${id('results-player')}[data-nickname="Troll"]`), null, 'the removed player is not in the game');
    await animationsFinished(host);
    await host.screenshot({ path: `${ARTIFACTS}results-page.png`, fullPage: true });

    // Archived: folded away in the list, kept whole, and brought back.
    const archive = (body: unknown, liveId = app.demo!.liveId) =>
      fetch(`${app.url}/api/live/${liveId}/archive`, { method: 'POST', headers: { authorization: `Bearer ${HOST_PASSWORD}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await archive({ archived: 'yes' })).status, 400);
    assert.equal((await archive({ archived: true }, 'no-such-session')).status, 404);
    await host.goto(`${app.url}/host`);
    await host.click(`${id('live-item')}[data-archived="false"] ${id('archive-live')}`);
    await host.waitForSelector(`${id('archived-lives')} ${id('live-item')}[data-archived="true"]`, { state: 'attached' });
    assert.equal(await host.$(`${id('live-item')}[data-archived="false"]`), null);
    await host.click(`${id('archived-lives')} summary`);
    await host.click(`${id('live-item')}[data-archived="true"] ${id('archive-live')}`);
    await host.waitForSelector(`${id('live-item')}[data-archived="false"]`);
  } finally {
    await app.dispose();
  }
});
