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
    const format = this.#format;
    if (!this.#deflate) {
      // The complete frame, made once and shared by every member of a broadcast.
      this.#connection.sendPrepared(outbound.frame(format));
      return;
    }
    this.#connection.send(outbound.binary(format) ?? outbound.text(format));
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
      // Receipts are most of what a busy client sends besides its events: read without JSON.
      const receipted = isBinary ? -1 : receiptOf(data);
      if (receipted >= 0) return session.receipt(receipted);
      const result = isBinary ? decodeBinaryPacket(data, 'toServer') : decodePacket(data.toString('utf8'), 'toServer');
      if (!result.ok) {
        // A client that sends malformed packets is broken; resuming would repeat it.
        session.close(1008, `bad packet: ${result.error}`.slice(0, 120));
        return;
      }
      session.receiveOne(result.packet);
    });
    connection.on('drain', () => session.flush());
    connection.on('close', () => session.carrierLost(this));
  }
}

/**
 * The `seq` of a text message that is exactly `["r",<seq>]` with seq a safe integer of at most 15
 * digits, else -1 (anything else, odd spacing included, goes through the full decoder).
 */
export function receiptOf(data: Uint8Array): number {
  const end = data.length - 1;
  // `["r",` + 1..15 digits + `]`
  if (end < 6 || end > 20 || data[0] !== 0x5b || data[1] !== 0x22 || data[2] !== 0x72 || data[3] !== 0x22 || data[4] !== 0x2c || data[end] !== 0x5d) return -1;
  // No leading zeros but "0" itself: JSON's own rule.
  if (data[5] === 0x30 && end !== 6) return -1;
  let seq = 0;
  for (let i = 5; i < end; i++) {
    const digit = data[i] - 0x30;
    if (digit < 0 || digit > 9) return -1;
    seq = seq * 10 + digit;
  }
  return seq;
}
