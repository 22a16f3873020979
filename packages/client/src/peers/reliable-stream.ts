import type { PeerFrame } from '@baro/protocol';

type Message = Extract<PeerFrame, { k: 'm' }>;

/**
 * The ordering and exactly-once layer of a peer channel, independent of the path (pure: no
 * timers, no I/O). Every reliable message gets a number and is kept until the other side says it
 * has delivered it; when the path changes (direct ↔ relay) everything not yet acknowledged is sent
 * again on the new path, and the receiver drops what it has already delivered. Each path is itself
 * ordered and reliable while it lasts, so the receiver never sees a gap: the new path starts at or
 * before the first message it is missing.
 */
export class ReliableStream {
  readonly #maxUnacked: number;
  #nextSeq = 1;
  #unacked: Message[] = [];
  #delivered = 0;
  #acknowledged = 0;
  /** Frames that arrived ahead of a missing one: none on a correct path; counted for tests. */
  gaps = 0;

  constructor(maxUnacked: number) {
    this.#maxUnacked = maxUnacked;
  }

  /** A numbered message to send, kept until acknowledged; null when too many wait already. */
  message(event: string, data: unknown): Message | null {
    if (this.#unacked.length >= this.#maxUnacked) return null;
    const frame: Message = { k: 'm', s: this.#nextSeq++, e: event, d: data };
    this.#unacked.push(frame);
    return frame;
  }

  /** Messages sent and not yet acknowledged, oldest first: what a new path carries first. */
  get unacked(): readonly Message[] {
    return this.#unacked;
  }

  /** The highest number delivered here (what an ack frame reports). */
  get delivered(): number {
    return this.#delivered;
  }

  /** Whether an ack frame would tell the other side something new. */
  get ackDue(): boolean {
    return this.#delivered > this.#acknowledged;
  }

  /** Messages delivered since the last ack frame. */
  get pendingAcks(): number {
    return this.#delivered - this.#acknowledged;
  }

  /** The ack to send now. */
  ack(): Extract<PeerFrame, { k: 'a' }> {
    this.#acknowledged = this.#delivered;
    return { k: 'a', s: this.#delivered };
  }

  /** The other side delivered every message up to `seq`: forget them. */
  acknowledge(seq: number): void {
    let drop = 0;
    while (drop < this.#unacked.length && this.#unacked[drop].s <= seq) drop++;
    if (drop > 0) this.#unacked = this.#unacked.slice(drop);
  }

  /** Whether an arriving message is the next one to deliver (else a duplicate, or a gap). */
  accept(frame: Message): boolean {
    if (frame.s === this.#delivered + 1) {
      this.#delivered = frame.s;
      return true;
    }
    if (frame.s > this.#delivered + 1) this.gaps++;
    return false;
  }
}
