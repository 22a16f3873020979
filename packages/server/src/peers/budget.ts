/**
 * A token bucket whose takes have a cost (bytes relayed, or 1 per signal): `rate` a second,
 * holding at most `burst`. A cost above the burst is refused outright rather than waited for.
 */
export class Budget {
  readonly #rate: number;
  readonly #burst: number;
  #tokens: number;
  #updated: number;

  constructor(rate: number, burst: number, now: number) {
    this.#rate = rate;
    this.#burst = burst;
    this.#tokens = burst;
    this.#updated = now;
  }

  take(now: number, cost = 1): boolean {
    this.#tokens = Math.min(this.#burst, this.#tokens + (Math.max(0, now - this.#updated) / 1000) * this.#rate);
    this.#updated = now;
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }
}
