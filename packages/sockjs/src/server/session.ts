import type { IncomingMessage } from 'node:http';
import { BaroCloseCode } from 'baro';
import { CLOSE_ANOTHER_CONNECTION, HEARTBEAT_FRAME, OPEN_FRAME, closeFrame, messageFrame, messageText } from '../protocol/index.js';
import { ReadyState, SockJSConnection, type ConnectionCarrier } from './connection.js';
import type { Receiver } from './receiver.js';

export interface SessionSettings {
  prefix: string;
  heartbeatDelay: number;
  disconnectDelay: number;
  maxBufferedBytes: number;
}

/**
 * One SockJS session: outgoing messages wait in a buffer until a receiver takes them; without a
 * receiver for `disconnectDelay` the session ends. Mirrors sockjs-node's Session state machine.
 */
export class Session implements ConnectionCarrier {
  readonly id: string | null;
  readonly remoteAddress: string;
  readonly connection: SockJSConnection;
  readyState: ReadyState = ReadyState.CONNECTING;
  readonly #settings: SessionSettings;
  readonly #onOpen: (connection: SockJSConnection) => void;
  readonly #onEnd: (session: Session) => void;
  #buffer: string[] = [];
  #bufferedBytes = 0;
  #receiver: Receiver | null = null;
  #disconnectTimer: NodeJS.Timeout | null = null;
  #heartbeatTimer: NodeJS.Timeout | null = null;
  #closeFrame = '';

  constructor(id: string | null, remoteAddress: string, settings: SessionSettings, onOpen: (connection: SockJSConnection) => void, onEnd: (session: Session) => void) {
    this.id = id;
    this.remoteAddress = remoteAddress;
    this.#settings = settings;
    this.#onOpen = onOpen;
    this.#onEnd = onEnd;
    this.connection = new SockJSConnection(this, settings.prefix);
    this.#startDisconnectTimer();
  }

  get hasReceiver(): boolean {
    return this.#receiver !== null;
  }

  /** A client connection that wants to receive: it becomes the receiver, or hears why not. */
  register(request: IncomingMessage, receiver: Receiver): void {
    if (this.#receiver) {
      receiver.sendFrame(closeFrame(CLOSE_ANOTHER_CONNECTION.code, CLOSE_ANOTHER_CONNECTION.reason));
      receiver.close();
      return;
    }
    this.#clearDisconnectTimer();
    if (this.readyState === ReadyState.CLOSING) {
      this.#flushTo(receiver);
      receiver.sendFrame(this.#closeFrame);
      receiver.close();
      this.#startDisconnectTimer();
      return;
    }
    this.#receiver = receiver;
    receiver.attach(() => this.#unregister(receiver));
    this.connection.describe(request, receiver.protocol);
    if (this.readyState === ReadyState.CONNECTING) {
      this.readyState = ReadyState.OPEN;
      receiver.sendFrame(OPEN_FRAME);
      process.nextTick(() => this.#onOpen(this.connection));
    }
    if (this.#receiver !== receiver) return;
    this.#flushTo(receiver);
    if (this.#receiver === receiver) this.#startHeartbeat();
  }

  /** Messages the client sent; ignored unless the session is open. */
  deliver(messages: readonly unknown[]): void {
    for (const message of messages) {
      if (this.readyState !== ReadyState.OPEN) return;
      this.connection.emit('data', messageText(message));
    }
  }

  send(message: string): boolean {
    if (this.readyState !== ReadyState.OPEN) return false;
    this.#buffer.push(message);
    this.#bufferedBytes += message.length;
    if (this.#receiver) {
      // At once, one frame per write, as the reference does: polling clients then get one
      // message per response, and the bytes on the wire are the same.
      this.#flushTo(this.#receiver);
    } else if (this.#bufferedBytes > this.#settings.maxBufferedBytes) {
      this.#buffer = [];
      this.#bufferedBytes = 0;
      this.close(BaroCloseCode.slowConsumer, 'Slow consumer');
    }
    return true;
  }

  close(code: number, reason: string): boolean {
    if (this.readyState !== ReadyState.OPEN) return false;
    this.readyState = ReadyState.CLOSING;
    this.#closeFrame = closeFrame(code, reason);
    const receiver = this.#receiver;
    if (receiver) {
      this.#flushTo(receiver);
      receiver.sendFrame(this.#closeFrame);
      receiver.close();
    }
    return true;
  }

  /** Ends the session now, whatever its state (server shutdown). */
  terminate(): void {
    const receiver = this.#receiver;
    if (receiver) {
      this.#receiver = null;
      receiver.close();
    }
    this.#end();
  }

  #flushTo(receiver: Receiver): void {
    if (this.#buffer.length === 0) return;
    const messages = this.#buffer;
    this.#buffer = [];
    this.#bufferedBytes = 0;
    receiver.sendFrame(messageFrame(messages));
  }

  #unregister(receiver: Receiver): void {
    if (this.#receiver !== receiver) return;
    this.#receiver = null;
    this.#stopHeartbeat();
    if (receiver.delayDisconnect) this.#startDisconnectTimer();
    else this.#end();
  }

  #startHeartbeat(): void {
    this.#stopHeartbeat();
    this.#heartbeatTimer = setInterval(() => this.#receiver?.sendFrame(HEARTBEAT_FRAME), this.#settings.heartbeatDelay);
  }

  #stopHeartbeat(): void {
    if (this.#heartbeatTimer) clearInterval(this.#heartbeatTimer);
    this.#heartbeatTimer = null;
  }

  #startDisconnectTimer(): void {
    this.#clearDisconnectTimer();
    this.#disconnectTimer = setTimeout(() => this.#end(), this.#settings.disconnectDelay);
  }

  #clearDisconnectTimer(): void {
    if (this.#disconnectTimer) clearTimeout(this.#disconnectTimer);
    this.#disconnectTimer = null;
  }

  #end(): void {
    if (this.readyState === ReadyState.CLOSED) return;
    this.#clearDisconnectTimer();
    this.#stopHeartbeat();
    const wasOpen = this.readyState !== ReadyState.CONNECTING;
    this.readyState = ReadyState.CLOSED;
    this.#buffer = [];
    this.#onEnd(this);
    if (wasOpen) {
      this.connection.emit('end');
      this.connection.emit('close');
    }
  }
}
