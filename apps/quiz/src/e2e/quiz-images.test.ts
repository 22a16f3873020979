/**
 * Pictures in real Chromium: the host adds one to a question and one to an option in the editor
 * (a file too large or not a picture is refused with a message), and the phone and the presenter
 * screen show them.
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '@baro/testing';
import { IMAGE_MAX_BYTES } from '../domain/image-type.js';
import { TINY_PNG } from '../test-support/images.js';
import { HOST_PASSWORD, startTestApp } from '../test-support/quiz-clients.js';
import { ARTIFACTS, expectNoCspViolations, id, LAPTOP, openPage, playerPage, waitStage } from './browser-support.js';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser?.close());
afterEach(expectNoCspViolations);

// A function, not a string: Playwright runs a string predicate with eval, which the pages' CSP refuses.
// (The cast is types only: this project compiles without DOM types; the function runs in the page.)
type ImageDom = { document: { querySelector(selector: string): { complete: boolean; naturalWidth: number } | null } };
const loaded = (page: Page, selector: string) =>
  page.waitForFunction((css) => {
    const img = (globalThis as unknown as ImageDom).document.querySelector(css);
    return img !== null && img.complete && img.naturalWidth > 0;
  }, selector);

test('pictures: added in the editor within the limits, shown on the phone and the presenter screen', { timeout: 90_000 }, async () => {
  const app = await startTestApp({ demo: false });
  try {
    const host = await openPage(browser, `${app.url}/host#password=${encodeURIComponent(HOST_PASSWORD)}`, { viewport: LAPTOP });
    await host.click(id('new-quiz'));
    await host.fill(id('editor-title'), 'Pictures');
    await host.getByLabel('Question', { exact: true }).fill('Which one is the logo?');
    await host.getByLabel('Option A', { exact: true }).fill('This one');
    await host.getByLabel('Option B', { exact: true }).fill('That one');

    // Refused before any upload: too large, or not a picture type.
    await host.setInputFiles(id('question-image-0-file'), { name: 'huge.png', mimeType: 'image/png', buffer: Buffer.alloc(IMAGE_MAX_BYTES + 1) });
    await host.waitForSelector(`${id('question-image-0-error')}:has-text("larger than 1 MB")`);
    await host.setInputFiles(id('question-image-0-file'), { name: 'notes.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg/>') });
    await host.waitForSelector(`${id('question-image-0-error')}:has-text("Only PNG")`);
    // Says PNG, is not: the server reads the bytes and refuses it.
    await host.setInputFiles(id('question-image-0-file'), { name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('not a picture at all') });
    await host.waitForSelector(`${id('question-image-0-error')}:has-text("not a PNG")`);

    await host.setInputFiles(id('question-image-0-file'), { name: 'logo.png', mimeType: 'image/png', buffer: TINY_PNG });
    await loaded(host, `${id('question-image-0-preview')}`);
    await host.setInputFiles(id('option-image-0-1-file'), { name: 'b.png', mimeType: 'image/png', buffer: TINY_PNG });
    await loaded(host, `${id('option-image-0-1-preview')}`);
    await host.screenshot({ path: `${ARTIFACTS}images-editor.png`, fullPage: true });
    await host.click(id('editor-save'));
    await host.click(`${id('quiz-item')}[data-title="Pictures"] ${id('start-live')}`);
    await host.waitForSelector(id('host-join-code'));
    const code = (await host.textContent(id('host-join-code')))!.trim();
    const [presenter] = await Promise.all([host.context().waitForEvent('page'), host.click(id('open-presenter'))]);
    await presenter.waitForSelector(id('presenter-lobby'));

    const phone = await playerPage(browser, app.url, code, 'Ana');
    await host.click(id('show-button'));
    await waitStage(phone, 'player-view', 'shown');
    await loaded(phone, id('question-image'));
    await loaded(phone, `${id('option-1')} img`);
    assert.equal(await phone.$(`${id('option-0')} img`), null, 'option A has no picture');
    await loaded(presenter, id('presenter-image'));
    await phone.screenshot({ path: `${ARTIFACTS}images-phone.png` });
    await presenter.screenshot({ path: `${ARTIFACTS}images-presenter.png` });
  } finally {
    await app.dispose();
  }
});
