import { CLOSE_BROKEN_FRAMING, CLOSE_NORMAL, parseWebSocketMessage } from '../protocol/index.js';
import type { MessageSocket } from './message-socket.js';
import type { Receiver } from './receiver.js';

/**
 * A SockJS session over one WebSocket: frames go out as WebSocket messages; each message in is a
 * JSON array of messages. The session ends with the socket (no disconnect delay).
 */
export class WebSocketReceiver implements Receiver {
  readonly protocol = 'websocket';
  readonly delayDisconnect = false;
  readonly #socket: MessageSocket;
  #onEnd: (() => void) | null = null;
  #open = true;

  constructor(socket: MessageSocket, deliver: (messages: readonly unknown[]) => void) {
    this.#socket = socket;
    socket.onMessage((text) => {
      if (!this.#open || !this.#onEnd) return;
      const messages = parseWebSocketMessage(text);
      if (messages === null) this.#end(CLOSE_BROKEN_FRAMING.code, CLOSE_BROKEN_FRAMING.reason);
      else deliver(messages);
    });
    socket.onClose(() => this.#end(CLOSE_NORMAL.code, CLOSE_NORMAL.reason));
  }

  attach(onEnd: () => void): void {
    this.#onEnd = onEnd;
  }

  sendFrame(frame: string): void {
    if (this.#open) this.#socket.send(frame);
  }

  close(): void {
    this.#end(CLOSE_NORMAL.code, CLOSE_NORMAL.reason);
  }

  #end(code: number, reason: string): void {
    if (!this.#open) return;
    this.#open = false;
    this.#socket.close(code, reason);
    const onEnd = this.#onEnd;
    this.#onEnd = null;
    onEnd?.();
  }
}
