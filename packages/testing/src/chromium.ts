/**
 * A real browser for end-to-end tests: the system Chromium driven by playwright-core (no browser
 * download; CI runs `apt-get install chromium`), and a tiny HTTP server for the page it opens.
 */
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';

/** Where Debian/Ubuntu packages put the browser; `BARO_CHROMIUM` overrides. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/**
 * Flags for a quiet, isolated browser: no sandbox (CI runs as root in containers), no GPU, no
 * traffic of its own (updates, sync, QUIC probes) that could hide or disturb what a test measures.
 * `--no-proxy-server` keeps a CI machine's proxy variables away from 127.0.0.1 test servers;
 * `--disable-dev-shm-usage` avoids crashes on containers with a 64 MB /dev/shm.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
  '--no-proxy-server',
  '--disable-dev-shm-usage',
];

/**
 * Extra flags for WebRTC between pages of one machine: host candidates carry addresses instead of
 * mDNS names (no multicast needed to resolve them). Chromium leaves out the loopback interface when
 * another exists, so the candidates are the host's own addresses; the traffic never leaves it.
 */
export const WEBRTC_ARGS: readonly string[] = ['--disable-features=WebRtcHideLocalIpsWithMdns', '--allow-loopback-in-peer-connection'];

export interface LaunchChromiumOptions {
  /** The browser binary. Default: `$BARO_CHROMIUM`, else the first of /usr/bin/chromium, /usr/bin/chromium-browser. */
  executablePath?: string;
  /** Appended to `CHROMIUM_ARGS`. */
  args?: readonly string[];
  /** How long the launch may take, in ms. Default 30 s. */
  timeout?: number;
}

/** The Chromium binary to use, or undefined when none is installed. */
export function findChromium(): string | undefined {
  const fromEnv = process.env.BARO_CHROMIUM;
  if (fromEnv) return fromEnv;
  return CANDIDATES.find((path) => existsSync(path));
}

/**
 * Launches headless Chromium. Playwright gives every non-persistent launch a fresh temporary
 * profile (user-data dir) and deletes it on `browser.close()`, so runs never share state.
 * Close the browser in an `after` hook.
 */
export async function launchChromium(options: LaunchChromiumOptions = {}): Promise<Browser> {
  const executablePath = options.executablePath ?? findChromium();
  if (!executablePath) {
    throw new Error(`no Chromium found (looked at ${CANDIDATES.join(', ')}); install it (apt-get install chromium) or set BARO_CHROMIUM`);
  }
  // Loaded on first use: playwright-core takes about a second to import, and most files that use
  // this kit (codec tests) never open a browser.
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
    timeout: options.timeout ?? 30_000,
  });
}

export interface PageServer {
  /** The HTTP server: attach a WebSocket server to it to serve page and socket from one origin. */
  readonly server: Server;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** The page's address. */
  readonly url: string;
  /** `ws://127.0.0.1:<port><path>` */
  wsUrl(path?: string): string;
  /** Stops listening and drops every HTTP connection (upgraded sockets belong to their WebSocket server). */
  close(): Promise<void>;
}

export interface ServePageOptions {
  /** Where the page is served. Default `/`. */
  path?: string;
  /** Answers requests for other paths; default 404. */
  fallback?: (request: IncomingMessage, response: ServerResponse) => void;
}

/**
 * Serves one HTML page from a fresh `http.createServer` on 127.0.0.1 and a free port.
 * `html` may be a function of the request, for pages that depend on the query string.
 */
export async function servePage(html: string | ((request: IncomingMessage) => string), options: ServePageOptions = {}): Promise<PageServer> {
  const pagePath = options.path ?? '/';
  const server = createServer((request, response) => {
    const { pathname } = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method === 'GET' && pathname === pagePath) {
      const body = typeof html === 'string' ? html : html(request);
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body) });
      response.end(body);
    } else if (options.fallback) {
      options.fallback(request, response);
    } else {
      response.writeHead(404, { 'Content-Type': 'text/plain' });
      response.end('not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    server,
    port,
    origin,
    url: origin + pagePath,
    wsUrl: (path = '/') => `ws://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
