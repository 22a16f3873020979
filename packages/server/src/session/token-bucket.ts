/**
 * A token bucket: `rate` tokens a second, holding at most `burst`; a take may cost more than one
 * (bytes relayed), and a cost above the burst is refused outright rather than waited for. Time is
 * passed in, for tests.
 */
export class TokenBucket {
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
    // A clock that goes back adds nothing.
    this.#tokens = Math.min(this.#burst, this.#tokens + (Math.max(0, now - this.#updated) / 1000) * this.#rate);
    this.#updated = now;
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }
}
