/** Which side of the connection this endpoint is: servers read masked frames, clients write them. */
export type Role = 'server' | 'client';

export const Opcode = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

/** permessage-deflate parameters after negotiation (RFC 7692 §7.1). Window bits are 8..15. */
export interface DeflateParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number;
  clientMaxWindowBits: number;
}

/** What a connection reports. Called synchronously from `receiveData`, in wire order. */
export interface WsConnectionHandler {
  /**
   * A whole message. `data` may be a view into a chunk passed to `receiveData` (no copy when the
   * message sat in one chunk). When `compressed` is true (RSV1 set, permessage-deflate) the bytes are
   * still deflated: the I/O layer inflates them and checks UTF-8 for text itself.
   */
  onMessage(data: Uint8Array, binary: boolean, compressed: boolean): void;
  onPing(data: Uint8Array): void;
  onPong(data: Uint8Array): void;
  /**
   * The close handshake finished or the peer started it (our echo is already in the outgoing bytes),
   * or the transport ended (`code` 1006). Called once.
   */
  onClose(code: number, reason: string): void;
  /** The peer broke the protocol; a close frame with `error.closeCode` is already queued. */
  onError(error: import('./errors.js').ProtocolError): void;
  /** Bytes to write to the transport, in order. The array must not be modified afterwards. */
  onOutgoing(bytes: Uint8Array): void;
}
