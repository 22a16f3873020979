/**
 * Exactly-once, in-order delivery over transports that may drop, repeat or replace each other
 * (docs/protocol.md, "Switching and resume"). Both ends use both halves: a sender keeps what the
 * peer has not receipted; a receiver processes only the next sequence number.
 */
export type InboundVerdict = 'next' | 'duplicate' | 'gap';

export class InboundSequence {
  #last: number;

  constructor(last = 0) {
    this.#last = last;
  }

  /** The highest sequence number processed. */
  get last(): number {
    return this.#last;
  }

  /** Classifies an arriving number; 'next' advances. */
  accept(seq: number): InboundVerdict {
    if (seq <= this.#last) return 'duplicate';
    if (seq !== this.#last + 1) return 'gap';
    this.#last = seq;
    return 'next';
  }
}

/**
 * Sent packets kept until the peer receipts them, to replay after a reconnect. Bounded in count
 * and bytes: past a bound the oldest are dropped, and a replay that would need them reports it
 * (the peer must resync) rather than handing over a gap.
 *
 * Entries are kept in three parallel arrays (no object per entry): a server keeps one per packet
 * it sends until the receipt, and each object more would be one more for the GC to move.
 */
export class ReplayBuffer<T> {
  readonly #maxCount: number;
  readonly #maxBytes: number;
  #seqs: number[] = [];
  #sizes: number[] = [];
  #items: (T | undefined)[] = [];
  /** Live entries are at [#head, #end); slots past #end may be reused without growing the arrays. */
  #head = 0;
  #end = 0;
  #bytes = 0;
  /** Everything at or below this was receipted or dropped. */
  #floor = 0;
  #lastSeq = 0;

  constructor(limits: { maxCount: number; maxBytes: number }) {
    this.#maxCount = limits.maxCount;
    this.#maxBytes = limits.maxBytes;
  }

  get count(): number {
    return this.#end - this.#head;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Highest sequence number pushed so far. */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  push(seq: number, item: T, size: number): void {
    const at = this.#end++;
    if (at < this.#items.length) {
      this.#seqs[at] = seq;
      this.#sizes[at] = size;
      this.#items[at] = item;
    } else {
      this.#seqs.push(seq);
      this.#sizes.push(size);
      this.#items.push(item);
    }
    this.#lastSeq = seq;
    this.#bytes += size;
    while (this.count > this.#maxCount || (this.#bytes > this.#maxBytes && this.count > 1)) {
      this.#floor = this.#seqs[this.#head];
      this.#dropHead();
    }
    this.#compact();
  }

  /**
   * An empty buffer continues a sequence kept elsewhere (a session resumed on another node): the
   * next packet pushed follows `seq`, and a replay from `seq` is complete.
   */
  startAt(seq: number): void {
    if (this.count > 0) throw new Error('startAt needs an empty replay buffer');
    this.#floor = seq;
    this.#lastSeq = seq;
  }

  /** The peer processed everything up to `seq`: forget it. */
  acknowledge(seq: number): void {
    while (this.#head < this.#end && this.#seqs[this.#head] <= seq) this.#dropHead();
    if (seq > this.#floor) this.#floor = Math.min(seq, this.lastSeq);
    this.#compact();
  }

  /**
   * Everything after `seq`, in order, or null when some of it was dropped (or `seq` is unknown):
   * the peer cannot be brought up to date and must resync.
   */
  since(seq: number): T[] | null {
    if (seq > this.lastSeq || seq < this.#floor) return null;
    const items: T[] = [];
    for (let i = this.#head; i < this.#end; i++) {
      if (this.#seqs[i] > seq) items.push(this.#items[i] as T);
    }
    return items;
  }

  /** Drops everything (the session ended). */
  clear(): void {
    this.#seqs = [];
    this.#sizes = [];
    this.#items = [];
    this.#head = 0;
    this.#end = 0;
    this.#bytes = 0;
  }

  #dropHead(): void {
    this.#bytes -= this.#sizes[this.#head];
    // The slot stays (it is reused), its item goes: a receipted packet must not be kept alive.
    this.#items[this.#head] = undefined;
    this.#head++;
  }

  #compact(): void {
    if (this.#head === this.#end) {
      // Empty: start again at the front, in the same arrays, unless a burst left them large.
      if (this.#items.length > 1024) return this.clear();
      this.#head = 0;
      this.#end = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#end) {
      this.#seqs = this.#seqs.slice(this.#head, this.#end);
      this.#sizes = this.#sizes.slice(this.#head, this.#end);
      this.#items = this.#items.slice(this.#head, this.#end);
      this.#end -= this.#head;
      this.#head = 0;
    }
  }
}
