import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { BaroCloseCode, EVERYONE, TRANSPORT_NAMES, type EventContract, type TransportName, type UntypedEvents } from '@baro/protocol';
import { DEFAULT_HISTORY_LIMITS, type Broker, type HistoryLimits } from './hub/broker.js';
import { MemoryBroker } from './hub/memory-broker.js';
import { MemoryPresence } from './hub/memory-presence.js';
import type { Presence } from './hub/presence.js';
import type { SessionStore } from './hub/session-store.js';
import { StoredSessions, type Restorable } from './session/stored-sessions.js';
import { RoomStreams, type BroadcastTarget } from './streams/room-streams.js';
import { baroWireFormat } from './wire/baro-format.js';
import type { WireFormat } from './wire/wire-format.js';
import type { Carrier } from './session/carrier.js';
import type { EmitOptions, EventNames, EventPayload, HandlersOf, SessionOf } from './session/events.js';
import { newSessionId, newToken, readSessionParams, tokenMatches, type Refusal, type SessionParams } from './session/gateway.js';
import { addressKey, admitRequest, SessionSlots, type RequestAdmissionOptions, type SessionSlot } from './admission/index.js';
import type { Admission, SessionGateway } from './transports/session-gateway.js';
import { DEFAULT_SESSION_LIMITS, SessionCore, type SessionHost, type SessionLimits } from './session/session-core.js';
import { Session } from './session/session.js';
import { BroadcastOperator } from './broadcast-operator.js';
import { WebSocketCarrier } from './transports/websocket-transport.js';
import { WebSocketServer, type WebSocketServerOptions } from './websocket/server.js';
import { createHttpTransportHandler, mountHttpTransports, type HttpTransportHandler, type HttpTransportOptions } from './transports/http-transports.js';
import { pathOf } from './websocket/request-path.js';

const RESOLVED = Promise.resolve();

/** The server's events of a contract, as `to(room).emit` takes them. */
type ToClient<Events extends EventContract> = HandlersOf<Events['serverToClient']>;

export interface BaroServerOptions<Context = unknown> extends RequestAdmissionOptions<Context> {
  /** Attach to this HTTP server; or give `port` to listen by itself. */
  server?: HttpServer | HttpsServer;
  port?: number;
  /**
   * Or neither: a framework owns the server and passes requests to `handleRequest` and upgrades to
   * `handleUpgrade` (see the README for Node http, Express, Fastify and Hono).
   */
  noServer?: boolean;
  host?: string;
  /** Base path of the endpoints. Default `/baro`. */
  path?: string;
  /** Transports the server offers. Default: all four. */
  transports?: readonly TransportName[];
  limits?: Partial<SessionLimits>;
  /** Open sessions per client address (IPv6: per /64); more are answered 429. Default 100. */
  sessionsPerAddress?: number;
  /** Open sessions in all. Default 100,000. */
  maxSessions?: number;
  /** Where broadcasts go between nodes, with their positions and history. Default: in-process. */
  broker?: Broker;
  /**
   * How much of each stream (room, everyone) is kept for resuming clients: entries, their UTF-8
   * bytes, their age in ms. Default 1000, 1 MiB, the resume window. A client whose position is
   * older resyncs.
   */
  history?: Partial<HistoryLimits>;
  /** How packets look on the wire. Default: baro's own (docs/protocol.md). */
  wireFormat?: WireFormat;
  /**
   * Who is in which room, with the app's info about each member: kept current as sessions join and
   * leave rooms and end. Default: in this process's memory (closed with the server; one given here
   * is the app's to close).
   */
  presence?: Presence;
  /**
   * Where sessions live beyond this process (issue 11), so any request of any session may land on
   * any node: its credentials (a token hash), rooms, processed client events and its own packets.
   * A node that gets a request for a session it does not hold makes it again from the store and
   * runs the `connection` handler with `session.resumed` true; it lets go of it when its transport
   * leaves. Its `ttlMs` should be the resume window. Default: none (sessions live in this process,
   * as they always did). The store is the app's to close.
   */
  store?: SessionStore;
  /**
   * With a store: keep `session.data` there too (JSON values only), so a node that serves the
   * session later starts with it. It is committed with the client event whose handlers changed it
   * (and after the `connection` handler). Default false: `data` is this node's alone.
   */
  storeData?: boolean;
  /** Options of the WebSocket endpoint (payload limits, deflate, handshake timeout). */
  websocket?: Omit<WebSocketServerOptions, 'server' | 'port' | 'host' | 'path' | 'authenticate' | 'allowedOrigins' | 'heartbeat' | 'releaseContext'>;
  http?: HttpTransportOptions;
}

export interface BaroServerEvents<Events extends EventContract> {
  connection: [session: SessionOf<Events>];
  error: [error: Error];
}

/** What the server holds, for monitoring and for tests that attack its limits. */
export interface BaroServerStats {
  sessions: number;
  /** Session slots taken: open sessions plus admissions not yet connected. */
  slots: number;
  /** Packets kept for replay, and what they are counted as (UTF-8 bytes plus a fixed overhead each). */
  replayPackets: number;
  replayBytes: number;
  /** Bytes queued for clients, not yet written or not yet flushed. */
  queuedBytes: number;
  /** Broadcasts this node keeps for resuming clients, over all streams (once each, not per member), and their bytes. */
  historyEntries: number;
  historyBytes: number;
}

/**
 * The session server: one logical session per client over WebSocket, SSE, long-polling or polling,
 * with rooms, broadcasts, acks and resume. `server.on('connection', (session) => …)`,
 * `server.to('room').emit(…)`, as Socket.IO users expect.
 */
export class BaroServer<Events extends EventContract = UntypedEvents, Context = unknown> implements SessionGateway {
  /** Open sessions by id, as the app sees them. */
  readonly sessions = new Map<string, SessionOf<Events>>();
  /** The same sessions' cores, for the transports. */
  readonly #cores = new Map<string, SessionCore>();
  readonly broker: Broker;
  readonly presence: Presence;
  readonly wireFormat: WireFormat;
  readonly path: string;
  readonly limits: SessionLimits;
  readonly transports: ReadonlySet<TransportName>;
  readonly ready: Promise<void>;
  readonly #options: BaroServerOptions<Context>;
  readonly #httpServer: HttpServer | HttpsServer | null;
  readonly #http: HttpTransportHandler;
  readonly #ownsServer: boolean;
  readonly #websocket: WebSocketServer<Admission> | null;
  readonly #unmountHttp: () => void;
  readonly #slots: SessionSlots;
  readonly #slotOf = new Map<string, SessionSlot>();
  readonly #timer: NodeJS.Timeout;
  readonly #host: SessionHost;
  readonly #streams: RoomStreams;
  readonly #stored: StoredSessions | null;
  /** With a store: sessions being made again on this node, so two requests at once make one. */
  readonly #restoring = new Map<string, Promise<SessionCore | Refusal | null>>();
  readonly #watches = new Map<string, { stop(): void }>();
  /** With a store: when each session held here was last kept alive there. */
  readonly #touchedAt = new Map<string, number>();
  /**
   * With a store: sessions this node let go of, checked once their resume window has passed: one
   * that expired in the store (its client never came back) leaves presence, which this node wrote.
   */
  readonly #expiryChecks = new Map<string, NodeJS.Timeout>();
  /** Sessions written to in this tick, flushed together in one microtask. */
  #toFlush: SessionCore[] = [];
  #toFlushSpare: SessionCore[] = [];
  #closing = false;
  /** The server's own events; `emit` is taken by broadcasting, as in Socket.IO. */
  readonly #events = new EventEmitter<BaroServerEvents<Events>>();

  constructor(options: BaroServerOptions<Context> = {}) {
    if (options.http && 'corsOrigins' in options.http) throw new TypeError('http.corsOrigins is now allowedOrigins, which every transport follows');
    this.#options = options;
    this.#slots = new SessionSlots({ perAddress: options.sessionsPerAddress ?? 100, total: options.maxSessions ?? 100_000 });
    this.path = (options.path ?? '/baro').replace(/\/$/, '');
    this.limits = { ...DEFAULT_SESSION_LIMITS, ...definedOnly(options.limits ?? {}) };
    this.transports = checkTransports(options.transports ?? TRANSPORT_NAMES);
    if ('hub' in options) throw new TypeError('the hub option is now `broker` (and presence)');
    this.wireFormat = options.wireFormat ?? baroWireFormat;
    const historyLimits: HistoryLimits = { ...DEFAULT_HISTORY_LIMITS, age: this.limits.resumeWindow, ...definedOnly(options.history ?? {}) };
    this.broker = options.broker ?? new MemoryBroker({ limits: historyLimits });
    this.#stored = options.store ? new StoredSessions(options.store, { keepData: options.storeData === true, onError: (error) => this.#emitError(error) }) : null;
    const stored = this.#stored;
    this.#streams = new RoomStreams({
      broker: this.broker,
      limits: historyLimits,
      now: () => Date.now(),
      onError: (error) => this.#emitError(error),
    });
    this.presence = options.presence ?? new MemoryPresence();
    this.#host = {
      now: () => Date.now(),
      join: (session, rooms) => {
        const joins = this.#streams.join(session, rooms);
        for (const room of rooms) {
          this.#presenceDone(this.presence.add(room, session.id));
          // With a store, any node must know where the session joined: what its handler answers is
          // committed only after the join is recorded (a copy made for one POST may be let go soon).
          if (stored) session.commitAfter(this.#streams.joinedAt(session, room).then((position) => position && stored.joined(session.id, room, position)));
        }
        return joins;
      },
      leave: (session, room) => {
        this.#streams.leave(session, room);
        this.#presenceDone(this.presence.remove(room, session.id));
        stored?.left(session.id, room);
      },
      replay: (session, positions, announceAll) => this.#streams.replay(session, positions, announceAll),
      scheduleFlush: (session) => {
        // A promise reaction rather than queueMicrotask, which wraps every callback in an
        // AsyncResource (~270 B and an async id per flush, i.e. per echo).
        if (this.#toFlush.push(session) === 1) void RESOLVED.then(this.#flushAll);
      },
      ended: (session) => this.#forget(session),
      handlerFailed: (_session, event, error) => this.#emitError(new Error(`handler for "${event}" threw: ${error instanceof Error ? error.message : String(error)}`, { cause: error })),
      ...(stored
        ? {
            // The store keeps the truth: a node holds a session only while a transport (or a request) carries it.
            detached: (session: SessionCore) => {
              void session.settled().then(() => {
                if (!session.connected && !session.ended) this.#release(session);
              });
            },
            stale: (session: SessionCore) => this.#release(session),
            ledgerFailed: (session: SessionCore, error: Error) => {
              this.#emitError(new Error(`session store: ${error.message}`, { cause: error }));
              this.#release(session);
            },
          }
        : {}),
    };

    if ([options.server !== undefined, options.port !== undefined, options.noServer === true].filter(Boolean).length > 1) {
      throw new TypeError('give one of `server`, `port` or `noServer`');
    }
    if (options.noServer) {
      this.#httpServer = null;
      this.#ownsServer = false;
      this.ready = this.#streams.ready;
    } else if (options.server) {
      this.#httpServer = options.server;
      this.#ownsServer = false;
      this.ready = this.#streams.ready;
    } else {
      // Node's defaults (60 s for a head, 300 s for a request) let slowloris hold sockets for minutes.
      const headersTimeout = options.http?.headersTimeout ?? 10_000;
      const requestTimeout = options.http?.requestTimeout ?? 30_000;
      const httpServer = createServer({ headersTimeout, requestTimeout, connectionsCheckingInterval: Math.min(1000, headersTimeout) }, (_request, response) => {
        response.writeHead(404, { 'Content-Type': 'text/plain' });
        response.end('not found\n');
      });
      this.#httpServer = httpServer;
      this.#ownsServer = true;
      const listening = new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
          httpServer.off('error', reject);
          resolve();
        });
      });
      this.ready = Promise.all([listening, this.#streams.ready]).then(() => {});
    }

    this.#websocket = this.transports.has('websocket') ? this.#mountWebSocket() : null;
    this.#http = createHttpTransportHandler(this, options.http ?? {});
    this.#unmountHttp = this.#httpServer ? mountHttpTransports(this.#http, this.#httpServer) : () => this.#http.close();
    // With a store the tick also keeps carried sessions alive there, every quarter resume window.
    const tick = Math.max(50, Math.min(1000, Math.floor(this.limits.heartbeat / 2), this.#stored ? Math.floor(this.limits.resumeWindow / 4) : Infinity));
    this.#timer = setInterval(() => this.#sweep(), tick);
    this.#timer.unref();
  }

  on<E extends keyof BaroServerEvents<Events>>(event: E, listener: (...args: BaroServerEvents<Events>[E]) => void): this {
    this.#events.on(event, listener as never);
    return this;
  }

  off<E extends keyof BaroServerEvents<Events>>(event: E, listener: (...args: BaroServerEvents<Events>[E]) => void): this {
    this.#events.off(event, listener as never);
    return this;
  }

  /** Browser origins allowed besides the server's own, on every transport. */
  get allowedOrigins(): BaroServerOptions<Context>['allowedOrigins'] {
    return this.#options.allowedOrigins;
  }

  address(): AddressInfo {
    if (!this.#httpServer) throw new TypeError('a BaroServer made with noServer has no address of its own');
    return this.#httpServer.address() as AddressInfo;
  }

  /**
   * Serves an HTTP request for one of the transports (`<path>/sse`, `/poll`, `/send`), returning
   * true; any other request is left alone: `next` is called (Express/Connect style) and it returns
   * false. For frameworks and apps that route requests themselves (`noServer`).
   */
  handleRequest(request: IncomingMessage, response: ServerResponse, next?: () => void): boolean {
    if (this.#http.handle(request, response)) return true;
    next?.();
    return false;
  }

  /**
   * Takes an upgrade request for the WebSocket endpoint (`<path>/ws`), returning true; any other
   * path is left alone (false), for the app's own WebSocket endpoints or to refuse.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if (!this.#websocket || pathOf(request.url) !== `${this.path}/ws`) return false;
    void this.#websocket.handleUpgrade(request, socket, head);
    return true;
  }

  /** Everyone, or narrow with `to`/`in`/`except`. */
  emit<E extends EventNames<ToClient<Events>>>(event: E, data: EventPayload<ToClient<Events>[E]>, options?: EmitOptions): void {
    new BroadcastOperator<ToClient<Events>>(this.#publish, [], [], []).emit(event, data, options);
  }

  to(...rooms: string[]): BroadcastOperator<ToClient<Events>> {
    return new BroadcastOperator<ToClient<Events>>(this.#publish, rooms, [], []);
  }

  in(...rooms: string[]): BroadcastOperator<ToClient<Events>> {
    return this.to(...rooms);
  }

  except(...rooms: string[]): BroadcastOperator<ToClient<Events>> {
    return new BroadcastOperator<ToClient<Events>>(this.#publish, [], rooms, []);
  }

  /** Session ids in a room, on every node (from presence). */
  async sessionsIn(room: string): Promise<string[]> {
    return [...(await this.presence.members(room)).keys()];
  }

  /** What the server holds now (summed over the sessions). */
  stats(): BaroServerStats {
    const stats: BaroServerStats = {
      sessions: this.sessions.size,
      slots: this.#slots.total,
      replayPackets: 0,
      replayBytes: 0,
      queuedBytes: 0,
      historyEntries: this.#streams.historyEntries,
      historyBytes: this.#streams.historyBytes,
    };
    for (const session of this.#cores.values()) {
      stats.replayPackets += session.replayCount;
      stats.replayBytes += session.replayBytes;
      stats.queuedBytes += session.queuedBytes;
    }
    return stats;
  }

  /** Open sessions counted against the address's `sessionsPerAddress` (IPv6: its /64). */
  sessionsFrom(address: string): number {
    return this.#slots.heldBy(address);
  }

  // ----------------------------------------------------------- transport API
  /**
   * Checks a request that opens or attaches a session: Host and Origin, the app's authenticate
   * hook, the session token (a sid alone is no credential), the resume rate, and for a new session
   * a slot within `sessionsPerAddress` and `maxSessions`, taken now. A transport that does not go
   * on to `connect` must `abandon` the admission.
   */
  async admit(request: IncomingMessage, params: SessionParams): Promise<Admission | Refusal> {
    const shutdown = this.#shutdownRefusal(params);
    if (shutdown) return shutdown;
    const admitted = await admitRequest(request, this.#options, this.#authenticateFailed);
    if (!admitted.ok) return admitted;
    if (params.sid !== undefined) {
      let session = this.#cores.get(params.sid);
      if ((!session || session.ended) && this.#stored && params.token !== undefined) {
        const restored = await this.#restore(params.sid, params.token, params.seq);
        if (restored !== null && 'ok' in restored) return restored;
        session = restored ?? undefined;
      }
      if (session && !session.ended) {
        if (!tokenMatches(session.token, params.token)) return { ok: false, status: 403, reason: 'invalid session token' };
        if (!session.mayResume(params.seq)) return this.#tooManyResumes();
        if (!this.#stored) return { kind: 'attach', session, seq: params.seq, positions: params.positions, context: admitted.context };
        // What this node heard live may not reach back to the client's positions: the broker has the rest.
        await this.#streams.prepare(session, params.positions);
        if (!session.ended && session.canResume(params.seq, params.positions)) {
          return { kind: 'attach', session, seq: params.seq, positions: params.positions, context: admitted.context };
        }
        // Too far behind: a fresh session (recorded in the store before it is announced), and a resync.
        session.close(BaroCloseCode.serverRestart, 'resync required', null, { immediately: true });
      }
      if (params.token === undefined) return { ok: false, status: 403, reason: 'invalid session token' };
    }
    const remoteAddress = request.socket.remoteAddress ?? 'unknown';
    if (this.#stored) return await this.#admitStored(remoteAddress, admitted.context);
    // No await from here to the caller's `connect`: the slot is taken where it is checked.
    const slot = this.#slots.reserve(remoteAddress);
    if ('ok' in slot) return slot;
    return { kind: 'new', context: admitted.context, remoteAddress, slot };
  }

  /** With a store: the new session is recorded there (and watched) before its open packet goes out. */
  async #admitStored(remoteAddress: string, context: unknown): Promise<Admission | Refusal> {
    const slot = this.#slots.reserve(remoteAddress);
    if ('ok' in slot) return slot;
    try {
      const stored = await this.#stored!.open(remoteAddress, this.#streams.headOf(EVERYONE), Date.now());
      return { kind: 'new', context, remoteAddress, slot, stored };
    } catch (error) {
      slot.release();
      this.#emitError(new Error(`session store: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
      return { ok: false, status: 503, reason: 'session store unavailable', headers: { 'Retry-After': '2' } };
    }
  }

  /**
   * With a store: makes a session this node does not hold again from the store, runs the app's
   * `connection` handler for it (`session.resumed`), and holds it while its transport does. A
   * request that only sends (`seq` undefined) needs none of its packets.
   */
  #restore(sid: string, token: string, seq: number | undefined): Promise<SessionCore | Refusal | null> {
    let pending = this.#restoring.get(sid);
    if (!pending) {
      pending = this.#stored!
        .restore(sid, token, seq)
        .then((restorable) => {
          if (restorable === 'forbidden') return { ok: false as const, status: 403, reason: 'invalid session token' };
          if (restorable === 'resync' || restorable === null) return null;
          return this.#materialize(sid, token, restorable);
        })
        .catch((error: unknown) => {
          this.#emitError(new Error(`session store: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
          return { ok: false as const, status: 503, reason: 'session store unavailable', headers: { 'Retry-After': '2' } };
        })
        .finally(() => this.#restoring.delete(sid));
      this.#restoring.set(sid, pending);
    }
    return pending;
  }

  #materialize(sid: string, token: string, restorable: Restorable): SessionCore | Refusal {
    const held = this.#cores.get(sid);
    if (held && !held.ended) {
      restorable.watch.stop();
      return held;
    }
    if (this.#closing) {
      restorable.watch.stop();
      return { ok: false, status: 503, reason: 'server is shutting down', headers: { 'Retry-After': '2' } };
    }
    const { record } = restorable;
    const session = new SessionCore(this.#host, {
      id: sid,
      token,
      remoteAddress: record.remoteAddress,
      limits: this.limits,
      ledger: this.#stored!.ledger(sid),
      restored: { cseq: record.cseq, after: restorable.after, packets: restorable.own, data: record.data },
    });
    for (const room of Object.keys(record.rooms)) if (room !== EVERYONE) session.rooms.add(room);
    this.#stored!.touch(sid, Date.now());
    // Its rooms' presence is this node's to keep alive now.
    if (this.presence.claim) this.#presenceDone(this.presence.claim(sid));
    this.#hold(session, this.#slots.take(addressKey(record.remoteAddress)), restorable.watch);
    this.#streams.register(session, new Map(Object.entries(record.rooms)));
    const facade = this.sessions.get(sid)!;
    this.#events.emit('connection', ...([facade] as BaroServerEvents<Events>['connection']));
    session.commitData();
    return session;
  }

  /** Holds a session on this node: the app's façade, the core, its slot, and with a store its watch. */
  #hold(session: SessionCore, slot: SessionSlot, watch?: { bind(session: SessionCore): void; stop(): void }): void {
    clearTimeout(this.#expiryChecks.get(session.id));
    this.#expiryChecks.delete(session.id);
    if (watch) this.#touchedAt.set(session.id, Date.now());
    const facade: SessionOf<Events> = new Session<HandlersOf<Events['clientToServer']>, ToClient<Events>>(session);
    this.sessions.set(session.id, facade);
    this.#cores.set(session.id, session);
    this.#slotOf.set(session.id, slot);
    if (watch) {
      this.#watches.set(session.id, watch);
      watch.bind(session);
    }
  }

  /** With a store: this node lets go of its copy of a session, which goes on elsewhere (nothing is ended or removed). */
  #release(session: SessionCore): void {
    if (this.#cores.get(session.id) !== session) return;
    session.release();
    this.sessions.delete(session.id);
    this.#cores.delete(session.id);
    this.#streams.unregister(session);
    this.#slotOf.get(session.id)?.release();
    this.#slotOf.delete(session.id);
    this.#watches.get(session.id)?.stop();
    this.#watches.delete(session.id);
    this.#touchedAt.delete(session.id);
    this.#checkExpiry(session.id);
  }

  #checkExpiry(id: string): void {
    clearTimeout(this.#expiryChecks.get(id));
    const timer = setTimeout(() => {
      this.#expiryChecks.delete(id);
      if (this.#cores.has(id) || this.#closing) return;
      this.#stored!.expired(id).then(
        (gone) => gone && this.#presenceDone(this.presence.removeSession(id)),
        (error: Error) => this.#emitError(new Error(`session store: ${error.message}`, { cause: error })),
      );
    }, this.limits.resumeWindow + 1000);
    timer.unref();
    this.#expiryChecks.set(id, timer);
  }

  /** The request that was admitted goes no further (its client left): gives back what it held. */
  abandon(admission: Admission): void {
    if (admission.kind === 'new') {
      admission.slot.release();
      if (admission.stored) {
        admission.stored.watch.stop();
        this.#stored!.ended(admission.stored.id);
      }
    } else if (this.#stored && !admission.session.connected) {
      // Made again for this request only: nothing carries it here.
      this.#host.detached?.(admission.session);
    }
  }

  /** Finds a session for a request that only sends (POST), checking its token. */
  async authorize(request: IncomingMessage, params: SessionParams): Promise<SessionCore | Refusal> {
    const admitted = await admitRequest(request, this.#options, this.#authenticateFailed);
    if (!admitted.ok) return admitted;
    let session = params.sid === undefined ? undefined : this.#cores.get(params.sid);
    if ((!session || session.ended) && this.#stored && params.sid !== undefined && params.token !== undefined) {
      const restored = await this.#restore(params.sid, params.token, undefined);
      if (restored !== null && 'ok' in restored) return restored;
      session = restored ?? undefined;
    }
    if (!session || !tokenMatches(session.token, params.token)) return { ok: false, status: 403, reason: 'invalid session token' };
    if (session.ended) return { ok: false, status: 410, reason: 'session ended' };
    return session;
  }

  /** Starts or resumes the session on a carrier, announcing it with an open packet. */
  connect(admission: Admission, carrier: Carrier): SessionCore | null {
    if (admission.kind === 'attach') {
      const session = admission.session;
      if (!session.ended && session.attach(carrier, admission.seq, { announce: true, resumed: true, positions: admission.positions })) return session;
      // The client is too far behind to be caught up: it gets a fresh session and must resync. It
      // takes the place the old one leaves, with what this request's authentication gave.
      session.close(BaroCloseCode.serverRestart, 'resync required', null, { immediately: true });
      const slot = this.#slots.take(addressKey(session.remoteAddress));
      return this.#open({ kind: 'new', context: admission.context, remoteAddress: session.remoteAddress, slot }, carrier);
    }
    return this.#open(admission, carrier);
  }

  #open(admission: Extract<Admission, { kind: 'new' }>, carrier: Carrier): SessionCore | null {
    if (this.#closing) {
      admission.slot.release();
      return null;
    }
    const stored = admission.stored;
    if (this.#stored && !stored) {
      // A resync on a node with a store: the fresh session is recorded first, then the client told.
      admission.slot.release();
      return null;
    }
    const session = new SessionCore(this.#host, {
      id: stored?.id ?? newSessionId(),
      token: stored?.token ?? newToken(),
      remoteAddress: admission.remoteAddress,
      limits: this.limits,
      ...(stored ? { ledger: this.#stored!.ledger(stored.id) } : {}),
    });
    if (admission.context !== undefined) session.data.auth = admission.context;
    this.#hold(session, admission.slot, stored?.watch);
    this.#streams.register(session, stored ? new Map([[EVERYONE, stored.joinedEveryone]]) : undefined);
    const facade = this.sessions.get(session.id)!;
    this.#events.emit('connection', ...([facade] as BaroServerEvents<Events>['connection']));
    session.commitData();
    if (!session.ended) session.attach(carrier, 0, { announce: true, resumed: false });
    return session;
  }

  #forget(session: SessionCore): void {
    if (this.#cores.get(session.id) !== session) return;
    this.sessions.delete(session.id);
    this.#cores.delete(session.id);
    this.#streams.unregister(session);
    this.#presenceDone(this.presence.removeSession(session.id));
    this.#slotOf.get(session.id)?.release();
    this.#slotOf.delete(session.id);
    this.#watches.get(session.id)?.stop();
    this.#watches.delete(session.id);
    this.#touchedAt.delete(session.id);
    this.#stored?.ended(session.id);
  }

  /** While shutting down, only polling clients still to be told of their session's close get in. */
  #shutdownRefusal(params: SessionParams): Refusal | null {
    if (!this.#closing || this.#cores.get(params.sid ?? '')?.closing) return null;
    // Spread the returning clients over a few seconds rather than one instant.
    return { ok: false, status: 503, reason: 'server is shutting down', headers: { 'Retry-After': String(2 + Math.floor(Math.random() * 5)) } };
  }

  #tooManyResumes(): Refusal {
    const seconds = Math.max(1, Math.ceil(60 / Math.max(this.limits.resumesPerMinute, 1e-3)));
    return { ok: false, status: 429, reason: 'too many resumes', headers: { 'Retry-After': String(seconds) } };
  }

  readonly #authenticateFailed = (error: Error): void => {
    this.#emitError(new Error(`authenticate threw: ${error.message}`, { cause: error }));
  };

  readonly #publish = (target: BroadcastTarget, name: string, data: unknown, options: EmitOptions): void => {
    this.#streams.publish(target, name, data, options);
  };

  readonly #flushAll = (): void => {
    const sessions = this.#toFlush;
    this.#toFlush = this.#toFlushSpare;
    for (const session of sessions) session.flush();
    // Emptied with `pop`, which keeps the array's capacity (`length = 0` drops it): an echo is one
    // flush per tick, and a new array each time was a new backing store per message.
    while (sessions.length > 0) sessions.pop();
    this.#toFlushSpare = sessions;
  };

  #mountWebSocket(): WebSocketServer<Admission> {
    const highWaterMark = this.#options.websocket?.highWaterMark ?? 1024 * 1024;
    const websocket = new WebSocketServer<Admission>({
      maxPayload: this.limits.maxPayload,
      ...this.#options.websocket,
      ...(this.#httpServer ? { server: this.#httpServer } : { noServer: true }),
      path: `${this.path}/ws`,
      // `admit` runs the origin policy with the rest of the admission.
      allowedOrigins: '*',
      releaseContext: (admission) => this.abandon(admission),
      // Browsers refuse a handshake that does not confirm the subprotocol they offered.
      protocols: ['baro.v1'],
      authenticate: async (request) => {
        const params = readSessionParams(request);
        if ('ok' in params) return params;
        const admission = await this.admit(request, params);
        return 'ok' in admission ? admission : { ok: true, context: admission };
      },
    });
    websocket.on('connection', (connection, _request, admission) => {
      const carrier = new WebSocketCarrier(connection, highWaterMark, this.wireFormat);
      const session = admission ? this.connect(admission, carrier) : null;
      if (!session) return connection.close(1013, 'try again later');
      carrier.bind(session);
    });
    return websocket;
  }

  #sweep(): void {
    const now = Date.now();
    this.#streams.trim(now);
    for (const session of this.#cores.values()) {
      if (session.expired(now)) session.close(1001, 'session expired');
      else session.heartbeat(now);
      if (this.#stored && !session.ended) this.#keepStored(session, now);
    }
  }

  /**
   * With a store: a session this node carries is kept there for another resume window, every
   * quarter window (a client that only listens writes nothing that would).
   */
  #keepStored(session: SessionCore, now: number): void {
    const touched = this.#touchedAt.get(session.id) ?? 0;
    if (now - touched < this.limits.resumeWindow / 4) return;
    this.#touchedAt.set(session.id, now);
    this.#stored!.touch(session.id, now);
  }

  /**
   * Graceful shutdown: every session is told to come back after a jittered delay (so clients don't
   * return all at once), then transports and the listener close.
   */
  async close({ timeout = 5_000, retryAfterMs = 2_000 }: { timeout?: number; retryAfterMs?: number } = {}): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    clearInterval(this.#timer);
    // With a store, sessions outlive this node: their clients resume on another one.
    if (this.#stored) for (const session of [...this.#cores.values()]) this.#release(session);
    for (const timer of this.#expiryChecks.values()) clearTimeout(timer);
    this.#expiryChecks.clear();
    for (const session of [...this.#cores.values()]) {
      session.close(BaroCloseCode.serverRestart, 'server restarting', Math.round(retryAfterMs * (0.5 + Math.random())));
    }
    // Polling clients learn of it with their next request; give them until the timeout.
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline && [...this.#cores.values()].some((session) => session.closing)) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    for (const session of [...this.#cores.values()]) session.close(BaroCloseCode.serverRestart, 'server restarting', retryAfterMs, { immediately: true });
    await this.#websocket?.close({ timeout: Math.max(0, deadline - Date.now()) });
    this.#unmountHttp();
    this.#streams.close();
    // A broker or presence given in the options may be shared (Socket.IO, SockJS, other servers): its owner closes it.
    if (!this.#options.broker) await this.broker.close();
    if (!this.#options.presence) await this.presence.close();
    const httpServer = this.#httpServer;
    if (this.#ownsServer && httpServer) {
      httpServer.closeAllConnections?.();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    }
  }

  /** Presence is written without waiting (a network store answers later); a failure is reported. */
  #presenceDone(change: Promise<void>): void {
    change.catch((error: unknown) => this.#emitError(new Error(`presence failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error })));
  }

  #emitError(error: Error): void {
    if (this.#events.listenerCount('error') > 0) this.#events.emit('error', ...([error] as BaroServerEvents<Events>['error']));
    else queueMicrotask(() => console.error(error));
  }
}

/** A typo in the list would leave clients with nothing to connect over: say so at construction. */
function checkTransports(names: readonly TransportName[]): ReadonlySet<TransportName> {
  const unknown = names.filter((name) => !TRANSPORT_NAMES.includes(name));
  if (unknown.length > 0) throw new TypeError(`unknown transport ${unknown.map((n) => JSON.stringify(n)).join(', ')}: expected some of ${TRANSPORT_NAMES.join(', ')}`);
  if (names.length === 0) throw new TypeError(`no transports offered: expected some of ${TRANSPORT_NAMES.join(', ')}`);
  return new Set(names);
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
