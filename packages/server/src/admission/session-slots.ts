import { addressKey } from './address-key.js';
import type { Refusal } from './refusal.js';

/** A place for one session, held from its admission to its end. `release` may be called more than once. */
export interface SessionSlot {
  /** The address it is counted under (an IPv6 /64 prefix, or the IPv4 address). */
  readonly addressKey: string;
  release(): void;
}

export interface SessionSlotLimits {
  /** Sessions per client address (IPv6: per /64). */
  perAddress: number;
  /** Sessions in all. */
  total: number;
}

/**
 * Counts sessions per address and in all. A slot is taken in the same synchronous step as the check
 * (the awaits of an admission come before), so requests racing in one TCP write cannot all pass
 * the check before any of them is counted; a slot whose admission fails later is released.
 */
export class SessionSlots {
  readonly #limits: SessionSlotLimits;
  readonly #perAddress = new Map<string, number>();
  #total = 0;

  constructor(limits: SessionSlotLimits) {
    this.#limits = limits;
  }

  /** Slots held, in all. */
  get total(): number {
    return this.#total;
  }

  /** Slots held for the address (or its /64). */
  heldBy(address: string | undefined): number {
    return this.#perAddress.get(addressKey(address)) ?? 0;
  }

  /** Takes a slot, or says why not (429 for the address, 503 for the server). */
  reserve(address: string | undefined): SessionSlot | Refusal {
    const key = addressKey(address);
    const held = this.#perAddress.get(key) ?? 0;
    if (held >= this.#limits.perAddress) return { ok: false, status: 429, reason: 'too many sessions from this address', headers: { 'Retry-After': '10' } };
    if (this.#total >= this.#limits.total) return { ok: false, status: 503, reason: 'too many sessions', headers: { 'Retry-After': '10' } };
    return this.take(key);
  }

  /**
   * Takes a slot whatever the limits (a session replacing one that just released its own, so the
   * count does not change).
   */
  take(key: string): SessionSlot {
    this.#perAddress.set(key, (this.#perAddress.get(key) ?? 0) + 1);
    this.#total++;
    let held = true;
    return {
      addressKey: key,
      release: () => {
        if (!held) return;
        held = false;
        this.#total--;
        const left = (this.#perAddress.get(key) ?? 1) - 1;
        if (left <= 0) this.#perAddress.delete(key);
        else this.#perAddress.set(key, left);
      },
    };
  }
}
