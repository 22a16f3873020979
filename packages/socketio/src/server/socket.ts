import { randomBytes } from 'node:crypto';
import { RESERVED_EVENTS, SocketPacketType, type SocketPacket } from '../codec/index.js';
import type { EngineSocket } from '../engine/index.js';
import { BroadcastOperator, type OperatorFlags } from './broadcast-operator.js';
import type { SocketClient } from './client.js';
import { handshakeOf, type Handshake } from './handshake.js';
import { invokeListener, Listeners, runMiddlewares, type AnyListener } from './listeners.js';
import type { Namespace } from './namespace.js';
import type { BroadcastFlags, EncodedPacket, RoomMember } from './room-adapter.js';
import type { RestoredSession } from './session-history.js';
import type {
  AckResult,
  ArgsWithoutAck,
  DecorateAcknowledgementsWithTimeout,
  DefaultEventsMap,
  EventNames,
  EventParams,
  EventsMap,
} from './typed-events.js';

/** Why a socket disconnected, in the reference server's words. */
export type DisconnectReason =
  | 'transport error'
  | 'transport close'
  | 'forced close'
  | 'ping timeout'
  | 'parse error'
  | 'server shutting down'
  | 'forced server close'
  | 'client namespace disconnect'
  | 'server namespace disconnect';

/** Reasons after which the client may come back and recover its state (the reference's list). */
const RECOVERABLE_REASONS: ReadonlySet<DisconnectReason> = new Set(['transport error', 'transport close', 'forced close', 'ping timeout', 'server shutting down', 'forced server close']);

export const ACK_TIMEOUT_MESSAGE = 'operation has timed out';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the ack callback's arguments are the client's
type Ack = (...args: any[]) => void;
export type SocketMiddleware = (event: [string, ...unknown[]], next: (error?: Error) => void) => void;

export interface SocketReservedEvents {
  disconnect: (reason: DisconnectReason, description?: unknown) => void;
  disconnecting: (reason: DisconnectReason, description?: unknown) => void;
  error: (error: Error) => void;
}

function socketId(): string {
  return randomBytes(15).toString('base64url');
}

/**
 * One client in one namespace, as socket.io's server Socket: events and acks both ways, rooms,
 * broadcast operators, middlewares, `data` and `handshake`.
 */
export class Socket<ListenEvents extends EventsMap = DefaultEventsMap, EmitEvents extends EventsMap = ListenEvents, ServerSideEvents extends EventsMap = DefaultEventsMap, SocketData = any> implements RoomMember {
  readonly id: string;
  /** The private id a client presents to recover this socket's state (with connection state recovery). */
  readonly pid: string | undefined;
  readonly nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  readonly client: SocketClient;
  readonly #auth: Record<string, unknown>;
  readonly #issued = Date.now();
  /** Built when first read: an idle socket whose app never looks keeps only the auth payload. */
  #handshake: Handshake | null = null;
  /** The app's data about this client, kept across a recovery. */
  data: Partial<SocketData> = {};
  connected = false;
  /** Whether this socket took over a previous one's id, rooms, data and missed packets. */
  readonly recovered: boolean;
  readonly #listeners = new Listeners();
  readonly #anyListeners: AnyListener[] = [];
  readonly #middlewares: SocketMiddleware[] = [];
  // Made on first use: most sockets never need them, and an idle socket's bytes count.
  #acks: Map<number, Ack> | null = null;
  #missedPackets: unknown[][] | null;
  #flags: OperatorFlags | null = null;
  /** Rooms joined by a middleware (or restored) before the socket is connected. */
  #roomsBeforeConnect: Set<string> | null = null;
  #closed = false;

  constructor(nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>, client: SocketClient, auth: Record<string, unknown>, previous: RestoredSession | null) {
    this.nsp = nsp;
    this.client = client;
    this.#auth = auth;
    this.recovered = previous !== null;
    this.id = previous?.sid ?? socketId();
    this.pid = previous?.pid ?? (nsp.history ? socketId() : undefined);
    this.#missedPackets = previous?.missedPackets ?? null;
    if (previous) this.data = previous.data as Partial<SocketData>;
    if (previous && previous.rooms.length > 0) this.#roomsBeforeConnect = new Set(previous.rooms);
  }

  /** What the client's first request and its CONNECT said: headers, address, query, `auth`. */
  get handshake(): Handshake {
    return (this.#handshake ??= handshakeOf(this.client.conn.request, this.#auth, this.#issued));
  }

  /** The Engine.IO session under this socket (shared by the client's sockets of other namespaces). */
  get conn(): EngineSocket {
    return this.client.conn;
  }

  /** The HTTP request that opened the connection (its headers, cookies, address). */
  get request(): EngineSocket['request'] {
    return this.client.conn.request;
  }

  get disconnected(): boolean {
    return !this.connected;
  }

  get rooms(): Set<string> {
    return this.connected ? new Set(this.nsp.adapter.roomsOf(this.id)) : new Set(this.#roomsBeforeConnect ?? []);
  }

  on<Ev extends keyof SocketReservedEvents>(event: Ev, listener: SocketReservedEvents[Ev]): this;
  on<Ev extends EventNames<ListenEvents>>(event: Ev, listener: ListenEvents[Ev]): this;
  on(event: string, listener: AnyListener): this {
    this.#listeners.add(event, listener);
    return this;
  }

  once<Ev extends keyof SocketReservedEvents>(event: Ev, listener: SocketReservedEvents[Ev]): this;
  once<Ev extends EventNames<ListenEvents>>(event: Ev, listener: ListenEvents[Ev]): this;
  once(event: string, listener: AnyListener): this {
    this.#listeners.add(event, listener, true);
    return this;
  }

  off(event?: string, listener?: AnyListener): this {
    this.#listeners.remove(event, listener);
    return this;
  }

  removeListener(event: string, listener: AnyListener): this {
    return this.off(event, listener);
  }

  removeAllListeners(event?: string): this {
    this.#listeners.remove(event);
    return this;
  }

  listeners(event: string): AnyListener[] {
    return this.#listeners.list(event);
  }

  /** Runs for every incoming event, before its own listeners: `(event, ...args)`. */
  onAny(listener: (event: string, ...args: unknown[]) => void): this {
    this.#anyListeners.push(listener);
    return this;
  }

  prependAny(listener: (event: string, ...args: unknown[]) => void): this {
    this.#anyListeners.unshift(listener);
    return this;
  }

  offAny(listener?: (event: string, ...args: unknown[]) => void): this {
    if (listener === undefined) this.#anyListeners.length = 0;
    else {
      const index = this.#anyListeners.indexOf(listener);
      if (index !== -1) this.#anyListeners.splice(index, 1);
    }
    return this;
  }

  /** A middleware for this socket's incoming events; `next(error)` drops the event and emits 'error'. */
  use(middleware: SocketMiddleware): this {
    this.#middlewares.push(middleware);
    return this;
  }

  /** Sends an event; a function as the last argument is called with the client's ack. */
  emit<Ev extends EventNames<EmitEvents>>(event: Ev, ...args: EventParams<EmitEvents, Ev>): boolean {
    if (RESERVED_EVENTS.has(event)) throw new Error(`"${event}" is a reserved event name`);
    const flags = this.#takeFlags();
    const data: unknown[] = [event, ...args];
    const packet: SocketPacket = { type: SocketPacketType.EVENT, nsp: this.nsp.name, data };
    if (typeof data[data.length - 1] === 'function') {
      packet.id = this.nsp._nextAckId();
      this.#registerAck(packet.id, data.pop() as Ack, flags.timeout);
    }
    // Kept for recovery like a broadcast to this socket's own room.
    this.nsp._record(packet, { rooms: new Set([this.id]), except: new Set() }, flags);
    return this.client._writePacket(packet, flags.volatile === true);
  }

  /**
   * Sends an event and resolves with the client's ack. After `timeout(ms)` it rejects with
   * "operation has timed out" when the client does not answer in time.
   */
  emitWithAck<Ev extends EventNames<EmitEvents>>(event: Ev, ...args: ArgsWithoutAck<EmitEvents, Ev>): Promise<AckResult<EmitEvents, Ev>> {
    const withTimeout = this.#flags?.timeout !== undefined;
    return new Promise((resolve, reject) => {
      const ack = withTimeout ? (error: Error | null, result: unknown) => (error ? reject(error) : resolve(result as AckResult<EmitEvents, Ev>)) : (result: unknown) => resolve(result as AckResult<EmitEvents, Ev>);
      (this.emit as (event: string, ...rest: unknown[]) => boolean)(event, ...args, ack);
    });
  }

  /** `emit('message', ...args)`. */
  send(...args: unknown[]): this {
    (this.emit as (event: string, ...rest: unknown[]) => boolean)('message', ...args);
    return this;
  }

  write(...args: unknown[]): this {
    return this.send(...args);
  }

  /** The next emit's ack fails with "operation has timed out" after `ms`. */
  timeout(ms: number): Socket<ListenEvents, DecorateAcknowledgementsWithTimeout<EmitEvents>, ServerSideEvents, SocketData> {
    (this.#flags ??= {}).timeout = ms;
    return this as unknown as Socket<ListenEvents, DecorateAcknowledgementsWithTimeout<EmitEvents>, ServerSideEvents, SocketData>;
  }

  /** The next emit is dropped if the transport cannot take it now. */
  get volatile(): this {
    (this.#flags ??= {}).volatile = true;
    return this;
  }

  /** Accepted for compatibility; Engine.IO messages are not compressed here. */
  compress(_compress: boolean): this {
    return this;
  }

  /** Joins rooms; a middleware may join too, before the socket is connected. A closed socket joins nothing. */
  join(rooms: string | readonly string[]): void | Promise<void> {
    const list = typeof rooms === 'string' ? [rooms] : rooms;
    if (this.#closed) return;
    if (!this.connected) {
      this.#roomsBeforeConnect ??= new Set();
      for (const room of list) this.#roomsBeforeConnect.add(room);
      return;
    }
    return this.nsp.adapter.join(this.id, list);
  }

  leave(room: string): void | Promise<void> {
    if (this.#closed) return;
    if (!this.connected) {
      this.#roomsBeforeConnect?.delete(room);
      return;
    }
    return this.nsp.adapter.leave(this.id, room);
  }

  /** Everyone in `room` but this socket. */
  to(room: string | readonly string[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.#broadcastOperator().to(room);
  }

  in(room: string | readonly string[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.to(room);
  }

  except(room: string | readonly string[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.#broadcastOperator().except(room);
  }

  /** Everyone in the namespace but this socket. */
  get broadcast(): BroadcastOperator<EmitEvents, SocketData> {
    return this.#broadcastOperator();
  }

  /** Leaves the namespace (the client hears a DISCONNECT); with `close`, ends the whole connection. */
  disconnect(close = false): this {
    if (!this.connected) return this;
    if (close) {
      this.client._disconnect();
    } else {
      this.client._writePacket({ type: SocketPacketType.DISCONNECT, nsp: this.nsp.name }, false);
      this._onClose('server namespace disconnect');
    }
    return this;
  }

  /** Delivers a broadcast's encoded packet (RoomMember). */
  deliver(encoded: EncodedPacket, flags: BroadcastFlags): boolean {
    return this.connected && this.client._writeEncoded(encoded, flags.volatile === true);
  }

  /** @internal Registers the ack a broadcast with acks waits for from this socket. */
  _registerBroadcastAck(id: number, ack: Ack): void {
    (this.#acks ??= new Map()).set(id, ack);
  }

  /** @internal Joins its rooms and tells the client it is connected, then what it missed. */
  _onConnect(): void {
    this.connected = true;
    this.nsp.adapter.addMember(this);
    void this.nsp.adapter.join(this.id, [this.id, ...(this.#roomsBeforeConnect ?? [])]);
    this.#roomsBeforeConnect = null;
    const data: Record<string, string> = { sid: this.id };
    if (this.pid !== undefined) data.pid = this.pid;
    this.client._writePacket({ type: SocketPacketType.CONNECT, nsp: this.nsp.name, data }, false);
    for (const missed of this.#missedPackets ?? []) this.client._writePacket({ type: SocketPacketType.EVENT, nsp: this.nsp.name, data: missed }, false);
    this.#missedPackets = null;
  }

  /** @internal A packet for this namespace from the client. */
  _onPacket(packet: SocketPacket): void {
    if (!this.connected) return;
    switch (packet.type) {
      case SocketPacketType.EVENT:
        this.#onEvent(packet);
        break;
      case SocketPacketType.ACK: {
        const ack = packet.id === undefined ? undefined : this.#acks?.get(packet.id);
        if (ack && packet.id !== undefined) {
          this.#acks?.delete(packet.id);
          invokeListener(ack, this, packet.data as unknown[], (error) => this.nsp.server._reportError(error));
        }
        break;
      }
      case SocketPacketType.DISCONNECT:
        this._onClose('client namespace disconnect');
        break;
      default:
        // CONNECT again or CONNECT_ERROR from a client: the reference ignores them too.
        break;
    }
  }

  /** @internal Reports an error to the app's 'error' listeners (a bad packet on the connection). */
  _onError(error: Error): void {
    this.#listeners.emit('error', this, [error], (thrown) => this.nsp.server._reportError(thrown));
  }

  /** @internal The socket is gone: it leaves its rooms and the namespace, and tells the app why. */
  _onClose(reason: DisconnectReason, description?: unknown): void {
    if (!this.connected) return;
    const report = (error: unknown): void => this.nsp.server._reportError(error);
    this.#listeners.emit('disconnecting', this, [reason, description], report);
    if (this.nsp.history && this.pid !== undefined && RECOVERABLE_REASONS.has(reason)) {
      this.nsp.history.persist({ sid: this.id, pid: this.pid, rooms: [...this.nsp.adapter.roomsOf(this.id)].filter((room) => room !== this.id), data: this.data });
    }
    this.nsp._remove(this);
    this.client._remove(this);
    this.connected = false;
    this.#closed = true;
    // Acks without a timeout can never be answered now; those with one still report it.
    this.#acks = null;
    this.#listeners.emit('disconnect', this, [reason, description], report);
  }

  #onEvent(packet: SocketPacket): void {
    const args = [...(packet.data as unknown[])];
    if (packet.id !== undefined) args.push(this.#ackFor(packet.id));
    const report = (error: unknown): void => this.nsp.server._reportError(error);
    for (const listener of [...this.#anyListeners]) invokeListener(listener, this, args, report);
    this.#runMiddlewares(args as [string, ...unknown[]], (error) => {
      if (error) this._onError(error);
      else if (this.connected) this.#listeners.emit(String(args[0]), this, args.slice(1), report);
    });
  }

  #runMiddlewares(event: [string, ...unknown[]], done: (error?: Error) => void): void {
    runMiddlewares(this.#middlewares, this, event, done, (thrown) => this.nsp.server._reportError(thrown));
  }

  /** The callback an incoming event's last argument gets: answers once. */
  #ackFor(id: number): Ack {
    let sent = false;
    return (...args: unknown[]) => {
      if (sent) return;
      sent = true;
      this.client._writePacket({ type: SocketPacketType.ACK, nsp: this.nsp.name, id, data: args }, false);
    };
  }

  #registerAck(id: number, ack: Ack, timeout: number | undefined): void {
    if (timeout === undefined) {
      (this.#acks ??= new Map()).set(id, ack);
      return;
    }
    const timer = setTimeout(() => {
      this.#acks?.delete(id);
      invokeListener(ack, this, [new Error(ACK_TIMEOUT_MESSAGE)], (error) => this.nsp.server._reportError(error));
    }, timeout);
    (this.#acks ??= new Map()).set(id, (...args: unknown[]) => {
      clearTimeout(timer);
      ack.call(this, null, ...args);
    });
  }

  #takeFlags(): OperatorFlags {
    const flags = this.#flags ?? {};
    this.#flags = null;
    return flags;
  }

  #broadcastOperator(): BroadcastOperator<EmitEvents, SocketData> {
    return new BroadcastOperator<EmitEvents, SocketData>(this.nsp as unknown as Namespace<EventsMap, EmitEvents, EventsMap, SocketData>, new Set(), new Set([this.id]), this.#takeFlags());
  }
}
