import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EngineServer, type EngineServerOptions } from '../engine/index.js';
import type { BroadcastOperator } from './broadcast-operator.js';
import { SocketClient } from './client.js';
import { Namespace, type NamespaceMiddleware } from './namespace.js';
import { ParentNamespace, type ParentNamespaceMatcher } from './parent-namespace.js';
import { InMemoryRoomAdapter, type RoomAdapter } from './room-adapter.js';
import { SessionHistory, type ConnectionStateRecoveryOptions } from './session-history.js';
import type { Socket } from './socket.js';
import type { AckResult, ArgsWithoutAck, DecorateAcknowledgementsWithMultipleResponses, DefaultEventsMap, EventNames, EventParams, EventsMap } from './typed-events.js';

export interface ServerOptions extends Omit<EngineServerOptions, 'server' | 'port' | 'path'> {
  /** Default `/socket.io/`, as the reference. */
  path?: string;
  /** A connection that has joined no namespace after this many ms is closed. Default 45,000 (reference). */
  connectTimeout?: number;
  /** Missed packets after a reconnect (`socket.recovered`); off unless given. */
  connectionStateRecovery?: ConnectionStateRecoveryOptions;
  /** The rooms of each namespace. Default: in this process. */
  adapter?: (namespace: Namespace<EventsMap, EventsMap, EventsMap, unknown>) => RoomAdapter;
  /**
   * Whether a dynamic namespace's child goes away once its last socket left (or its only client
   * was refused). Default true (socket.io's default is false, which lets clients grow the server's
   * namespaces without bound).
   */
  cleanupEmptyChildNamespaces?: boolean;
  /** Where an app handler's throw (or rejected promise) goes. Default: console.error. */
  onError?: (error: unknown) => void;
}

/**
 * A Socket.IO v5 server (what `socket.io`'s `Server` is to its users) on baro's Engine.IO server:
 * `new Server(httpServer, options)` or `new Server(port, options)`, namespaces, rooms, acks,
 * middlewares, and connection state recovery. The type parameters are socket.io's, in its order
 * (`ServerSideEvents` is there for that order: `serverSideEmit` is not implemented).
 */
export class Server<ListenEvents extends EventsMap = DefaultEventsMap, EmitEvents extends EventsMap = ListenEvents, ServerSideEvents extends EventsMap = DefaultEventsMap, SocketData = any> {
  /** The main namespace, `/`. */
  readonly sockets: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  readonly #options: ServerOptions;
  readonly #namespaces = new Map<string, Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>();
  readonly #parents: ParentNamespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>[] = [];
  #engine: EngineServer | null = null;
  #closing = false;

  constructor(target?: HttpServer | number | ServerOptions, options: ServerOptions = {}) {
    if (target !== undefined && typeof target === 'object' && !('listen' in target)) {
      options = target;
      target = undefined;
    }
    this.#options = options;
    if (options.connectTimeout !== undefined && !(Number.isFinite(options.connectTimeout) && options.connectTimeout > 0)) {
      throw new RangeError(`connectTimeout must be a positive number, got ${options.connectTimeout}`);
    }
    this.sockets = this.of('/');
    if (target !== undefined) this.attach(target as HttpServer | number);
  }

  /** The Engine.IO server under this one (null until attached). */
  get engine(): EngineServer | null {
    return this.#engine;
  }

  /** Resolves once the server listens (own port) or at once (attached). */
  get ready(): Promise<void> {
    return this.#engine?.ready ?? Promise.resolve();
  }

  /** The listening address. */
  address(): AddressInfo {
    if (!this.#engine) throw new Error('the server is not attached: call listen(port) or attach(httpServer)');
    return this.#engine.address();
  }

  /** Serves Socket.IO on an HTTP server's `path`, or on a port of its own. */
  attach(target: HttpServer | number, options: ServerOptions = {}): this {
    if (this.#engine) throw new Error('the server is attached already');
    const merged = { ...this.#options, ...options };
    const { connectTimeout, connectionStateRecovery: _recovery, adapter: _adapter, onError: _onError, cleanupEmptyChildNamespaces: _cleanup, ...engineOptions } = merged;
    const engine = new EngineServer({
      ...engineOptions,
      path: merged.path ?? '/socket.io',
      ...(typeof target === 'number' ? { port: target } : { server: target }),
    });
    const maxPacketBytes = engineOptions.maxPayload ?? 1e6;
    engine.on('connection', (conn) => {
      new SocketClient(this as unknown as Server<EventsMap, EventsMap, EventsMap, unknown>, conn, { connectTimeout: connectTimeout ?? 45_000, maxPacketBytes });
    });
    engine.on('error', (error) => this._reportError(error));
    this.#engine = engine;
    return this;
  }

  /** `attach`, for a port or a server. */
  listen(target: HttpServer | number, options: ServerOptions = {}): this {
    return this.attach(target, options);
  }

  /**
   * The namespace `name`, created on first use; or, given a RegExp or a function, a dynamic
   * namespace whose children are made as clients connect to names it takes.
   */
  of(name: string): Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  of(matcher: ParentNamespaceMatcher): ParentNamespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  of(name: string | ParentNamespaceMatcher): Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
    const makeAdapter = (this.#options.adapter ?? (() => new InMemoryRoomAdapter())) as (nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => RoomAdapter;
    if (typeof name !== 'string') {
      const parent = new ParentNamespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>(this, `/_${this.#parents.length}`, makeAdapter, name);
      this.#parents.push(parent);
      return parent;
    }
    const normalized = name.startsWith('/') ? name : `/${name}`;
    let nsp = this.#namespaces.get(normalized);
    if (!nsp) {
      const history = this.#options.connectionStateRecovery ? new SessionHistory(this.#options.connectionStateRecovery) : null;
      nsp = new Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>(this, normalized, makeAdapter, history);
      this.#namespaces.set(normalized, nsp);
    }
    return nsp;
  }

  /**
   * @internal The dynamic namespace that takes `name` (the first, in the order they were made),
   * which gets a child for it; null when none does.
   */
  _matchParent(name: string, auth: Record<string, unknown>, done: (nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> | null) => void): void {
    const parents = [...this.#parents];
    const step = (index: number): void => {
      if (index === parents.length) return done(null);
      parents[index]._matches(name, auth, (allow) => {
        if (!allow) return step(index + 1);
        // Another client may have made it while the matcher ran.
        const existing = this.#namespaces.get(name);
        if (existing) return done(existing);
        const child = this.of(name);
        const parent = parents[index];
        parent._adopt(child);
        if (this.#options.cleanupEmptyChildNamespaces !== false) {
          // Else every name a client tries (that the parent takes) would stay forever.
          child._releaseWhenEmpty(() => {
            if (this.#namespaces.get(name) === child) this.#namespaces.delete(name);
            parent.children.delete(child);
            child.history?.close();
            child.adapter.close();
          });
        }
        done(child);
      });
    };
    step(0);
  }

  on(event: 'connection' | 'connect', listener: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void): this {
    this.sockets.on(event, listener);
    return this;
  }

  once(event: 'connection' | 'connect', listener: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void): this {
    this.sockets.once(event, listener);
    return this;
  }

  off(event?: 'connection' | 'connect', listener?: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void): this {
    this.sockets.off(event, listener);
    return this;
  }

  use(middleware: NamespaceMiddleware<ListenEvents, EmitEvents, ServerSideEvents, SocketData>): this {
    this.sockets.use(middleware);
    return this;
  }

  to(rooms: string | readonly string[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.to(rooms);
  }

  in(rooms: string | readonly string[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.in(rooms);
  }

  except(rooms: string | readonly string[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.except(rooms);
  }

  get volatile(): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.volatile;
  }

  get local(): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.local;
  }

  timeout(ms: number): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return this.sockets.timeout(ms);
  }

  emit<Ev extends EventNames<EmitEvents>>(event: Ev, ...args: EventParams<EmitEvents, Ev>): boolean {
    return this.sockets.emit(event, ...args);
  }

  emitWithAck<Ev extends EventNames<EmitEvents>>(event: Ev, ...args: ArgsWithoutAck<EmitEvents, Ev>): Promise<AckResult<EmitEvents, Ev>> {
    return this.sockets.emitWithAck(event, ...args);
  }

  send(...args: unknown[]): this {
    this.sockets.send(...args);
    return this;
  }

  fetchSockets(): Promise<Socket<EventsMap, EmitEvents, EventsMap, SocketData>[]> {
    return this.sockets.fetchSockets();
  }

  socketsJoin(rooms: string | readonly string[]): void {
    this.sockets.socketsJoin(rooms);
  }

  socketsLeave(rooms: string | readonly string[]): void {
    this.sockets.socketsLeave(rooms);
  }

  disconnectSockets(close = false): void {
    this.sockets.disconnectSockets(close);
  }

  /** Disconnects everyone ('server shutting down') and stops serving; closes the HTTP server if it is ours. */
  async close(callback?: (error?: Error) => void): Promise<void> {
    if (!this.#closing) {
      this.#closing = true;
      await this.#engine?.close();
      for (const nsp of this.#namespaces.values()) {
        nsp.history?.close();
        nsp.adapter.close();
      }
    }
    callback?.();
  }

  /** @internal The namespace a client may connect to (no dynamic namespaces). */
  _namespace(name: string): Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> | undefined {
    return this.#namespaces.get(name);
  }

  /** @internal */
  _reportError(error: unknown): void {
    if (this.#options.onError) this.#options.onError(error);
    else console.error('socket.io handler error:', error);
  }
}
