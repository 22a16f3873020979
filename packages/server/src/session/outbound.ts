import { ackTail, ackWithTail, containsBytes, decodePacket, encodePacket, eventTail, eventWithTail, type Packet } from '@baro/protocol';
import { baroWireFormat } from '../wire/baro-format.js';
import { nextSerial, OutboundPacket } from '../wire/outbound-packet.js';

/**
 * A packet of the session's own stream waiting for its sequence number. Numbers are given when a
 * packet leaves for a carrier, so volatile and latest-only events can be dropped or replaced while
 * queued without leaving a gap in the sequence. `serial` is taken when it is emitted, so it keeps
 * its place among the broadcasts around it.
 */
export interface PendingPacket {
  readonly serial: number;
  /** What the packet costs while queued and kept for replay: see `packetCost`. */
  readonly size: number;
  readonly latest: string | undefined;
  build(seq: number): OutboundPacket;
  /** The packet without its number, as a session store keeps it (`restoredPacket` makes it again). */
  stored(): string;
}

/**
 * What one sequenced packet is counted as against `maxQueuedBytes` and `replayBytes`: its UTF-8
 * bytes, plus a fixed overhead for its sequence prefix and the objects that hold it (the pending
 * packet, the outbound packet, the replay entry, string heads, the event's data kept for binary
 * sends). `node --expose-gc bench/replay-cost.mjs` on Node 20: a small event takes ~275 B of heap,
 * an ack ~205 B; counting only the text made a flood of tiny packets cost ~6 times what it was
 * counted as.
 */
export const PACKET_OVERHEAD_BYTES = 256;

export function packetCost(byteLength: number): number {
  return byteLength + PACKET_OVERHEAD_BYTES;
}

export function pendingEvent(name: string, data: unknown, options?: { latest?: string; ackId?: number }): PendingPacket {
  return new PendingEvent(name, data, options?.latest, options?.ackId);
}

export function pendingAck(ackId: number, data: unknown, error?: string): PendingPacket {
  return new PendingAck(ackId, data, error);
}

// Classes rather than closures: one object per emit, and nothing of it outlives `build`.

class PendingEvent implements PendingPacket {
  readonly serial = nextSerial();
  readonly size: number;
  readonly latest: string | undefined;
  readonly #name: string;
  readonly #data: unknown;
  readonly #ackId: number | undefined;
  /** Serialised once: for its size now, and as baro's text when it leaves. */
  readonly #tail: string;

  constructor(name: string, data: unknown, latest: string | undefined, ackId: number | undefined) {
    this.#tail = eventTail(name, data, ackId);
    this.size = packetCost(Buffer.byteLength(this.#tail, 'utf8'));
    this.latest = latest;
    this.#name = name;
    this.#data = keptData(data);
    this.#ackId = ackId;
  }

  stored(): string {
    return `e${this.#tail}`;
  }

  build(seq: number): OutboundPacket {
    const ackId = this.#ackId;
    const packet: Packet = ackId === undefined ? { type: 'event', seq, name: this.#name, data: this.#data } : { type: 'event', seq, name: this.#name, data: this.#data, ackId };
    return new OutboundPacket(packet, this.size, this.serial).seed(baroWireFormat, eventWithTail(seq, this.#tail));
  }
}

class PendingAck implements PendingPacket {
  readonly serial = nextSerial();
  readonly size: number;
  readonly latest = undefined;
  readonly #ackId: number;
  readonly #data: unknown;
  readonly #error: string | undefined;
  readonly #tail: string;

  constructor(ackId: number, data: unknown, error: string | undefined) {
    this.#tail = ackTail(ackId, data, error);
    this.size = packetCost(Buffer.byteLength(this.#tail, 'utf8'));
    this.#ackId = ackId;
    this.#data = keptData(data);
    this.#error = error;
  }

  stored(): string {
    return `a${this.#tail}`;
  }

  build(seq: number): OutboundPacket {
    const error = this.#error;
    const packet: Packet = error === undefined ? { type: 'ack', seq, ackId: this.#ackId, data: this.#data } : { type: 'ack', seq, ackId: this.#ackId, data: null, error };
    return new OutboundPacket(packet, this.size, this.serial).seed(baroWireFormat, ackWithTail(seq, this.#tail));
  }
}

/**
 * A packet of the session's own stream made again from what a store kept (`stored()`), numbered
 * `seq`; null when the text is not such a packet.
 */
export function restoredPacket(seq: number, stored: string): OutboundPacket | null {
  const tail = stored.slice(1);
  const text = stored[0] === 'e' ? eventWithTail(seq, tail) : stored[0] === 'a' ? ackWithTail(seq, tail) : null;
  if (text === null) return null;
  const decoded = decodePacket(text, 'toClient');
  if (!decoded.ok) return null;
  const packet = decoded.packet;
  if (packet.type === 'event' || packet.type === 'ack') packet.data = keptData(packet.data);
  return new OutboundPacket(packet, packetCost(Buffer.byteLength(tail, 'utf8'))).seed(baroWireFormat, text);
}

/**
 * What a session's own packet keeps of its data while it waits for its receipt: its text (baro's,
 * made when it was emitted) says it all, so only data with bytes (sent as binary over WebSocket)
 * is kept. Keeping the rest would hold every unreceipted payload twice.
 */
function keptData(data: unknown): unknown {
  return containsBytes(data) ? data : undefined;
}

/** Packets outside the sequence: open, heartbeats, receipts, notices, joins, close. */
export function control(packet: Packet): OutboundPacket {
  return new OutboundPacket(packet, 0).seed(baroWireFormat, encodePacket(packet));
}
