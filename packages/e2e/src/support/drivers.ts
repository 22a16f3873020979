/**
 * One way to drive the kit from a test, wherever the client runs: in this Node process (with
 * baro's `WebSocket` class, which has the browser's API) or in a Chromium page.
 */
import { connect, type ClientOptions, type WebSocketConstructor } from '@baro/client';
import { WebSocket } from 'baro';
import type { Browser, Page } from 'playwright-core';
import { createKit, type ClientInfo, type Kit, type Plain, type PlainClientOptions } from './kit.js';
import { waitFor, withTimeout } from './wait.js';

/** Bound on one call into the page, seen from Node. */
const EVALUATE_MS = 20_000;

export interface KitDriver {
  readonly where: 'node' | 'chromium';
  call<M extends keyof Kit>(method: M, ...args: Parameters<Kit[M]>): Promise<Awaited<ReturnType<Kit[M]>>>;
}

export function nodeDriver(baseUrl: string, defaults: ClientOptions = {}): KitDriver {
  const kit = createKit(connect, baseUrl, { WebSocket: WebSocket as unknown as WebSocketConstructor, ...defaults });
  return {
    where: 'node',
    call: async (method, ...args) => (kit[method] as (...a: unknown[]) => unknown)(...args) as never,
  };
}

export function pageDriver(page: Page): KitDriver {
  return {
    where: 'chromium',
    call: (method, ...args) =>
      withTimeout(
        page.evaluate(
          ([name, list]) => (window as unknown as { kit: Record<string, (...a: unknown[]) => unknown> }).kit[name](...list),
          [method, args] as [string, unknown[]],
        ) as Promise<never>,
        EVALUATE_MS,
        `page call kit.${method}`,
      ),
  };
}

/** Opens a page at `url` and waits for its kit (the bundle imported as a module). */
export async function openKitPage(browser: Browser, url: string): Promise<{ page: Page; driver: KitDriver; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  await page.goto(url, { timeout: 10_000 });
  await page.waitForFunction(() => (window as unknown as { kitReady?: boolean }).kitReady === true, undefined, { timeout: 10_000 });
  return { page, driver: pageDriver(page), errors };
}

/** One client of the kit, by id. */
export class RemoteClient {
  constructor(
    readonly driver: KitDriver,
    readonly id: string,
  ) {}

  static async open(driver: KitDriver, id: string, options: PlainClientOptions = {}, url?: string): Promise<RemoteClient> {
    await driver.call('open', id, options, ...(url === undefined ? [] : [url]) as [string]);
    return new RemoteClient(driver, id);
  }

  info(): Promise<ClientInfo> {
    return this.driver.call('info', this.id);
  }

  /**
   * Waits until the client is open (bounded) and returns its info. Unless `allowRetries`, a
   * `reconnecting` or `closed` state before that fails at once: a transport it was told to use
   * did not open.
   */
  async opened({ timeout = 6000, allowRetries = false }: { timeout?: number; allowRetries?: boolean } = {}): Promise<ClientInfo> {
    let info: ClientInfo | undefined;
    const what = `client ${this.id} (${this.driver.where}) to open`;
    await waitFor(
      async () => {
        info = await this.info();
        if (info.state === 'open' && info.sid !== null) return true;
        if (!allowRetries && info.states.some((event) => event.type === 'reconnecting' || event.type === 'closed')) {
          throw new Error(`${what}: it gave up instead; states ${JSON.stringify(info.states)}`);
        }
        return false;
      },
      what,
      { timeout, every: 20, detail: () => info },
    );
    return info!;
  }

  received(name: string): Promise<Plain[]> {
    return this.driver.call('received', this.id, name);
  }

  count(name: string): Promise<number> {
    return this.driver.call('count', this.id, name);
  }

  emit(name: string, data: Plain): Promise<boolean> {
    return this.driver.call('emit', this.id, name, data);
  }

  emitNumbers(name: string, from: number, to: number): Promise<number> {
    return this.driver.call('emitNumbers', this.id, name, from, to);
  }

  emitWithAck(name: string, data: Plain, timeout?: number) {
    return this.driver.call('emitWithAck', this.id, name, data, ...(timeout === undefined ? [] : [timeout]) as [number]);
  }

  async waitCount(name: string, count: number, timeout = 5000): Promise<void> {
    let seen = 0;
    await waitFor(async () => (seen = await this.count(name)) >= count, `${count} "${name}" events at client ${this.id} (${this.driver.where})`, {
      timeout,
      every: 20,
      detail: () => seen,
    });
  }

  close(): Promise<void> {
    return this.driver.call('close', this.id);
  }
}

/** Byte arrays in the plain form the kit uses. */
export const bytes = (values: Iterable<number>): Plain => ({ $bytes: Array.from(values) });
