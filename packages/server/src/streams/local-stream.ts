import type { HistoryLimits } from '../hub/broker.js';
import type { StreamPacket } from './stream-packet.js';

/**
 * This node's copy of one stream's history: the packets it received, bounded like the broker's
 * (count, bytes, age), so a resume replays the very objects (and cached bytes) members got live.
 */
export class LocalStream {
  readonly name: string;
  epoch: string;
  lastOffset: number;
  #packets: { packet: StreamPacket; time: number }[] = [];
  #head = 0;
  #bytes = 0;
  /** Offsets at or below it are gone (trimmed): replaying from below it is a gap. */
  #floor: number;

  constructor(name: string, epoch: string, lastOffset: number) {
    this.name = name;
    this.epoch = epoch;
    this.lastOffset = lastOffset;
    this.#floor = lastOffset;
  }

  get count(): number {
    return this.#packets.length - this.#head;
  }

  get bytes(): number {
    return this.#bytes;
  }

  add(packet: StreamPacket, now: number, limits: HistoryLimits): void {
    this.lastOffset = packet.offset;
    if (packet.volatile) return;
    this.#packets.push({ packet, time: now });
    this.#bytes += packet.size;
    this.trim(now, limits);
  }

  trim(now: number, limits: HistoryLimits): void {
    while (this.count > 0) {
      const oldest = this.#packets[this.#head];
      if (this.count <= limits.count && this.#bytes <= limits.bytes && now - oldest.time <= limits.age) break;
      this.#head++;
      this.#bytes -= oldest.packet.size;
      this.#floor = oldest.packet.offset;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#packets.length) {
      this.#packets = this.#packets.slice(this.#head);
      this.#head = 0;
    }
  }

  /**
   * Starts over after `offset` in `epoch`, keeping nothing: what this node kept is of another run
   * of the stream, or has a hole (live messages missed while the broker's subscription was away).
   */
  restartAt(epoch: string, offset: number): void {
    this.epoch = epoch;
    this.lastOffset = offset;
    this.#floor = offset;
    this.#packets = [];
    this.#head = 0;
    this.#bytes = 0;
  }

  /**
   * Adds history fetched from the broker: `packets` are every kept packet after `from` in `epoch`.
   * What this node heard live is kept around them (before `from` if it reaches there without a
   * gap, after the last fetched offset), so a replay from `from` or from anything this node kept
   * is complete.
   */
  backfill(epoch: string, from: number, packets: readonly StreamPacket[], now: number): void {
    if (epoch !== this.epoch) this.restartAt(epoch, from);
    const fetchedLast = packets.length > 0 ? packets[packets.length - 1].offset : from;
    const kept = this.#packets.slice(this.#head);
    const before = from >= this.#floor ? kept.filter((item) => item.packet.offset <= from) : [];
    const after = kept.filter((item) => item.packet.offset > fetchedLast);
    const fetched = packets.filter((packet) => !packet.volatile).map((packet) => ({ packet, time: now }));
    this.#packets = [...before, ...fetched, ...after];
    this.#head = 0;
    this.#bytes = 0;
    for (const item of this.#packets) this.#bytes += item.packet.size;
    if (from < this.#floor) this.#floor = from;
    this.lastOffset = Math.max(this.lastOffset, fetchedLast);
  }

  /** The packets after `offset`, in order; null when some are gone (the client must resync). */
  since(offset: number): StreamPacket[] | null {
    if (offset < this.#floor || offset > this.lastOffset) return null;
    // Offsets grow along the array: find the first one past `offset` by bisection.
    let low = this.#head;
    let high = this.#packets.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#packets[middle].packet.offset <= offset) low = middle + 1;
      else high = middle;
    }
    const packets: StreamPacket[] = new Array(this.#packets.length - low);
    for (let i = low; i < this.#packets.length; i++) packets[i - low] = this.#packets[i].packet;
    return packets;
  }
}
