/**
 * Per-address rate limits: one token bucket per client address, so that one machine cannot flood
 * joins, guess the host password or enumerate join codes. An IPv6 client is keyed by its /64 (one
 * host usually owns the whole prefix and may pick any address in it).
 */

export interface AddressBucketsOptions {
  /** Tokens a minute (the refill). */
  perMinute: number;
  /** Tokens a fresh address starts with. Default `perMinute`. */
  burst?: number;
  /** Addresses tracked at most; past it, those whose bucket is full again are forgotten first. Default 100,000. */
  maxAddresses?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class AddressBuckets {
  readonly #perMs: number;
  readonly #burst: number;
  readonly #maxAddresses: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: AddressBucketsOptions) {
    this.#perMs = options.perMinute / 60_000;
    this.#burst = options.burst ?? options.perMinute;
    this.#maxAddresses = options.maxAddresses ?? 100_000;
    this.#now = options.now ?? Date.now;
  }

  /** Takes a token: 0 when there was one, else the milliseconds until there is (nothing taken). */
  take(address: string): number {
    const wait = this.wait(address);
    if (wait > 0) return wait;
    const key = addressKey(address);
    const bucket = this.#buckets.get(key) ?? this.#add(key);
    bucket.tokens -= 1;
    return 0;
  }

  /** Milliseconds until `address` has a token (0: now), without taking it. */
  wait(address: string): number {
    const bucket = this.#buckets.get(addressKey(address));
    if (!bucket) return 0;
    const now = this.#now();
    bucket.tokens = Math.min(this.#burst, bucket.tokens + (now - bucket.at) * this.#perMs);
    bucket.at = now;
    return bucket.tokens >= 1 ? 0 : Math.ceil((1 - bucket.tokens) / this.#perMs);
  }

  /** Addresses tracked right now (what the limiter holds). */
  get size(): number {
    return this.#buckets.size;
  }

  #add(key: string): Bucket {
    if (this.#buckets.size >= this.#maxAddresses) this.#sweep();
    const bucket = { tokens: this.#burst, at: this.#now() };
    this.#buckets.set(key, bucket);
    return bucket;
  }

  /** Forgets buckets that have refilled (they behave like new ones); if none has, the oldest. */
  #sweep(): void {
    const now = this.#now();
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.at) * this.#perMs >= this.#burst) this.#buckets.delete(key);
    }
    if (this.#buckets.size >= this.#maxAddresses) this.#buckets.delete(this.#buckets.keys().next().value!);
  }
}

/** `Retry-After` in whole seconds (at least 1) for a wait in milliseconds. */
export const retryAfterSeconds = (waitMs: number): number => Math.max(1, Math.ceil(waitMs / 1000));

/** The key an address is limited by: IPv4 as is (also when IPv4-mapped), IPv6 by its first 64 bits. */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (!address.includes(':')) return address;
  const [head, tail = ''] = address.split('%')[0].toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = address.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
