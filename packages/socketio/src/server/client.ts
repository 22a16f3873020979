import { SocketDecoder, SocketPacketType, encodeSocketPacket, type SocketPacket } from '../codec/index.js';
import type { EngineCloseReason, EngineSocket } from '../engine/index.js';
import type { EncodedPacket } from './room-adapter.js';
import type { Namespace } from './namespace.js';
import type { Server } from './server.js';
import type { DisconnectReason, Socket } from './socket.js';
import type { EventsMap } from './typed-events.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- one client holds sockets of namespaces typed differently
type AnySocket = Socket<any, any, any, any>;

/**
 * One Engine.IO connection seen by Socket.IO: decodes its messages into packets, connects it to
 * namespaces, routes each packet to its namespace's socket, and closes it when no namespace was
 * joined within `connectTimeout`.
 */
export class SocketClient {
  readonly conn: EngineSocket;
  readonly #server: Server<EventsMap, EventsMap, EventsMap, unknown>;
  readonly #decoder: SocketDecoder;
  /** Connected sockets by namespace name. */
  readonly #sockets = new Map<string, AnySocket>();
  /** Namespaces whose connect is running its middlewares. */
  #connecting: Set<string> | null = null;
  #connectTimer: NodeJS.Timeout | null;
  #closed = false;

  constructor(server: Server<EventsMap, EventsMap, EventsMap, unknown>, conn: EngineSocket, options: { connectTimeout: number; maxPacketBytes: number }) {
    this.#server = server;
    this.conn = conn;
    this.#decoder = new SocketDecoder({ maxPacketBytes: options.maxPacketBytes });
    conn.on('message', (data) => this.#onData(data));
    conn.once('close', (reason, description) => this.#onClose(reason, description));
    this.#connectTimer = setTimeout(() => {
      this.#connectTimer = null;
      if (this.#sockets.size === 0) this.#close();
    }, options.connectTimeout);
  }

  /** The client's sockets, by namespace name. */
  get sockets(): ReadonlyMap<string, AnySocket> {
    return this.#sockets;
  }

  /** @internal Encodes and sends one packet; false when dropped (closed, or volatile and not writable). */
  _writePacket(packet: SocketPacket, volatile: boolean): boolean {
    if (this.conn.readyState !== 'open') return false;
    return this._writeEncoded(encodeSocketPacket(packet), volatile);
  }

  /** @internal Sends an encoded packet, its attachments after it, all or nothing. */
  _writeEncoded(encoded: EncodedPacket, volatile: boolean): boolean {
    if (this.conn.readyState !== 'open') return false;
    if (volatile && !this.conn.transport.writable) return false;
    for (const part of encoded) if (!this.conn.send(part)) return false;
    return true;
  }

  /** @internal Every socket leaves its namespace, then the connection closes (`socket.disconnect(true)`). */
  _disconnect(): void {
    for (const socket of [...this.#sockets.values()]) socket.disconnect();
    this.#sockets.clear();
    this.#close();
  }

  /** @internal */
  _remove(socket: AnySocket): void {
    if (this.#sockets.get(socket.nsp.name) === socket) this.#sockets.delete(socket.nsp.name);
  }

  #onData(data: string | Buffer): void {
    const result = this.#decoder.add(data);
    if (!result.ok) return this.#onDecodeError(result.error);
    if (result.value) this.#onPacket(result.value);
  }

  #onPacket(packet: SocketPacket): void {
    if (packet.type === SocketPacketType.CONNECT) {
      this.#connect(packet.nsp, (packet.data ?? {}) as Record<string, unknown>);
      return;
    }
    const socket = this.#sockets.get(packet.nsp);
    // A packet for a namespace the client has not joined (or not yet: its middlewares still run)
    // is a client out of step: the reference closes the connection ("invalid state"), so do we.
    if (socket) socket._onPacket(packet);
    else this.#close();
  }

  #connect(name: string, auth: Record<string, unknown>): void {
    // A second CONNECT for a namespace already joined (or joining) is ignored: one socket per namespace.
    if (this.#sockets.has(name) || this.#connecting?.has(name)) return;
    (this.#connecting ??= new Set()).add(name);
    const nsp = this.#server._namespace(name);
    if (nsp) return this.#join(nsp, name, auth);
    this.#server._matchParent(name, auth, (found) => {
      if (this.#closed) return;
      if (found) return this.#join(found, name, auth);
      this.#doneConnecting(name);
      this._writePacket({ type: SocketPacketType.CONNECT_ERROR, nsp: name, data: { message: 'Invalid namespace' } }, false);
    });
  }

  #join(nsp: Namespace<EventsMap, EventsMap, EventsMap, unknown>, name: string, auth: Record<string, unknown>): void {
    nsp._add(
      this,
      auth,
      (socket) => {
        this.#doneConnecting(name);
        this.#sockets.set(name, socket);
        if (this.#connectTimer) clearTimeout(this.#connectTimer);
        this.#connectTimer = null;
      },
      () => this.#doneConnecting(name),
    );
  }

  #doneConnecting(name: string): void {
    this.#connecting?.delete(name);
    if (this.#connecting?.size === 0) this.#connecting = null;
  }

  /** The reference reports a bad packet to every socket's 'error' listeners, then closes the connection. */
  #onDecodeError(description: string): void {
    const error = new Error(description);
    for (const socket of this.#sockets.values()) socket._onError(error);
    this.conn.close();
  }

  #close(): void {
    if (this.conn.readyState === 'open') {
      this.conn.close();
      this.#onClose('forced server close');
    }
  }

  #onClose(reason: EngineCloseReason | DisconnectReason, description?: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#connectTimer) clearTimeout(this.#connectTimer);
    this.#connectTimer = null;
    this.#decoder.reset();
    for (const socket of [...this.#sockets.values()]) socket._onClose(reason, description);
    this.#sockets.clear();
  }
}
