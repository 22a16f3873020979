/** Socket.IO protocol v5 packet types (the first character of a packet). */
export const SocketPacketType = {
  CONNECT: 0,
  DISCONNECT: 1,
  EVENT: 2,
  ACK: 3,
  CONNECT_ERROR: 4,
  BINARY_EVENT: 5,
  BINARY_ACK: 6,
} as const;

export type SocketPacketType = (typeof SocketPacketType)[keyof typeof SocketPacketType];

/**
 * One Socket.IO packet as the app sees it: binary packets are EVENT / ACK whose data holds
 * Buffers; the BINARY_* types exist only on the wire.
 */
export interface SocketPacket {
  type: SocketPacketType;
  /** Namespace; `/` when the wire omits it. */
  nsp: string;
  /** Ack id of an EVENT that wants an answer, or of the ACK answering it. */
  id?: number;
  data?: unknown;
}

/** Event names a client may not send: they mean something to the Socket.IO API itself. */
export const RESERVED_EVENTS: ReadonlySet<string> = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);
