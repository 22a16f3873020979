import type { TransportName } from '@baro/protocol';
import type { OutboundPacket } from '../wire/outbound-packet.js';

/**
 * What a transport looks like to a session: somewhere to write packets. Streaming transports
 * (WebSocket, SSE) are writable while their socket keeps up; polling transports only while a
 * request is waiting for its answer. Carriers encode with their server's wire format and take the
 * bytes cached on the packet (a broadcast's are made once for all members).
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
  /** Takes what it needs of the packets now: the session empties and reuses the array after the call. */
  write(packets: readonly OutboundPacket[]): void;
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
