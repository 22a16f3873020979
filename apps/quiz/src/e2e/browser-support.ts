/** Chromium pages for the quiz's end-to-end tests: a browser context per person, as on their own device. */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { HOST_PASSWORD } from '../test-support/quiz-clients.js';

export const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/quiz/', import.meta.url));
mkdirSync(ARTIFACTS, { recursive: true });

export const id = (testId: string) => `[data-testid="${testId}"]`;
export const PHONE = { width: 360, height: 640 };
export const LAPTOP = { width: 1280, height: 800 };

export interface PageOptions {
  viewport?: { width: number; height: number };
  /** The browser's languages (`navigator.languages`); default English. */
  locale?: string;
  reducedMotion?: 'reduce' | 'no-preference';
  colorScheme?: 'light' | 'dark';
}

/** What the pages' Content-Security-Policy refused, in every context made here (the server's headers must let the built app run whole). */
const cspViolations: string[] = [];
const REPORT_CSP_VIOLATIONS = `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));`;

/** For `afterEach`: fails the test if any page broke its Content-Security-Policy during it. */
export function expectNoCspViolations(): void {
  assert.deepEqual(cspViolations.splice(0), [], 'no page broke its Content-Security-Policy');
}

export async function newContext(browser: Browser, options: PageOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: options.viewport ?? PHONE,
    locale: options.locale ?? 'en-US',
    reducedMotion: options.reducedMotion ?? 'no-preference',
    colorScheme: options.colorScheme ?? 'light',
  });
  await context.addInitScript(REPORT_CSP_VIOLATIONS);
  context.on('console', (message) => {
    if (/CSP violation|Content Security Policy/.test(message.text())) cspViolations.push(`${message.page()?.url() ?? '?'}: ${message.text()}`);
  });
  return context;
}

export async function openPage(browser: Browser, url: string, options: PageOptions = {}): Promise<Page> {
  const page = await (await newContext(browser, options)).newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(url);
  return page;
}

/** The host's control room of a live session, signed in through the link `npm start` prints. */
export async function hostPage(browser: Browser, url: string, liveId: string, options: PageOptions = {}): Promise<Page> {
  const page = await openPage(browser, `${url}/host#password=${encodeURIComponent(HOST_PASSWORD)}`, { viewport: LAPTOP, ...options });
  await page.waitForSelector(id('quiz-list'));
  await page.goto(`${url}/host/live/${liveId}`);
  await page.waitForSelector(id('host-join-code'));
  return page;
}

export async function playerPage(browser: Browser, url: string, code: string, nickname: string, options: PageOptions = {}): Promise<Page> {
  const page = await openPage(browser, `${url}/join/${code}`, options);
  await page.fill(id('nickname-input'), nickname);
  await page.click(id('join-button'));
  await page.waitForSelector(`${id('player-view')}[data-phase]`);
  return page;
}

export const waitStage = async (page: Page, testId: string, stage: string): Promise<void> => void await page.waitForSelector(`${id(testId)}[data-stage="${stage}"]`);

// Page-side code is a function, not a string: Playwright runs a string predicate with eval, which
// the pages' CSP refuses. (The cast is types only: this project compiles without DOM types.)
type AnimationDom = { document: { getAnimations(): { playState: string }[] } };
/** Before a screenshot: every CSS animation of the page has run to its end. */
export const animationsFinished = async (page: Page): Promise<void> =>
  void (await page.waitForFunction(() => (globalThis as unknown as AnimationDom).document.getAnimations().every((animation) => animation.playState === 'finished')));
