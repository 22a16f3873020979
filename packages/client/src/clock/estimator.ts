/**
 * Clock offset estimation from NTP-style exchanges, pure (no timers, no I/O): the caller feeds it
 * samples taken on its own clock. A sample is one request sent at `sentAt`, answered with the
 * server's time, received at `receivedAt` (both local). The server stamped its time somewhere
 * inside that round trip, so the offset (server − local) is `serverTime − midpoint`, wrong by at
 * most half the round trip, and by less the more symmetric the path is.
 */
export interface ClockSample {
  sentAt: number;
  serverTime: number;
  receivedAt: number;
}

export interface ClockEstimate {
  /** Add to the local clock to get the server's. */
  offsetMs: number;
  /**
   * How far the offset may be off. With fewer than `minSamples` samples: half the best round trip
   * (the hard bound, whatever the path). After: how far the best samples disagree, plus the clock
   * resolution; this assumes the two directions of the path take equally long at their fastest,
   * the assumption of every two-party clock sync (NTP included), which no exchange can check.
   */
  uncertaintyMs: number;
  /** The best (lowest) round trip among the samples kept. */
  rttMs: number;
  samples: number;
}

export interface EstimatorOptions {
  /** Samples kept (the newest). Default 16. */
  window?: number;
  /** The lowest-round-trip samples the estimate is made of. Default 4. */
  best?: number;
  /** Below this many samples, the uncertainty is the hard bound (half the round trip). Default 3. */
  minSamples?: number;
  /** The clock's resolution, a floor for the uncertainty. Default 0.5 ms. */
  resolutionMs?: number;
}

export class ClockEstimator {
  readonly #samples: Array<ClockSample & { rtt: number; offset: number }> = [];
  readonly #window: number;
  readonly #best: number;
  readonly #minSamples: number;
  readonly #resolution: number;

  constructor(options: EstimatorOptions = {}) {
    this.#window = Math.max(1, options.window ?? 16);
    this.#best = Math.max(1, options.best ?? 4);
    this.#minSamples = Math.max(1, options.minSamples ?? 3);
    this.#resolution = options.resolutionMs ?? 0.5;
  }

  /** Adds a sample; false (and ignored) when it is not one: a negative round trip or a non-finite time. */
  add(sample: ClockSample): boolean {
    const { sentAt, serverTime, receivedAt } = sample;
    if (![sentAt, serverTime, receivedAt].every(Number.isFinite) || receivedAt < sentAt) return false;
    this.#samples.push({ ...sample, rtt: receivedAt - sentAt, offset: serverTime - (sentAt + receivedAt) / 2 });
    if (this.#samples.length > this.#window) this.#samples.shift();
    return true;
  }

  /** Forgets every sample: the path changed (a reconnect, another transport). */
  reset(): void {
    this.#samples.length = 0;
  }

  get sampleCount(): number {
    return this.#samples.length;
  }

  /** The current estimate, or null before the first sample. */
  estimate(): ClockEstimate | null {
    if (this.#samples.length === 0) return null;
    const best = [...this.#samples].sort((a, b) => a.rtt - b.rtt).slice(0, this.#best);
    // The fastest exchange had the least room for asymmetry: its offset is the estimate.
    const { offset, rtt } = best[0];
    const halfRtt = rtt / 2;
    let uncertainty: number;
    if (this.#samples.length < this.#minSamples) uncertainty = halfRtt;
    else {
      let spread = 0;
      for (const sample of best) spread = Math.max(spread, Math.abs(sample.offset - offset));
      uncertainty = Math.min(halfRtt, spread);
    }
    return { offsetMs: offset, uncertaintyMs: Math.max(this.#resolution, uncertainty), rttMs: rtt, samples: this.#samples.length };
  }
}
