import { CLOCK_EVENT, type ClockReply, type ClockRequest } from '@baro/protocol';
import type { BaroClient } from '../client.js';
import type { StateEvent } from '../types.js';
import { ClockEstimator, type ClockEstimate, type EstimatorOptions } from './estimator.js';

export interface ClockSyncOptions extends EstimatorOptions {
  /** The local clock (ms). Default `performance.timeOrigin + performance.now()`: it does not jump when the system clock is set. */
  now?: () => number;
  /** Exchanges sent after the session opens, moves to another transport or is resumed. Default 8. */
  burst?: number;
  /** Between the exchanges of a burst, ms. They overlap on a slow link: each is a sample on its own. Default 40. */
  burstSpacingMs?: number;
  /** After the burst, one exchange this often until the estimator's window is full (a noisy start settles in seconds), ms. Default 1 s. */
  fillIntervalMs?: number;
  /** Then one exchange this often, to follow drift and changing routes, ms. Default 10 s. */
  intervalMs?: number;
  /** An exchange unanswered after this long is dropped, ms. Default 10 s. */
  timeoutMs?: number;
}

type Timer = ReturnType<typeof setTimeout>;
type AnyClient = Pick<BaroClient, 'state' | 'onState' | 'transport'> & {
  emitWithAck(name: string, data: unknown, options?: { timeout?: number }): Promise<unknown>;
};

const defaultNow = (): number => performance.timeOrigin + performance.now();

/**
 * Keeps an estimate of the server's clock over a client's session, on whatever transport carries
 * it: a burst of exchanges when the session opens (again after a reconnect or a transport change,
 * since the path changed), one a second until the window is full, then one every `intervalMs`.
 * Needs the server's `ClockResponder`.
 */
export class ClockSync {
  readonly #client: AnyClient;
  readonly #estimator: ClockEstimator;
  readonly #now: () => number;
  readonly #burst: number;
  readonly #spacing: number;
  readonly #interval: number;
  readonly #fillInterval: number;
  readonly #window: number;
  readonly #timeout: number;
  readonly #listeners = new Set<(estimate: ClockEstimate) => void>();
  readonly #unsubscribe: () => void;
  #timer?: Timer;
  /** Bumped by every reset: answers to exchanges of an earlier path are dropped. */
  #epoch = 0;
  #closed = false;
  /** Requests sent and answers received, for measuring what sync costs. */
  exchanges = 0;

  constructor(client: BaroClient<{ serverToClient: never; clientToServer: never }> | AnyClient, options: ClockSyncOptions = {}) {
    this.#client = client as AnyClient;
    this.#estimator = new ClockEstimator(options);
    this.#now = options.now ?? defaultNow;
    this.#burst = options.burst ?? 8;
    this.#spacing = options.burstSpacingMs ?? 40;
    this.#interval = options.intervalMs ?? 10_000;
    this.#fillInterval = Math.min(options.fillIntervalMs ?? 1000, this.#interval);
    this.#window = options.window ?? 16;
    this.#timeout = options.timeoutMs ?? 10_000;
    this.#unsubscribe = this.#client.onState((event) => this.#onState(event));
    if (this.#client.state === 'open') this.#restart();
  }

  /** The local clock this sync maps from. */
  now(): number {
    return this.#now();
  }

  /**
   * The current estimate. Over polling the answer waits for the next poll, so the path is as
   * lopsided as it gets: the uncertainty is then the hard bound, half the best round trip.
   */
  get estimate(): ClockEstimate | null {
    const estimate = this.#estimator.estimate();
    if (estimate && this.#client.transport === 'polling') estimate.uncertaintyMs = Math.max(estimate.uncertaintyMs, estimate.rttMs / 2);
    return estimate;
  }

  /** The server's clock now, by the estimate; null before the first exchange came back. */
  serverNow(): number | null {
    const estimate = this.estimate;
    return estimate === null ? null : this.#now() + estimate.offsetMs;
  }

  /** The local time at which the server's clock reads `serverTime`; null before the first exchange. */
  toLocal(serverTime: number): number | null {
    const estimate = this.estimate;
    return estimate === null ? null : serverTime - estimate.offsetMs;
  }

  /** Called after every new sample. Returns the unsubscribe function. */
  onChange(listener: (estimate: ClockEstimate) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#unsubscribe();
  }

  #onState(event: StateEvent): void {
    if (event.type === 'open' || event.type === 'transport') this.#restart();
    else if (event.type === 'closed') this.close();
  }

  /** A new path: forget its samples and measure it again. */
  #restart(): void {
    if (this.#closed) return;
    this.#epoch++;
    this.#estimator.reset();
    clearTimeout(this.#timer);
    this.#schedule(0, this.#burst);
  }

  #schedule(delay: number, burstLeft: number): void {
    this.#timer = setTimeout(() => {
      if (this.#closed) return;
      if (this.#client.state === 'open') this.#exchange();
      const left = burstLeft - 1;
      const filling = this.#estimator.sampleCount + 1 < this.#window;
      this.#schedule(left > 0 ? this.#spacing : filling ? this.#fillInterval : this.#interval, Math.max(0, left));
    }, delay);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  #exchange(): void {
    const epoch = this.#epoch;
    const estimate = this.estimate;
    const sentAt = this.#now();
    const request: ClockRequest = estimate
      ? { t: sentAt, offset: estimate.offsetMs, uncertainty: estimate.uncertaintyMs, rtt: estimate.rttMs }
      : { t: sentAt };
    this.exchanges++;
    this.#client.emitWithAck(CLOCK_EVENT, request, { timeout: this.#timeout }).then(
      (reply) => {
        const receivedAt = this.#now();
        const serverTime = (reply as ClockReply | null)?.t;
        if (this.#closed || epoch !== this.#epoch || typeof serverTime !== 'number') return;
        if (!this.#estimator.add({ sentAt, serverTime, receivedAt })) return;
        const next = this.estimate!;
        for (const listener of this.#listeners) listener(next);
      },
      () => {},
    );
  }
}
