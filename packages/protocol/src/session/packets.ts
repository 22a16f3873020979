/**
 * The session protocol's packets (docs/protocol.md), as values. The same shapes travel both ways;
 * `decodePacket` checks which types a direction may send.
 */
export interface OpenInfo {
  sid: string;
  token: string;
  transport: TransportName;
  /** Heartbeat interval in ms. */
  heartbeat: number;
  /** How long a disconnected session waits for its client, in ms. */
  resumeWindow: number;
  /** Largest packet the server accepts, in bytes. */
  maxPayload: number;
  /** True when this attaches to an existing session (nothing was lost); false means resync. */
  resumed: boolean;
  /** Highest client sequence number the server has processed. */
  cseq: number;
  /**
   * Where the client is in each stream it is in (rooms, and `""` for everyone), as
   * `{stream: [epoch, offset]}`: the client replaces its positions with these; the server sends (or
   * replays) every message after them.
   */
  streams?: Record<string, [string, number]>;
}

export type TransportName = 'websocket' | 'sse' | 'long-polling' | 'polling';
export const TRANSPORT_NAMES: readonly TransportName[] = ['websocket', 'sse', 'long-polling', 'polling'];

export type Packet =
  | { type: 'open'; info: OpenInfo }
  | { type: 'event'; seq: number; name: string; data: unknown; ackId?: number }
  | { type: 'ack'; seq: number; ackId: number; data: unknown; error?: string }
  /** A broadcast on a stream (a room, or EVERYONE): numbered by the stream's offset, not the session's seq. */
  | { type: 'message'; stream: string; offset: number; name: string; data: unknown }
  /** The session is in `stream` from `{epoch, offset}` on: later messages of that stream follow. */
  | { type: 'join'; stream: string; epoch: string; offset: number }
  | { type: 'leave'; stream: string }
  | { type: 'receipt'; seq: number }
  | { type: 'ping'; t: number }
  | { type: 'pong'; t: number }
  | { type: 'notice'; code: string; message: string }
  | { type: 'noop' }
  | { type: 'close'; code: number; reason: string; retryAfterMs: number | null };

export type PacketType = Packet['type'];
export type Direction = 'toClient' | 'toServer';

/**
 * The stream every session is in (broadcasts to everyone). Room names are non-empty, so it cannot
 * be joined, left or named by an app.
 */
export const EVERYONE = '';

/** A position in a stream: `epoch` names one run of its history, `offset` counts its messages from 1. */
export interface StreamPosition {
  epoch: string;
  offset: number;
}

/** Packets that carry a sequence number and so are buffered, replayed and deduplicated. */
export type SequencedPacket = Extract<Packet, { type: 'event' | 'ack' }>;

export const TYPE_CODE: Record<PacketType, string> = {
  open: 'o',
  event: 'e',
  ack: 'a',
  message: 'm',
  join: 'j',
  leave: 'l',
  receipt: 'r',
  ping: 'h',
  pong: 'H',
  notice: '!',
  noop: 'n',
  close: 'c',
};

const TYPE_BY_CODE = new Map(Object.entries(TYPE_CODE).map(([type, code]) => [code, type as PacketType]));

export function packetTypeOf(code: unknown): PacketType | undefined {
  return typeof code === 'string' ? TYPE_BY_CODE.get(code) : undefined;
}

const SENT_BY: Record<Direction, ReadonlySet<PacketType>> = {
  toClient: new Set(['open', 'event', 'ack', 'message', 'join', 'leave', 'receipt', 'ping', 'pong', 'notice', 'noop', 'close']),
  toServer: new Set(['event', 'ack', 'receipt', 'ping', 'pong', 'close']),
};

export function mayTravel(type: PacketType, direction: Direction): boolean {
  return SENT_BY[direction].has(type);
}

export function isSequenced(packet: Packet): packet is SequencedPacket {
  return packet.type === 'event' || packet.type === 'ack';
}
