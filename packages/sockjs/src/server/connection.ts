import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { roomsServing } from './rooms.js';

export const ReadyState = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const;
export type ReadyState = (typeof ReadyState)[keyof typeof ReadyState];

/** What a connection needs from whatever carries it (a SockJS session or a raw WebSocket). */
export interface ConnectionCarrier {
  readonly readyState: ReadyState;
  send(message: string): boolean;
  close(code: number, reason: string): boolean;
}

export interface ConnectionEvents {
  data: [message: string];
  end: [];
  close: [];
}

/** Request headers the reference copies onto the connection; cookies and auth stay out. */
const EXPOSED_HEADERS = ['referer', 'x-client-ip', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-port', 'x-cluster-client-ip', 'via', 'x-real-ip', 'x-forwarded-proto', 'x-ssl', 'dnt', 'host', 'user-agent', 'accept-language'];

/** The application's side of one SockJS session, shaped like sockjs-node's connection. */
export class SockJSConnection extends EventEmitter<ConnectionEvents> {
  readonly id = randomUUID();
  readonly prefix: string;
  remoteAddress: string | undefined;
  remotePort: number | undefined;
  url = '';
  pathname = '';
  protocol = '';
  headers: Record<string, string> = {};
  readonly #carrier: ConnectionCarrier;

  constructor(carrier: ConnectionCarrier, prefix: string) {
    super();
    this.#carrier = carrier;
    this.prefix = prefix;
  }

  get readyState(): ReadyState {
    return this.#carrier.readyState;
  }

  /** Queues one message; false once the session is no longer open. */
  write(message: string): boolean {
    return this.#carrier.send(String(message));
  }

  /**
   * Joins one of baro's rooms: the connection hears what is written to it, by SockJS
   * (`server.to(room).write`), baro (`server.to(room).emit`) or Socket.IO, on every node that
   * shares the broker. See SockJSRooms for how events become SockJS messages.
   */
  join(...rooms: string[]): void {
    const served = roomsServing(this);
    for (const room of rooms) served.join(this, room);
  }

  leave(room: string): void {
    roomsServing(this).leave(this, room);
  }

  get rooms(): ReadonlySet<string> {
    return roomsServing(this).roomsOf(this);
  }

  end(message?: string): void {
    if (message) this.write(message);
    this.close();
  }

  close(code = 1000, reason = 'Normal closure'): boolean {
    return this.#carrier.close(code, reason);
  }

  destroy(): void {
    this.end();
    this.removeAllListeners();
  }

  /** Copies what the application may want to know about the request that (re)attached the session. */
  describe(request: IncomingMessage, protocol: string): void {
    const socket = request.socket;
    if (socket.remoteAddress) {
      this.remoteAddress = socket.remoteAddress;
      this.remotePort = socket.remotePort;
    }
    this.url = request.url ?? '';
    this.pathname = new URL(this.url, 'http://x').pathname;
    this.protocol = protocol;
    const headers: Record<string, string> = {};
    for (const name of EXPOSED_HEADERS) {
      const value = request.headers[name];
      if (value) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    this.headers = headers;
  }
}
