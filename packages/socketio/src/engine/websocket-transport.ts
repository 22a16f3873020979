import { ReadyState, type WebSocketConnection } from 'baro';
import { decodeEnginePacket, encodeEnginePacket, type EnginePacket } from '../codec/index.js';
import { EngineTransport } from './transport.js';

/** One Engine.IO packet per WebSocket message; binary messages go as binary frames. */
export class WebSocketTransport extends EngineTransport {
  readonly name = 'websocket';
  readonly #connection: WebSocketConnection;

  constructor(connection: WebSocketConnection) {
    super();
    this.#connection = connection;
    this.writable = connection.readyState === ReadyState.OPEN;
    connection.on('message', (data, isBinary) => {
      if (this.closed) return;
      const packet = decodeEnginePacket(isBinary ? data : data.toString('utf8'));
      if (!packet.ok) this.emit('parseError', packet.error);
      else if (packet.value.type === 'close') this.close();
      else this.emit('packet', packet.value);
    });
    connection.on('close', () => this.finishClose());
    // Transport errors end in 'close' (1006); nothing more to report here.
    connection.on('error', () => {});
  }

  get remoteAddress(): string | undefined {
    return this.#connection.remoteAddress;
  }

  send(packets: EnginePacket[]): void {
    if (this.closed) return;
    this.#connection.cork();
    for (const packet of packets) this.#connection.send(encodeEnginePacket(packet, true));
    this.#connection.uncork();
  }

  close(onClosed?: () => void): void {
    if (this.closed) return;
    this.writable = false;
    this.#connection.close();
    onClosed?.();
  }
}
