/**
 * The peer-to-peer workload: N Chromium pages in a mesh (`@baro/client/peers`), each sending to
 * every other at a fixed rate, once with direct data channels and once relayed through the server.
 * What it measures is what the server pays: bytes at its TCP sockets and CPU per delivered message,
 * beside the delivery latency page to page.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchChromium, servePage, WEBRTC_ARGS } from '@baro/testing';
import type { Browser, Page } from 'playwright-core';
import { ServerChild } from './lab.js';
import type { FromServer } from './shared.js';
import { summarize, type LatencySummary } from './stats.js';

export type PeerMode = 'direct' | 'relayed';

export interface PeerOptions {
  /** Pages in the mesh. */
  peers: number;
  /** Seconds of sending. */
  duration: number;
  /** Messages per second from each page to each other page. */
  rate: number;
  log?: (line: string) => void;
}

export const PEER_DEFAULTS = { peers: 4, duration: 10, rate: 20 };
export const PEER_QUICK = { peers: 3, duration: 3, rate: 20 };

export interface PeerResult {
  mode: PeerMode;
  peers: number;
  durationMs: number;
  /** Messages sent (each to one peer) and delivered. */
  sent: number;
  delivered: number;
  /** Every page saw every peer's messages in order, none missing or repeated. */
  inOrder: boolean;
  /** The path every peer was on while sending. */
  paths: string[];
  /** Server bytes (both directions, at its sockets) to form the mesh: sessions, joins, signalling. */
  setupBytes: number;
  /** Server bytes while the messages flowed, and per delivered message. */
  bytes: number;
  bytesPerMessage: number;
  signallingBytes: number;
  relayedBytes: number;
  cpuMs: number;
  cpuMsPer1000: number;
  latency: LatencySummary;
}

const dist = fileURLToPath(new URL('../../../packages/client/dist/', import.meta.url));

/** The page: loads the client and the peers bundles, and exposes `window.lab` to the driver. */
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>baro lab peers</title></head><body><script type="module">
import { connect } from '/baro-client.js';
import { createPeers } from '/baro-peers.js';
const now = () => performance.timeOrigin + performance.now();
let client, peers, delivered = 0, inOrder = true;
const latencies = [], last = new Map();
window.lab = {
  async open(url, direct) {
    client = connect(url, { transports: ['websocket'] });
    await new Promise((resolve) => client.onState((event) => event.type === 'open' && resolve()));
    peers = createPeers(client, { direct });
    peers.onPeer((peer) => peer.on('m', ({ i, t }) => {
      latencies.push(now() - t);
      if (i !== (last.get(peer.id) ?? -1) + 1) inOrder = false;
      last.set(peer.id, i);
      delivered++;
    }));
    await peers.joinMesh('lab');
  },
  paths() { return peers.list.map((peer) => peer.path); },
  async send(rate, seconds) {
    const count = Math.round(rate * seconds), start = now();
    let sent = 0;
    for (let i = 0; i < count; i++) {
      const wait = start + (i * 1000) / rate - now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      for (const peer of peers.list) if (peer.emit('m', { i, t: now(), text: 'a stroke, a cursor or a chat line' })) sent++;
    }
    return sent;
  },
  result() { return { delivered, inOrder, latencies }; },
};
window.labReady = true;
</script></body></html>`;

interface LabWindow {
  lab: {
    open(url: string, direct: boolean): Promise<void>;
    paths(): string[];
    send(rate: number, seconds: number): Promise<number>;
    result(): { delivered: number; inOrder: boolean; latencies: number[] };
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the mesh direct, then relayed; one browser for both. */
export async function runPeerToPeer(options: PeerOptions): Promise<PeerResult[]> {
  const bundles = { '/baro-client.js': `${dist}baro-client.min.js`, '/baro-peers.js': `${dist}baro-peers.min.js` };
  for (const file of Object.values(bundles)) if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build`);
  const pages = await servePage(PAGE, {
    fallback: (request, response) => {
      const file = bundles[request.url as keyof typeof bundles];
      if (!file) return void response.writeHead(404).end();
      response.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(readFileSync(file));
    },
  });
  const browser = await launchChromium({ args: WEBRTC_ARGS });
  try {
    const results: PeerResult[] = [];
    for (const mode of ['direct', 'relayed'] as const) {
      options.log?.(`  p2p: ${options.peers} pages, ${mode}…`);
      results.push(await runMode(browser, pages.url, mode, options));
    }
    return results;
  } finally {
    await browser.close();
    await pages.close();
  }
}

async function runMode(browser: Browser, pageUrl: string, mode: PeerMode, options: PeerOptions): Promise<PeerResult> {
  const server = new ServerChild({ label: 'p2p', transport: 'websocket', peers: true });
  const contexts = [];
  try {
    const { port } = await server.next('ready');
    const report = async (): Promise<Extract<FromServer, { type: 'report' }>> => {
      server.send({ type: 'report' });
      return server.next('report');
    };
    const tabs: Page[] = [];
    for (let index = 0; index < options.peers; index++) {
      const context = await browser.newContext();
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(pageUrl);
      await page.waitForFunction(() => (window as unknown as { labReady?: boolean }).labReady === true, undefined, { timeout: 10_000 });
      await page.evaluate(([url, direct]) => (window as unknown as LabWindow).lab.open(url as string, direct as boolean), [`http://127.0.0.1:${port}`, mode === 'direct'] as const);
      tabs.push(page);
    }
    const want = mode === 'direct' ? 'direct' : 'relay';
    const formedBy = Date.now() + 30_000;
    let paths: string[] = [];
    for (;;) {
      paths = (await Promise.all(tabs.map((page) => page.evaluate(() => (window as unknown as LabWindow).lab.paths())))).flat();
      if (paths.length === options.peers * (options.peers - 1) && paths.every((path) => path === want)) break;
      if (Date.now() > formedBy) throw new Error(`p2p ${mode}: the mesh did not form within 30 s (paths: ${paths.join(', ')})`);
      await sleep(50);
    }

    const before = await report();
    const started = Date.now();
    const sent = (await Promise.all(tabs.map((page) => page.evaluate(([rate, seconds]) => (window as unknown as LabWindow).lab.send(rate, seconds), [options.rate, options.duration] as const)))).reduce((a, b) => a + b, 0);
    const results = () => Promise.all(tabs.map((page) => page.evaluate(() => (window as unknown as LabWindow).lab.result())));
    const deadline = Date.now() + 20_000;
    let seen = await results();
    while (seen.reduce((sum, r) => sum + r.delivered, 0) < sent && Date.now() < deadline) {
      await sleep(50);
      seen = await results();
    }
    const durationMs = Date.now() - started;
    const after = await report();
    const delivered = seen.reduce((sum, r) => sum + r.delivered, 0);
    const wire = (r: typeof before) => r.wire.bytesRead + r.wire.bytesWritten;
    const bytes = wire(after) - wire(before);
    const cpuMs = (after.cpuMicros - before.cpuMicros) / 1000;
    return {
      mode,
      peers: options.peers,
      durationMs,
      sent,
      delivered,
      inOrder: seen.every((r) => r.inOrder),
      paths: [...new Set(paths)],
      setupBytes: wire(before),
      bytes,
      bytesPerMessage: delivered > 0 ? bytes / delivered : Number.NaN,
      signallingBytes: after.peers?.signallingBytes ?? 0,
      relayedBytes: after.peers?.relayedBytes ?? 0,
      cpuMs,
      cpuMsPer1000: delivered > 0 ? (cpuMs / delivered) * 1000 : Number.NaN,
      latency: summarize(seen.flatMap((r) => r.latencies)),
    };
  } finally {
    await Promise.all(contexts.map((context) => context.close()));
    await server.stop();
  }
}
