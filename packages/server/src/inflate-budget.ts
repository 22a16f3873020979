/**
 * A budget of inflated bytes in flight, shared by every permessage-deflate connection that uses it
 * (by default one for the whole process): bytes zlib has inflated for messages not delivered yet.
 *
 * `maxPayload` bounds one message and the `ZlibLimiter` bounds how many inflations run at once,
 * but neither bounds what they hold together: forty connections that each send 32 KiB inflating to
 * 32 MiB made the process hold gigabytes. Here every inflated chunk is charged before it is kept.
 * When a chunk does not fit, the inflation that holds the most bytes is stopped and its bytes
 * released; its connection closes with 1013 (Try Again Later). So the budget is never exceeded,
 * small messages keep flowing, and the bombs are the ones that pay. A message that alone needs
 * more than the budget always fails: keep the budget above `maxPayload`.
 */

/** One inflation charged to a budget (one per permessage-deflate connection, reused message after message). */
export interface InflateBudgetHolder {
  /** Bytes this holder has been charged and not released. Maintained by the budget only. */
  heldBytes: number;
  /** Called when the budget takes its bytes back to make room for another holder: stop inflating. */
  evict(): void;
}

export class InflateBudget {
  #limitBytes: number;
  #inUseBytes = 0;
  #peakBytes = 0;
  #evictions = 0;
  /** Holders with bytes charged; a handful at a time (the zlib limiter runs ten inflations). */
  readonly #holders = new Set<InflateBudgetHolder>();

  constructor(limitBytes = DEFAULT_INFLATE_BUDGET_BYTES) {
    this.#limitBytes = checkLimit(limitBytes);
  }

  /** The most inflated bytes held at once. Lowering it affects the next charge, not bytes already held. */
  get limitBytes(): number {
    return this.#limitBytes;
  }

  set limitBytes(limitBytes: number) {
    this.#limitBytes = checkLimit(limitBytes);
  }

  /** Inflated bytes held now, by every holder. */
  get inUseBytes(): number {
    return this.#inUseBytes;
  }

  /** The most `inUseBytes` has been since creation or the last `resetPeak`. */
  get peakBytes(): number {
    return this.#peakBytes;
  }

  /** How many holders were stopped to make room. */
  get evictions(): number {
    return this.#evictions;
  }

  resetPeak(): void {
    this.#peakBytes = this.#inUseBytes;
  }

  /**
   * Charges `bytes` to `holder`. When they don't fit, the holders with the most bytes are evicted
   * until they do; returns false, charging nothing, when `holder` itself holds the most (counting
   * these bytes): the caller stops and calls `release`.
   */
  charge(holder: InflateBudgetHolder, bytes: number): boolean {
    while (this.#inUseBytes + bytes > this.#limitBytes) {
      const victim = this.#largestOther(holder, holder.heldBytes + bytes);
      if (victim === null) return false;
      this.release(victim);
      this.#evictions++;
      victim.evict();
    }
    if (holder.heldBytes === 0) this.#holders.add(holder);
    holder.heldBytes += bytes;
    this.#inUseBytes += bytes;
    if (this.#inUseBytes > this.#peakBytes) this.#peakBytes = this.#inUseBytes;
    return true;
  }

  /** Gives back everything `holder` was charged (its message was delivered or failed). */
  release(holder: InflateBudgetHolder): void {
    if (holder.heldBytes === 0) return;
    this.#inUseBytes -= holder.heldBytes;
    holder.heldBytes = 0;
    this.#holders.delete(holder);
  }

  /** The holder other than `self` with more bytes than `selfBytes`, the most of them; null if none. */
  #largestOther(self: InflateBudgetHolder, selfBytes: number): InflateBudgetHolder | null {
    let largest: InflateBudgetHolder | null = null;
    let largestBytes = selfBytes;
    for (const holder of this.#holders) {
      if (holder !== self && holder.heldBytes > largestBytes) {
        largest = holder;
        largestBytes = holder.heldBytes;
      }
    }
    return largest;
  }
}

/**
 * 32 MiB: above the 4 MiB default `maxPayload` of deflate connections, below the ten inflations
 * the zlib limiter runs at once times that (40 MiB), so a storm of bombs meets the budget.
 */
export const DEFAULT_INFLATE_BUDGET_BYTES = 32 * 1024 * 1024;

/** The budget every permessage-deflate connection uses unless given another. */
export const defaultInflateBudget = new InflateBudget();

function checkLimit(limitBytes: number): number {
  if (!(limitBytes === Infinity || (Number.isSafeInteger(limitBytes) && limitBytes >= 0))) {
    throw new RangeError(`inflate budget must be a non-negative integer of bytes, got ${limitBytes}`);
  }
  return limitBytes;
}
