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

interface Entry<T> {
  seq: number;
  size: number;
  item: T;
}

/**
 * Sent packets kept until the peer receipts them, to replay after a reconnect. Bounded in count
 * and bytes: past a bound the oldest are dropped, and a replay that would need them reports it
 * (the peer must resync) rather than handing over a gap.
 */
export class ReplayBuffer<T> {
  readonly #maxCount: number;
  readonly #maxBytes: number;
  #entries: Entry<T>[] = [];
  #head = 0;
  #bytes = 0;
  /** Everything at or below this was receipted or dropped. */
  #floor = 0;
  #lastSeq = 0;

  constructor(limits: { maxCount: number; maxBytes: number }) {
    this.#maxCount = limits.maxCount;
    this.#maxBytes = limits.maxBytes;
  }

  get count(): number {
    return this.#entries.length - this.#head;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Highest sequence number pushed so far. */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  push(seq: number, item: T, size: number): void {
    this.#entries.push({ seq, size, item });
    this.#lastSeq = seq;
    this.#bytes += size;
    while (this.count > this.#maxCount || (this.#bytes > this.#maxBytes && this.count > 1)) {
      const oldest = this.#entries[this.#head++];
      this.#bytes -= oldest.size;
      this.#floor = oldest.seq;
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
    while (this.count > 0 && this.#entries[this.#head].seq <= seq) {
      this.#bytes -= this.#entries[this.#head].size;
      this.#head++;
    }
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
    for (let i = this.#head; i < this.#entries.length; i++) {
      if (this.#entries[i].seq > seq) items.push(this.#entries[i].item);
    }
    return items;
  }

  /** Drops everything (the session ended). */
  clear(): void {
    this.#entries = [];
    this.#head = 0;
    this.#bytes = 0;
  }

  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }
}
