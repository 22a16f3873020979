/**
 * How late this process has been running what it was given: an answer is stamped when the server
 * gets to it, and a busy or starved event loop stamps it late by as much, which no round trip
 * shows. The reaction-time check widens its bound by this (domain/fairness.ts `serverLagMs`).
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export class LoopLag {
  readonly #histogram: IntervalHistogram;
  readonly #timer: NodeJS.Timeout;
  /** The worst delay of the previous window, ms. */
  #previousMax = 0;

  /** `windowMs`: how long a spike keeps counting (it counts for one to two windows). */
  constructor(windowMs = 2000) {
    this.#histogram = monitorEventLoopDelay({ resolution: 10 });
    this.#histogram.enable();
    this.#timer = setInterval(() => {
      this.#previousMax = this.#histogram.max / 1e6;
      this.#histogram.reset();
    }, windowMs);
    this.#timer.unref();
  }

  /** The worst event-loop delay seen recently, ms (the histogram's resolution is its floor). */
  recentMaxMs(): number {
    const current = this.#histogram.count > 0 ? this.#histogram.max / 1e6 : 0;
    return Math.max(this.#previousMax, current);
  }

  close(): void {
    clearInterval(this.#timer);
    this.#histogram.disable();
  }
}
