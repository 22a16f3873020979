import { ackTail, ackWithTail, containsBytes, encodePacket, eventTail, eventWithTail, type Packet } from '@baro/protocol';
import type { WirePacket } from './carrier.js';

/**
 * A sequenced packet waiting for its sequence number. Numbers are given when a packet leaves for a
 * carrier, so volatile and latest-only events can be dropped or replaced while queued without
 * leaving a gap in the sequence.
 */
export interface PendingPacket {
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
  /** `tail` as UTF-8, made by the first WebSocket member and shared by the rest. */
  tailBytes?: Buffer;
}

export function prepareEvent(name: string, data: unknown, ackId?: number): PreparedEvent {
  return { name, data, tail: eventTail(name, data, ackId), withBytes: containsBytes(data) };
}

export function pendingEvent(prepared: PreparedEvent, options: { volatile?: boolean; latest?: string; ackId?: number } = {}): PendingPacket {
  return {
    size: prepared.tail.length + 16,
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
    size: tail.length + 16,
    volatile: false,
    latest: undefined,
    build: (seq) => ({ seq, text: ackWithTail(seq, tail), withBytes: withBytes ? { type: 'ack', seq, ackId, data } : undefined }),
  };
}

/** Packets outside the sequence: open, heartbeats, receipts, notices, close. */
export function control(packet: Packet): WirePacket {
  return { seq: 0, text: encodePacket(packet) };
}
