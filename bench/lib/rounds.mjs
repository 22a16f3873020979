// Broadcast rounds, shared by the WebSocket and the session broadcast benchmarks: fire one
// broadcast, wait (bounded) until every receiver has it, keep the times to the first and the last.

export function median(values) {
  if (!values.length) return null;
  const s = [...values].sort((x, y) => x - y), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const r3 = (x) => (x == null ? null : +x.toFixed(3));

export class BroadcastRounds {
  #onAll = null;

  constructor(expected) {
    this.expected = expected;
    this.got = 0;
    this.firstAt = 0;
    this.lastAt = 0;
  }

  /** A receiver got this round's message at time `t` (performance.now()). */
  arrive(t) {
    if (this.got === 0) this.firstAt = t;
    this.lastAt = t;
    if (++this.got === this.expected && this.#onAll) this.#onAll();
  }

  /**
   * Runs warm-up and timed rounds. `fire(r)` sends round r's broadcast; `before(r)` resets the
   * caller's own per-round state first. Returns the timed rounds' figures.
   */
  async run({ rounds, warmupRounds, gapMs, timeoutMs, fire, before = () => {} }) {
    const timed = [], firsts = [], failures = [];
    let roundCpuUs = 0, roundWallMs = 0;
    for (let r = 0; r < warmupRounds + rounds; r++) {
      before(r);
      this.got = 0;
      const done = new Promise((resolve) => {
        this.#onAll = () => resolve(true);
        setTimeout(() => resolve(false), timeoutMs);
      });
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      fire(r);
      const ok = await done;
      this.#onAll = null;
      if (r >= warmupRounds) {
        const c = process.cpuUsage(c0);
        roundCpuUs += c.user + c.system;
        roundWallMs += performance.now() - t0;
        if (ok) { timed.push(this.lastAt - t0); firsts.push(this.firstAt - t0); }
        else failures.push({ round: r, received: this.got, of: this.expected });
      }
      await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
    return { timed, firsts, failures, roundCpuUs, roundWallMs };
  }
}
