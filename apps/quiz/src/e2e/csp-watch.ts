import type { Page } from 'playwright-core';

/**
 * Collects what a page's Content-Security-Policy refuses, into `violations` (page URL and what was
 * refused), so that a test can fail on it: the server's headers must let the built app run whole.
 * Call before the page's first navigation.
 */
export async function watchCsp(page: Page, violations: string[]): Promise<void> {
  await page.addInitScript(
    `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));`,
  );
  page.on('console', (message) => {
    if (/CSP violation|Content Security Policy/.test(message.text())) violations.push(`${page.url()}: ${message.text()}`);
  });
}
