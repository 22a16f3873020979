/**
 * A bystander: an ordinary client that keeps doing round trips (echo, or a page load) while an
 * attack runs, so a test can show the server kept serving others. Bounded in count and time.
 */
import { request as httpRequest } from 'node:http';
import { WebSocket } from 'baro';
import { connect, type TransportName } from '@baro/client';
import { pause, within } from './wait.js';

/** The stated bound on a bystander's round trip while an attack runs (generous: 2 shared cores). */
export const BYSTANDER_BOUND_MS = 500;
const MAX_ROUND_TRIPS = 20_000;
const INTERVAL_MS = 20;

export interface BystanderReport {
  roundTrips: number;
  maxMs: number;
  p99Ms: number;
  /** Round trips that failed or took longer than 4× the bound (message, in order). */
  failures: string[];
}

export interface Bystander {
  /** Resolves after at least `count` more round trips completed (bounded). */
  roundTripsDone(count: number, timeoutMs?: number): Promise<void>;
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
        await within(roundTrip(n), BYSTANDER_BOUND_MS * 4, `bystander round trip ${n}`);
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
      const target = times.length + count;
      const deadline = Date.now() + timeoutMs;
      while (times.length < target) {
        if (Date.now() > deadline || failures.length > 20) throw new Error(`bystander: ${times.length}/${target} round trips; failures: ${failures.slice(0, 3).join('; ')}`);
        await pause(INTERVAL_MS);
      }
    },
    async stop() {
      stopped = true;
      await loop;
      await close();
      const sorted = [...times].sort((a, b) => a - b);
      return {
        roundTrips: sorted.length,
        maxMs: Math.round(sorted.at(-1) ?? Infinity),
        p99Ms: Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? Infinity),
        failures,
      };
    },
  };
}

/** Echo round trips over baro's own WebSocket client against an echo server. */
export async function websocketBystander(port: number, path = '/'): Promise<Bystander> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`);
  await within(new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = () => reject(new Error('the bystander could not connect'));
  }), 5000, 'the bystander connects');
  let waiting: ((text: string) => void) | null = null;
  socket.onmessage = (event) => waiting?.(String(event.data));
  const bystander = runBystander(
    (n) =>
      new Promise<void>((resolve) => {
        const expected = `bystander ${n}`;
        waiting = (text) => text === expected && resolve();
        socket.send(expected);
      }),
    () => socket.close(),
  );
  await bystander.roundTripsDone(3);
  return bystander;
}

/** Echo round trips over a baro session (`echo` event with an ack) on one transport. */
export async function sessionBystander(url: string, transport: TransportName = 'websocket'): Promise<Bystander> {
  const client = connect(url, { transports: [transport], WebSocket: WebSocket as never, pollInterval: 50, reconnect: false });
  const bystander = runBystander(
    async (n) => {
      const reply = await client.emitWithAck('echo', n, { timeout: BYSTANDER_BOUND_MS * 4 });
      if (reply !== n) throw new Error(`bystander: echo ${n} answered ${JSON.stringify(reply)}`);
    },
    () => client.close(),
  );
  await bystander.roundTripsDone(3);
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
  return bystander;
}
