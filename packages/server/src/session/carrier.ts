import type { SequencedPacket, TransportName } from '@baro/protocol';
import type { PreparedEvent } from './outbound.js';

/** One packet ready for the wire: its text form, and for payloads with bytes the packet itself. */
export interface WirePacket {
  /** 0 for packets outside the sequence (open, ping, receipts, close). */
  readonly seq: number;
  readonly text: string;
  /** Present when the data holds bytes: WebSocket sends the binary form instead of `text`. */
  readonly withBytes?: SequencedPacket;
  /** Present for events prepared once for many sessions: carriers may share its encoded bytes. */
  readonly prepared?: PreparedEvent;
}

/**
 * What a transport looks like to a session: somewhere to write packets. Streaming transports
 * (WebSocket, SSE) are writable while their socket keeps up; polling transports only while a
 * request is waiting for its answer.
 */
export interface Carrier {
  readonly transport: TransportName;
  /** True for transports that push as packets come (WebSocket, SSE); false for polling ones. */
  readonly streaming: boolean;
  /** True when the client's packets come back on this carrier too (WebSocket), so receipts go here. */
  readonly duplex: boolean;
  readonly writable: boolean;
  /** Bytes handed to the socket and not yet flushed. */
  readonly bufferedBytes: number;
  write(packets: readonly WirePacket[]): void;
  /**
   * The client sends faster than its rate allows even its refusals: read nothing more from it for
   * `ms`. Transports that read the client's packets elsewhere (a POST per batch) leave it out.
   */
  holdReading?(ms: number): void;
  /**
   * The session moved to another carrier or ended: finish the response or connection. With
   * `dropBacklog` (the client resumed elsewhere or went silent), what it has not read may be dropped.
   */
  detach(dropBacklog?: boolean): void;
}
