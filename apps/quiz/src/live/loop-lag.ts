/**
 * How late this process has been running what it was given: an answer is stamped when the server
 * gets to it, and a busy or starved event loop stamps it late by as much, which no round trip
 * shows. The reaction-time check widens its bound by this (domain/fairness.ts `serverLagMs`).
 */
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';

/** The histogram's resolution, and how often the heartbeat that sees the current stall beats, ms. */
const RESOLUTION_MS = 10;

export class LoopLag {
  readonly #histogram: IntervalHistogram;
  readonly #timer: NodeJS.Timeout;
  readonly #heartbeat: NodeJS.Timeout;
  /** The worst delay of the previous window, ms. */
  #previousMax = 0;
  /** When the heartbeat last ran (`performance.now()`). */
  #lastBeat = performance.now();

  /** `windowMs`: how long a spike keeps counting (it counts for one to two windows). */
  constructor(windowMs = 2000) {
    this.#histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.#histogram.enable();
    this.#timer = setInterval(() => {
      this.#previousMax = this.#histogram.max / 1e6;
      this.#histogram.reset();
    }, windowMs);
    this.#timer.unref();
    this.#heartbeat = setInterval(() => (this.#lastBeat = performance.now()), RESOLUTION_MS);
    this.#heartbeat.unref();
  }

  /**
   * The worst event-loop delay seen recently, ms (the histogram's resolution is its floor), or
   * the stall under way, if longer: the histogram records a stall only once timers run again,
   * and answers that waited behind it (a slow disk write, say) are read in the same turn.
   */
  recentMaxMs(): number {
    const current = this.#histogram.count > 0 ? this.#histogram.max / 1e6 : 0;
    const ongoing = performance.now() - this.#lastBeat - RESOLUTION_MS;
    return Math.max(this.#previousMax, current, ongoing);
  }

  close(): void {
    clearInterval(this.#timer);
    clearInterval(this.#heartbeat);
    this.#histogram.disable();
  }
}
