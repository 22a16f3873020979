import { decodeBinaryPacket, decodePacket, encodeBinaryPacket, type TransportName } from '@baro/protocol';
import type { WebSocketConnection } from '../websocket/connection.js';
import { ReadyState } from '../websocket/ready-state.js';
import type { Carrier, WirePacket } from '../session/carrier.js';
import type { Session } from '../session/session.js';

/** Carries a session over one WebSocket connection: one packet per message. */
export class WebSocketCarrier implements Carrier {
  readonly transport: TransportName = 'websocket';
  readonly streaming = true;
  readonly duplex = true;
  readonly #connection: WebSocketConnection;
  readonly #highWaterMark: number;

  constructor(connection: WebSocketConnection, highWaterMark: number) {
    this.#connection = connection;
    this.#highWaterMark = highWaterMark;
  }

  get writable(): boolean {
    return this.#connection.readyState === ReadyState.OPEN && this.#connection.bufferedAmount < this.#highWaterMark;
  }

  get bufferedBytes(): number {
    return this.#connection.bufferedAmount;
  }

  write(packets: readonly WirePacket[]): void {
    // One batch, one write: the receipt and the events it answers share a syscall. A single packet
    // is one frame in one buffer already: corking it would only route it through writev.
    const cork = packets.length > 1;
    if (cork) this.#connection.cork();
    for (const packet of packets) {
      if (packet.withBytes) {
        this.#connection.send(encodeBinaryPacket(packet.withBytes));
      } else if (packet.prepared) {
        // The payload was serialised and encoded once for every member; only `["e",<seq>,` is ours.
        const shared = (packet.prepared.tailBytes ??= Buffer.from(packet.prepared.tail));
        this.#connection.sendTextParts([Buffer.from(`["e",${packet.seq},`, 'latin1'), shared]);
      } else {
        this.#connection.send(packet.text);
      }
    }
    if (cork) this.#connection.uncork();
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
  bind(session: Session): void {
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
