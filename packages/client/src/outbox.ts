import { ReplayBuffer, type SequencedPacket } from '@baro/protocol';

/**
 * The client's sequenced packets (events and answers) from the moment they are emitted until the
 * server receipts them: numbered with `cseq`, bounded in count, replayed after a resume.
 */
export class Outbox {
  readonly #max: number;
  #buffer: ReplayBuffer<SequencedPacket>;
  /** Last sequence number given out. */
  #seq = 0;
  /** Highest sequence number the server receipted. */
  #receipted = 0;

  constructor(max: number) {
    this.#max = max;
    this.#buffer = new ReplayBuffer({ maxCount: max, maxBytes: Infinity });
  }

  /** Packets waiting for a receipt. */
  get size(): number {
    return this.#buffer.count;
  }

  get receipted(): number {
    return this.#receipted;
  }

  /** The sequence number the next packet will get. */
  get nextSeq(): number {
    return this.#seq + 1;
  }

  /** Numbers and keeps a packet built by `make`; null (and nothing kept) when full. */
  add(make: (seq: number) => SequencedPacket): SequencedPacket | null {
    if (this.#buffer.count >= this.#max) return null;
    const packet = make(++this.#seq);
    this.#buffer.push(packet.seq, packet, 1);
    return packet;
  }

  /** The server processed everything up to `seq`. */
  receipt(seq: number): void {
    if (seq <= this.#receipted) return;
    this.#receipted = Math.min(seq, this.#seq);
    this.#buffer.acknowledge(seq);
  }

  /** After an open packet: forget what the server has (`cseq`), return the rest to send again. */
  after(cseq: number): SequencedPacket[] {
    this.receipt(cseq);
    return this.#buffer.since(this.#receipted) ?? [];
  }

  /**
   * A new session (resumed: false): its numbering starts again at 1. Unreceipted events are kept,
   * renumbered, to be delivered on the new session; answers to the old session's events are dropped.
   */
  reset(): void {
    const kept = (this.#buffer.since(this.#receipted) ?? []).filter((packet) => packet.type === 'event');
    this.#buffer = new ReplayBuffer({ maxCount: this.#max, maxBytes: Infinity });
    this.#seq = this.#receipted = 0;
    for (const packet of kept) this.add((seq) => ({ ...packet, seq }));
  }
}
