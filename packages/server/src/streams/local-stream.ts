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
