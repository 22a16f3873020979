import { SocketPacketType, type SocketPacket } from '../codec/index.js';
import { BroadcastOperator, type OperatorFlags } from './broadcast-operator.js';
import type { SocketClient } from './client.js';
import { Listeners, runMiddlewares, type AnyListener } from './listeners.js';
import type { BroadcastTarget, RoomAdapter } from './room-adapter.js';
import type { Server } from './server.js';
import type { SessionHistory } from './session-history.js';
import { Socket } from './socket.js';
import type { AckResult, ArgsWithoutAck, DecorateAcknowledgementsWithMultipleResponses, DefaultEventsMap, EventNames, EventParams, EventsMap } from './typed-events.js';

/** What `next(error)` of a namespace middleware sends the client: `error.message`, and `error.data` if set. */
export type ConnectionMiddlewareError = Error & { data?: unknown };

export type NamespaceMiddleware<ListenEvents extends EventsMap, EmitEvents extends EventsMap, ServerSideEvents extends EventsMap, SocketData> = (
  socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
  next: (error?: ConnectionMiddlewareError) => void,
) => void;

/**
 * A namespace (`io.of('/chat')`): its sockets, rooms (through its RoomAdapter), middlewares run
 * on each connect, and broadcasts to everyone in it or to rooms.
 */
export class Namespace<ListenEvents extends EventsMap = DefaultEventsMap, EmitEvents extends EventsMap = ListenEvents, ServerSideEvents extends EventsMap = DefaultEventsMap, SocketData = any> {
  readonly name: string;
  readonly server: Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  readonly sockets = new Map<string, Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>();
  readonly adapter: RoomAdapter;
  /** Recent events and disconnected sessions, with connection state recovery; null without. */
  readonly history: SessionHistory | null;
  readonly #listeners = new Listeners();
  readonly #middlewares: NamespaceMiddleware<ListenEvents, EmitEvents, ServerSideEvents, SocketData>[] = [];
  #nextAckId = 0;
  #release: (() => void) | null = null;
  /** Sockets whose middlewares still run. */
  #connecting = 0;

  constructor(
    server: Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    name: string,
    makeAdapter: (nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => RoomAdapter,
    history: SessionHistory | null,
  ) {
    this.server = server;
    this.name = name;
    this.history = history;
    this.adapter = makeAdapter(this);
  }

  on(event: 'connection' | 'connect', listener: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void): this {
    this.#listeners.add(event, listener as AnyListener);
    return this;
  }

  once(event: 'connection' | 'connect', listener: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void): this {
    this.#listeners.add(event, listener as AnyListener, true);
    return this;
  }

  off(event?: 'connection' | 'connect', listener?: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void): this {
    this.#listeners.remove(event, listener as AnyListener | undefined);
    return this;
  }

  /** Runs for every socket connecting here, in order; `next(error)` refuses it with CONNECT_ERROR. */
  use(middleware: NamespaceMiddleware<ListenEvents, EmitEvents, ServerSideEvents, SocketData>): this {
    this.#middlewares.push(middleware);
    return this;
  }

  to(rooms: string | readonly string[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.#operator().to(rooms);
  }

  in(rooms: string | readonly string[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.#operator().in(rooms);
  }

  except(rooms: string | readonly string[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.#operator().except(rooms);
  }

  get volatile(): BroadcastOperator<EmitEvents, SocketData> {
    return this.#operator().volatile;
  }

  get local(): BroadcastOperator<EmitEvents, SocketData> {
    return this.#operator().local;
  }

  compress(compress: boolean): BroadcastOperator<EmitEvents, SocketData> {
    return this.#operator().compress(compress);
  }

  timeout(ms: number): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return this.#operator().timeout(ms);
  }

  /** Sends to every socket of the namespace. */
  emit<Ev extends EventNames<EmitEvents>>(event: Ev, ...args: EventParams<EmitEvents, Ev>): boolean {
    return this.#operator().emit(event, ...args);
  }

  emitWithAck<Ev extends EventNames<EmitEvents>>(event: Ev, ...args: ArgsWithoutAck<EmitEvents, Ev>): Promise<AckResult<EmitEvents, Ev>> {
    return this.#operator().emitWithAck(event, ...args);
  }

  send(...args: unknown[]): this {
    (this.emit as (event: string, ...rest: unknown[]) => boolean)('message', ...args);
    return this;
  }

  write(...args: unknown[]): this {
    return this.send(...args);
  }

  fetchSockets(): Promise<Socket<EventsMap, EmitEvents, EventsMap, SocketData>[]> {
    return this.#operator().fetchSockets();
  }

  allSockets(): Promise<Set<string>> {
    return this.#operator().allSockets();
  }

  socketsJoin(rooms: string | readonly string[]): void {
    this.#operator().socketsJoin(rooms);
  }

  socketsLeave(rooms: string | readonly string[]): void {
    this.#operator().socketsLeave(rooms);
  }

  disconnectSockets(close = false): void {
    this.#operator().disconnectSockets(close);
  }

  /** @internal Gives a child of a dynamic namespace this one's middlewares and connection listeners. */
  _copyHandlersTo(child: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>): void {
    for (const middleware of this.#middlewares) child.use(middleware);
    for (const event of ['connect', 'connection'] as const) for (const listener of this.#listeners.list(event)) child.on(event, listener as (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void);
  }

  /** @internal Ack ids are per namespace, as the reference's, so a broadcast's id is one for all its sockets. */
  _nextAckId(): number {
    const id = this.#nextAckId;
    this.#nextAckId = (this.#nextAckId + 1) % Number.MAX_SAFE_INTEGER;
    return id;
  }

  /** @internal Gives an event its recovery offset (with connection state recovery) when it can be replayed. */
  _record(packet: SocketPacket, target: BroadcastTarget, flags: OperatorFlags): void {
    if (this.history && packet.type === SocketPacketType.EVENT && packet.id === undefined && !flags.volatile) this.history.record(packet.data as unknown[], target);
  }

  /** @internal Delivers to everyone `target` reaches; `onDelivered` runs per socket reached. Returns how many. */
  _broadcast(packet: SocketPacket, target: BroadcastTarget, flags: OperatorFlags, onDelivered?: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void): number {
    this._record(packet, target, flags);
    return this.adapter.broadcast(packet, target, { volatile: flags.volatile === true, local: flags.local === true }, onDelivered ? (id) => {
      const socket = this.sockets.get(id);
      if (socket) onDelivered(socket);
    } : undefined);
  }

  /**
   * @internal A client asks to connect with `auth`: a recovered session when it presents a live one
   * (middlewares skipped if so configured), else a new socket through the middlewares.
   */
  _add(client: SocketClient, auth: Record<string, unknown>, onConnected: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void, onRefused: () => void): void {
    const previous = this.history && typeof auth.pid === 'string' && typeof auth.offset === 'string' ? this.history.restore(auth.pid, auth.offset) : null;
    const socket = new Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>(this, client, auth, previous);
    this.#connecting++;
    const admit = (): void => {
      this.#connecting--;
      if (client.conn.readyState !== 'open') {
        onRefused();
        return this.#releaseIfEmpty();
      }
      this.sockets.set(socket.id, socket);
      socket._onConnect();
      onConnected(socket);
      const report = (error: unknown): void => this.server._reportError(error);
      this.#listeners.emit('connect', this, [socket], report);
      this.#listeners.emit('connection', this, [socket], report);
    };
    if (previous && this.history?.skipMiddlewares) return admit();
    this.#runMiddlewares(socket, (error) => {
      if (!error) return admit();
      this.#connecting--;
      onRefused();
      this.#releaseIfEmpty();
      const data: Record<string, unknown> = { message: error.message };
      if (error.data !== undefined) data.data = error.data;
      client._writePacket({ type: SocketPacketType.CONNECT_ERROR, nsp: this.name, data }, false);
    });
  }

  /** @internal */
  _remove(socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>): void {
    this.sockets.delete(socket.id);
    this.adapter.removeMember(socket.id);
    this.#releaseIfEmpty();
  }

  /** @internal Runs `release` once the namespace has no socket (a dynamic namespace's child goes away then). */
  _releaseWhenEmpty(release: () => void): void {
    this.#release = release;
  }

  #releaseIfEmpty(): void {
    if (this.sockets.size > 0 || this.#connecting > 0 || !this.#release) return;
    const release = this.#release;
    this.#release = null;
    release();
  }

  #runMiddlewares(socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>, done: (error?: ConnectionMiddlewareError) => void): void {
    // A middleware that throws refuses the socket, as if it had called next(error).
    runMiddlewares<ConnectionMiddlewareError>(this.#middlewares, this, socket, done, (thrown) => this.server._reportError(thrown));
  }

  #operator(): BroadcastOperator<EmitEvents, SocketData> {
    return new BroadcastOperator<EmitEvents, SocketData>(this as unknown as Namespace<EventsMap, EmitEvents, EventsMap, SocketData>);
  }
}
