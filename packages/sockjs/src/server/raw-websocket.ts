import type { IncomingMessage } from 'node:http';
import { ReadyState, SockJSConnection, type ConnectionCarrier } from './connection.js';
import type { MessageSocket } from './message-socket.js';

/** `/<prefix>/websocket`: plain WebSocket messages with the SockJS connection API, no framing. */
export class RawWebSocketCarrier implements ConnectionCarrier {
  readyState: ReadyState = ReadyState.OPEN;
  readonly connection: SockJSConnection;
  readonly #socket: MessageSocket;

  constructor(socket: MessageSocket, request: IncomingMessage, prefix: string, onEnd: () => void) {
    this.#socket = socket;
    this.connection = new SockJSConnection(this, prefix);
    this.connection.describe(request, 'websocket-raw');
    socket.onMessage((text) => {
      if (this.readyState === ReadyState.OPEN) this.connection.emit('data', text);
    });
    socket.onClose(() => {
      this.readyState = ReadyState.CLOSED;
      onEnd();
      this.connection.emit('end');
      this.connection.emit('close');
    });
  }

  send(message: string): boolean {
    if (this.readyState !== ReadyState.OPEN) return false;
    this.#socket.send(message);
    return true;
  }

  close(code: number, reason: string): boolean {
    if (this.readyState !== ReadyState.OPEN) return false;
    this.readyState = ReadyState.CLOSING;
    this.#socket.close(code, reason);
    return true;
  }

  terminate(): void {
    this.#socket.close(1001, 'Server shutting down');
  }
}
