import { ackTail, ackWithTail, containsBytes, encodePacket, eventTail, eventWithTail, type Packet } from '@baro/protocol';
import type { WirePacket } from './carrier.js';

/**
 * A sequenced packet waiting for its sequence number. Numbers are given when a packet leaves for a
 * carrier, so volatile and latest-only events can be dropped or replaced while queued without
 * leaving a gap in the sequence.
 */
export interface PendingPacket {
  /** What the packet costs while queued and kept for replay: see `packetCost`. */
  readonly size: number;
  readonly volatile: boolean;
  readonly latest: string | undefined;
  build(seq: number): WirePacket;
}

/** An event encoded once (its text after the sequence number), to send to many sessions. */
export interface PreparedEvent {
  readonly name: string;
  readonly data: unknown;
  readonly tail: string;
  readonly withBytes: boolean;
  /** `tail`'s length in UTF-8 bytes. */
  readonly tailByteLength: number;
  /** `tail` as UTF-8, made by the first WebSocket member and shared by the rest. */
  tailBytes?: Buffer;
}

export function prepareEvent(name: string, data: unknown, ackId?: number): PreparedEvent {
  const tail = eventTail(name, data, ackId);
  return { name, data, tail, withBytes: containsBytes(data), tailByteLength: Buffer.byteLength(tail, 'utf8') };
}

/**
 * What one sequenced packet is counted as against `maxQueuedBytes` and `replayBytes`: its UTF-8
 * bytes, plus a fixed overhead for its sequence prefix and the objects that hold it (the pending
 * packet, the wire packet, the replay entry, string heads, the event's data kept for binary
 * sends). `node --expose-gc bench/replay-cost.mjs` on Node 20: a small event takes ~275 B of heap,
 * an ack ~205 B; counting only the text made a flood of tiny packets cost ~6 times what it was
 * counted as.
 */
export const PACKET_OVERHEAD_BYTES = 256;

export function packetCost(tailByteLength: number): number {
  return tailByteLength + PACKET_OVERHEAD_BYTES;
}

export function pendingEvent(prepared: PreparedEvent, options: { volatile?: boolean; latest?: string; ackId?: number } = {}): PendingPacket {
  return {
    size: packetCost(prepared.tailByteLength),
    volatile: options.volatile === true,
    latest: options.latest,
    build: (seq) => ({
      seq,
      text: eventWithTail(seq, prepared.tail),
      withBytes: prepared.withBytes ? { type: 'event', seq, name: prepared.name, data: prepared.data, ackId: options.ackId } : undefined,
      prepared: prepared.withBytes ? undefined : prepared,
    }),
  };
}

export function pendingAck(ackId: number, data: unknown, error?: string): PendingPacket {
  const withBytes = error === undefined && containsBytes(data);
  const tail = ackTail(ackId, data, error);
  return {
    size: packetCost(Buffer.byteLength(tail, 'utf8')),
    volatile: false,
    latest: undefined,
    build: (seq) => ({ seq, text: ackWithTail(seq, tail), withBytes: withBytes ? { type: 'ack', seq, ackId, data } : undefined }),
  };
}

/** Packets outside the sequence: open, heartbeats, receipts, notices, close. */
export function control(packet: Packet): WirePacket {
  return { seq: 0, text: encodePacket(packet) };
}
