import { decodeBinaryPacket, decodePacket, type TransportName } from '@baro/protocol';
import type { WebSocketConnection } from '../websocket/connection.js';
import { ReadyState } from '../websocket/ready-state.js';
import type { Carrier } from '../session/carrier.js';
import type { OutboundPacket } from '../wire/outbound-packet.js';
import type { WireFormat } from '../wire/wire-format.js';
import type { AnySession } from './session-gateway.js';

/** Carries a session over one WebSocket connection: one packet per message. */
export class WebSocketCarrier implements Carrier {
  readonly transport: TransportName = 'websocket';
  readonly streaming = true;
  readonly duplex = true;
  readonly #connection: WebSocketConnection;
  readonly #highWaterMark: number;
  readonly #format: WireFormat;
  /** With permessage-deflate each connection compresses for itself; without, every member gets the same frame. */
  readonly #deflate: boolean;

  constructor(connection: WebSocketConnection, highWaterMark: number, format: WireFormat) {
    this.#connection = connection;
    this.#highWaterMark = highWaterMark;
    this.#format = format;
    this.#deflate = connection.extensions.includes('permessage-deflate');
  }

  get writable(): boolean {
    return this.#connection.readyState === ReadyState.OPEN && this.#connection.bufferedAmount < this.#highWaterMark;
  }

  get bufferedBytes(): number {
    return this.#connection.bufferedAmount;
  }

  write(packets: readonly OutboundPacket[]): void {
    if (packets.length === 1) return this.#writeOne(packets[0]);
    // One batch, one write: the receipt and the events it answers share a syscall.
    this.#connection.cork();
    for (const packet of packets) this.#writeOne(packet);
    this.#connection.uncork();
  }

  #writeOne(outbound: OutboundPacket): void {
    const encoded = outbound.encoded(this.#format);
    if (!this.#deflate) {
      // The complete frame, made once and shared by every member of a broadcast.
      this.#connection.sendPrepared(encoded.frame(outbound.packet));
      return;
    }
    const binary = encoded.binary(outbound.packet);
    this.#connection.send(binary ?? encoded.text(outbound.packet));
  }

  holdReading(ms: number): void {
    this.#connection.holdReading(ms);
  }

  detach(dropBacklog = false): void {
    // A connection still holding a backlog would keep it until its close handshake timed out; the
    // client that left it (resumed elsewhere, or silent) will not read it, so it goes now.
    if (dropBacklog && this.#connection.bufferedAmount > this.#highWaterMark) this.#connection.terminate();
    else this.#connection.close(1000, 'transport replaced');
  }

  /** Feeds the connection's messages to the session and tells it when the connection is gone. */
  bind(session: AnySession): void {
    const connection = this.#connection;
    connection.on('message', (data, isBinary) => {
      const result = isBinary ? decodeBinaryPacket(data, 'toServer') : decodePacket(data.toString('utf8'), 'toServer');
      if (!result.ok) {
        // A client that sends malformed packets is broken; resuming would repeat it.
        session.close(1008, `bad packet: ${result.error}`.slice(0, 120));
        return;
      }
      session.receive([result.packet]);
    });
    connection.on('drain', () => session.flush());
    connection.on('close', () => session.carrierLost(this));
  }
}
