import type { TransportName } from '@baro/protocol';
import type { AckResponse, DefaultEvents, EmitOptions, EventNames, EventPayload, EventsMap } from './events.js';
import type { SessionCore } from './session-core.js';

export { DEFAULT_SESSION_LIMITS, FLOOD_HOLD_MS, RECEIPT_BATCH, RECEIPT_DELAY_MS, type SessionLimits } from './session-core.js';

const cores = new WeakMap<Session<EventsMap, EventsMap>, SessionCore>();

/** The core behind a façade: for the server, its transports and tests, never the app. */
export function coreOf(session: Session<EventsMap, EventsMap>): SessionCore {
  const core = cores.get(session);
  if (!core) throw new TypeError('not a session of this server');
  return core;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (...args: any[]) => void;

/**
 * One client's session as the app sees it, whatever carries it: events both ways with acks, rooms,
 * the transport it is on. The API mirrors a Socket.IO socket; what the server and transports need
 * (attach, flush, receive, replay…) lives in its core and is not reachable from here.
 */
export class Session<ClientToServer extends EventsMap = DefaultEvents, ServerToClient extends EventsMap = DefaultEvents> {
  readonly #core: SessionCore;

  /** Made by the server for each session it opens. */
  constructor(core: SessionCore) {
    this.#core = core;
    cores.set(this as Session<EventsMap, EventsMap>, core);
  }

  get id(): string {
    return this.#core.id;
  }

  /** The app's own per-session data (e.g. the authenticated user). */
  get data(): Record<string, unknown> {
    return this.#core.data;
  }

  set data(value: Record<string, unknown>) {
    this.#core.data = value;
  }

  /** The rooms it is in. */
  get rooms(): ReadonlySet<string> {
    return this.#core.rooms;
  }

  get remoteAddress(): string {
    return this.#core.remoteAddress;
  }

  /** The session's secret: with its id, what lets a client attach to it. */
  get token(): string {
    return this.#core.token;
  }

  get transport(): TransportName | null {
    return this.#core.transport;
  }

  /** Whether a transport carries it now (false while its client is away and may come back). */
  get connected(): boolean {
    return this.#core.connected;
  }

  /**
   * True when this node made the session again from a session store (the `store` option): it began
   * on another node, or on this one before it let go of it. The app's `connection` handler runs for
   * it again, so its handlers exist on every node that serves the session; state the app keeps
   * beside the session (not in the store) must be looked up, not assumed.
   */
  get resumed(): boolean {
    return this.#core.resumed;
  }

  /** Whether it has ended for good. */
  get ended(): boolean {
    return this.#core.ended;
  }

  /** The round trip of the last heartbeat, in ms. */
  get rtt(): number | null {
    return this.#core.rtt;
  }

  /** When the client was last heard from, or when its transport went away. */
  get lastSeen(): number {
    return this.#core.lastSeen;
  }

  on<E extends EventNames<ClientToServer>>(event: E, handler: ClientToServer[E]): this;
  on(event: 'disconnect', handler: (code: number, reason: string) => void): this;
  on(event: 'offline' | 'online', handler: () => void): this;
  on(event: 'transport', handler: (transport: TransportName) => void): this;
  on(event: string, handler: Handler): this {
    this.#core.on(event, handler);
    return this;
  }

  off(event: string, handler: Handler): this {
    this.#core.off(event, handler);
    return this;
  }

  /** Sends an event. Returns false when it was dropped (volatile and the client is behind) or the session ended. */
  emit<E extends EventNames<ServerToClient>>(event: E, data: EventPayload<ServerToClient[E]>, options?: EmitOptions): boolean {
    return this.#core.emit(event, data, options);
  }

  /** Sends an event the client must acknowledge; resolves with its answer. */
  emitWithAck<E extends EventNames<ServerToClient>>(event: E, data: EventPayload<ServerToClient[E]>, options: { timeout?: number } = {}): Promise<AckResponse<ServerToClient[E]>> {
    return this.#core.emitWithAck(event, data, options) as Promise<AckResponse<ServerToClient[E]>>;
  }

  join(...rooms: string[]): void {
    this.#core.join(...rooms);
  }

  leave(room: string): void {
    this.#core.leave(room);
  }

  /** Ends the session for good; `retryAfterMs` tells the client when it may come back. */
  disconnect(code: number = 1000, reason = '', retryAfterMs: number | null = null): void {
    this.#core.disconnect(code, reason, retryAfterMs);
  }
}
