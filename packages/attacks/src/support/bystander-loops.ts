/**
 * A bystander's loops: an ordinary client that keeps doing round trips (echo, or a page load) while
 * an attack runs, so a test can show the server kept serving others. Bounded in count and time.
 * They run in a process of their own (bystander-process.ts), never beside the attacker's.
 */
import { request as httpRequest } from 'node:http';
import { WebSocket } from 'baro';
import { connect, type TransportName } from '@baro/client';
import { http, packetsIn } from './raw-http.js';
import { pause, within } from './wait.js';

/**
 * The stated bounds on a bystander's round trips while an attack runs: 95% within 1 s, and every
 * one within 4 s (else it counts as a failure). Generous: CI and this machine have 2 cores shared
 * with other work (an idle SSE echo alone peaked at ~490 ms under a load average of 20); an attack
 * that starves the event loop still breaks them by far.
 */
export const BYSTANDER_BOUND_MS = 1000;
export const BYSTANDER_LIMIT_MS = 4 * BYSTANDER_BOUND_MS;
const MAX_ROUND_TRIPS = 20_000;
const INTERVAL_MS = 20;

export interface BystanderReport {
  roundTrips: number;
  maxMs: number;
  p95Ms: number;
  p99Ms: number;
  /** Round trips that failed or took longer than BYSTANDER_LIMIT_MS (message, in order). */
  failures: string[];
}

export interface Bystander {
  /** Resolves after at least `count` more round trips completed (bounded). */
  roundTripsDone(count: number, timeoutMs?: number): Promise<void>;
  /** Forgets the round trips so far (the warm-up: connecting, a transport's first requests). */
  reset(): void;
  /** The round trips so far, without stopping. */
  report(): BystanderReport;
  stop(): Promise<BystanderReport>;
}

/** Runs `roundTrip` in a loop, one at a time, until stopped. */
export function runBystander(roundTrip: (n: number) => Promise<void>, close: () => void | Promise<void> = () => {}): Bystander {
  const times: number[] = [];
  const failures: string[] = [];
  let stopped = false;
  const loop = (async () => {
    for (let n = 0; n < MAX_ROUND_TRIPS && !stopped; n++) {
      const started = performance.now();
      try {
        await within(roundTrip(n), BYSTANDER_LIMIT_MS, `bystander round trip ${n}`);
        times.push(performance.now() - started);
      } catch (error) {
        failures.push((error as Error).message);
        if (failures.length > 20) break;
      }
      await pause(INTERVAL_MS);
    }
  })();
  return {
    async roundTripsDone(count, timeoutMs = 10_000) {
      const target = Math.min(times.length + count, MAX_ROUND_TRIPS);
      const deadline = Date.now() + timeoutMs;
      while (times.length < target) {
        if (Date.now() > deadline || failures.length > 20) throw new Error(`bystander: ${times.length}/${target} round trips; failures: ${failures.slice(0, 3).join('; ')}`);
        await pause(INTERVAL_MS);
      }
    },
    reset() {
      times.length = 0;
      failures.length = 0;
    },
    report() {
      const sorted = [...times].sort((a, b) => a - b);
      const quantile = (q: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Infinity);
      return { roundTrips: sorted.length, maxMs: Math.round(sorted.at(-1) ?? Infinity), p95Ms: quantile(0.95), p99Ms: quantile(0.99), failures: [...failures] };
    },
    async stop() {
      stopped = true;
      await loop;
      await close();
      return this.report();
    },
  };
}

/** Which bystander to run, as the child process is told. */
export type BystanderSpec =
  | { kind: 'websocket'; port: number; path?: string }
  | { kind: 'session'; url: string; transport?: TransportName }
  | { kind: 'http'; url: string; path: string; localAddress?: string }
  | { kind: 'polling'; url: string; localAddress?: string }
  | { kind: 'engineio'; port: number };

export function startBystander(spec: BystanderSpec): Promise<Bystander> {
  switch (spec.kind) {
    case 'websocket':
      return websocketBystander(spec.port, spec.path);
    case 'session':
      return sessionBystander(spec.url, spec.transport);
    case 'http':
      return httpBystander(spec.url, spec.path, spec.localAddress);
    case 'polling':
      return pollingBystander(spec.url, spec.localAddress);
    case 'engineio':
      return engineioBystander(spec.port);
  }
}

/** Echo round trips over baro's own WebSocket client against an echo server. */
export function websocketBystander(port: number, path = '/'): Promise<Bystander> {
  return echoOverWebSocket(`ws://127.0.0.1:${port}${path}`, 'bystander ');
}

/** Echo round trips of Engine.IO messages (`4…`) over an Engine.IO WebSocket; pings are answered. */
export function engineioBystander(port: number): Promise<Bystander> {
  return echoOverWebSocket(`ws://127.0.0.1:${port}/engine.io/?EIO=4&transport=websocket`, '4bystander ', { ping: '2', pong: '3' });
}

/** Round trips of `${prefix}${n}` texts, each done when the server sends it back. */
async function echoOverWebSocket(url: string, prefix: string, heartbeat?: { ping: string; pong: string }): Promise<Bystander> {
  const socket = new WebSocket(url);
  await within(new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = () => reject(new Error('the bystander could not connect'));
  }), 5000, 'the bystander connects');
  let waiting: ((text: string) => void) | null = null;
  socket.onmessage = (event) => {
    const text = String(event.data);
    if (heartbeat && text === heartbeat.ping) socket.send(heartbeat.pong);
    else waiting?.(text);
  };
  const bystander = runBystander(
    (n) =>
      new Promise<void>((resolve) => {
        const expected = `${prefix}${n}`;
        waiting = (text) => text === expected && resolve();
        socket.send(expected);
      }),
    () => socket.close(),
  );
  await bystander.roundTripsDone(3);
  bystander.reset();
  return bystander;
}

/** Echo round trips over a baro session (`echo` event with an ack) on one transport. */
export async function sessionBystander(url: string, transport: TransportName = 'websocket'): Promise<Bystander> {
  const client = connect(url, { transports: [transport], WebSocket: WebSocket as never, pollInterval: 50, reconnect: false });
  const bystander = runBystander(
    async (n) => {
      const reply = await client.emitWithAck('echo', n, { timeout: BYSTANDER_LIMIT_MS });
      if (reply !== n) throw new Error(`bystander: echo ${n} answered ${JSON.stringify(reply)}`);
    },
    () => client.close(),
  );
  await bystander.roundTripsDone(3);
  bystander.reset();
  return bystander;
}

/** Page loads (`GET path`, each on a new connection) from a given loopback address. */
export async function httpBystander(url: string, path: string, localAddress = '127.0.0.2'): Promise<Bystander> {
  const target = new URL(path, url);
  const bystander = runBystander(
    () =>
      new Promise<void>((resolve, reject) => {
        const request = httpRequest({ host: target.hostname, port: target.port, path: target.pathname, localAddress, agent: false }, (response) => {
          response.resume();
          response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`bystander: GET ${path} answered ${response.statusCode}`))));
        });
        request.on('error', reject);
        request.end();
      }),
  );
  await bystander.roundTripsDone(3);
  bystander.reset();
  return bystander;
}

/**
 * Echo round trips over one polling session opened from another loopback address (so per-address
 * limits on 127.0.0.1 leave it alone): `POST /baro/send` an echo, long-poll until its answer.
 */
export async function pollingBystander(url: string, localAddress = '127.0.0.2'): Promise<Bystander> {
  const opened = await http(`${url}/baro/poll?wait=0`, { localAddress });
  const open = packetsIn(opened.body).find((packet) => packet[0] === 'o');
  if (opened.status !== 200 || !open) throw new Error(`the bystander could not open a session: ${opened.status} ${opened.body}`);
  const { sid, token } = open[1] as { sid: string; token: string };
  let seq = 0;
  const bystander = runBystander(async (n) => {
    const cseq = n + 1;
    const sent = await http(`${url}/baro/send?sid=${sid}&token=${token}`, { method: 'POST', headers: { 'Content-Type': 'application/x-ndjson' }, body: JSON.stringify(['e', cseq, 'echo', n, cseq]), localAddress });
    if (sent.status !== 200) throw new Error(`bystander: POST answered ${sent.status}`);
    for (let polls = 0; polls < 10; polls++) {
      const polled = await http(`${url}/baro/poll?wait=1&sid=${sid}&token=${token}&seq=${seq}`, { localAddress });
      if (polled.status !== 200) throw new Error(`bystander: poll answered ${polled.status}`);
      for (const packet of packetsIn(polled.body)) {
        if (packet[0] === 'e' || packet[0] === 'a') seq = Math.max(seq, packet[1] as number);
        if (packet[0] === 'a' && packet[2] === cseq) return;
      }
    }
    throw new Error(`bystander: no answer to echo ${n}`);
  });
  await bystander.roundTripsDone(3);
  bystander.reset();
  return bystander;
}
