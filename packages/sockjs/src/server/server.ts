import { EventEmitter } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'baro';
import { RoomWriter, SockJSRooms } from './rooms.js';
import type { SockJSConnection } from './connection.js';
import type { ServerContext } from './context.js';
import { answerMethodNotAllowed, answerNotFound, answerText, writeRawResponse } from './http-answers.js';
import type { MessageSocket } from './message-socket.js';
import { resolveOptions, type ResolvedOptions, type SockJSServerOptions } from './options.js';
import { RawWebSocketCarrier } from './raw-websocket.js';
import { SessionCounter } from './registry.js';
import { buildRoutes, findRoute, type Route } from './routes.js';
import { Session } from './session.js';

export interface SockJSServerEvents {
  connection: [connection: SockJSConnection];
  error: [error: Error];
}

function addressOf(request: IncomingMessage): string {
  return request.socket.remoteAddress ?? '';
}

/**
 * A SockJS endpoint under one prefix: attach it to an HTTP server with `installHandlers`, or route
 * to `handleRequest`/`handleUpgrade` yourself. Emits 'connection' for every new session.
 */
export class SockJSServer extends EventEmitter<SockJSServerEvents> implements ServerContext {
  readonly options: ResolvedOptions;
  readonly #sessions = new Map<string, Session>();
  readonly #anonymous = new Set<Session>();
  readonly #raw = new Set<RawWebSocketCarrier>();
  readonly #counter: SessionCounter;
  readonly #routes: Route[];
  readonly #websockets: WebSocketServer;
  readonly #ownedPath: RegExp;
  readonly #rooms: SockJSRooms;

  constructor(options?: SockJSServerOptions) {
    super();
    this.options = resolveOptions(options);
    this.#rooms = new SockJSRooms(options?.broker);
    const { limits } = this.options;
    this.#counter = new SessionCounter(limits.maxSessions, limits.maxSessionsPerAddress);
    // Upgrades are routed here, never by the WebSocket server itself: it gets an HTTP server of
    // its own that never listens, and only handshakes and frames from us.
    this.#websockets = new WebSocketServer({
      server: createHttpServer(),
      allowedOrigins: '*',
      maxPayload: limits.maxMessageBytes,
      handshakeTimeout: limits.handshakeTimeout,
      maxConnections: limits.maxSessions,
    });
    this.#websockets.on('error', (error) => this.#emitError(error));
    this.#routes = buildRoutes(this, this.#websockets);
    this.#ownedPath = new RegExp('^' + this.options.prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '([/].+|[/]?)$');
  }

  /** Open sessions, raw WebSockets included. */
  get sessionCount(): number {
    return this.#counter.total;
  }

  /** Takes over 'request' and 'upgrade' of `server` for this prefix; other paths reach the listeners it had. */
  installHandlers(server: HttpServer): void {
    overshadow(server, 'request', (request: IncomingMessage, response: ServerResponse) => this.handleRequest(request, response));
    overshadow(server, 'upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.handleUpgrade(request, socket, head));
  }

  /** Answers a request under the prefix; returns false (and does nothing) for other paths. */
  handleRequest(request: IncomingMessage, response: ServerResponse): boolean {
    const url = request.url ?? '/';
    if (!this.#ownedPath.test(url)) return false;
    const { pathname, searchParams } = new URL(url, 'http://sockjs.invalid');
    const lookup = findRoute(this.#routes, request.method ?? '', pathname);
    if (!lookup.found) {
      if (lookup.allowed.length > 0) answerMethodNotAllowed(response, lookup.allowed);
      else answerNotFound(response);
      return true;
    }
    const parts = { request, sessionId: lookup.match[2] ?? '', query: searchParams };
    Promise.resolve()
      .then(() => lookup.found.http(parts, response))
      .catch((error: Error) => {
        this.#emitError(error);
        if (!response.headersSent) answerText(response, 500, '500 - Internal Server Error');
        else response.destroy();
      });
    return true;
  }

  /** Takes an upgrade under the prefix; returns false for other paths. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = request.url ?? '/';
    if (!this.#ownedPath.test(url)) return false;
    socket.on('error', () => socket.destroy());
    const lookup = findRoute(this.#routes, request.method ?? '', new URL(url, 'http://sockjs.invalid').pathname);
    if (!lookup.found?.upgrade) {
      if (lookup.found || lookup.allowed.length === 0) writeRawResponse(socket, request.httpVersion, 404, { 'Content-Type': 'text/plain; charset=UTF-8' }, '404 Error: Page not found\n');
      else writeRawResponse(socket, request.httpVersion, 405, { Allow: lookup.allowed.join(', ') }, '');
      return true;
    }
    Promise.resolve()
      .then(() => lookup.found.upgrade?.({ request, sessionId: '', query: new URLSearchParams() }, socket, head))
      .catch((error: Error) => {
        this.#emitError(error);
        socket.destroy();
      });
    return true;
  }

  /** Writes to the connections in these rooms (every connection when none is named), on every node of the broker. */
  to(...rooms: string[]): RoomWriter {
    return new RoomWriter(this.#rooms, { rooms: [...new Set(rooms)], except: [] });
  }

  /** Writes one message to every connection (baro's everyone stream: baro and Socket.IO clients of the broker too). */
  broadcast(message: string): Promise<void> {
    return this.to().write(message);
  }

  /** Ends every session and WebSocket now. */
  async close(): Promise<void> {
    for (const session of [...this.#sessions.values(), ...this.#anonymous]) session.terminate();
    for (const raw of this.#raw) raw.terminate();
    await this.#websockets.close({ timeout: 1000 });
    await this.#rooms.close();
  }

  sessionFor(id: string, request: IncomingMessage): Session | null {
    const existing = this.#sessions.get(id);
    if (existing) return existing;
    const session = this.#newSession(id, request);
    if (session) this.#sessions.set(id, session);
    return session;
  }

  existingSession(id: string): Session | undefined {
    return this.#sessions.get(id);
  }

  anonymousSession(request: IncomingMessage): Session | null {
    const session = this.#newSession(null, request);
    if (session) this.#anonymous.add(session);
    return session;
  }

  admitRaw(request: IncomingMessage): boolean {
    return this.#counter.take(addressOf(request));
  }

  releaseRaw(request: IncomingMessage): void {
    this.#counter.release(addressOf(request));
  }

  openRaw(socket: MessageSocket, request: IncomingMessage): void {
    const address = addressOf(request);
    const carrier = new RawWebSocketCarrier(socket, request, this.options.prefix, () => {
      this.#raw.delete(carrier);
      this.#counter.release(address);
    });
    this.#raw.add(carrier);
    this.#announce(carrier.connection);
  }

  #newSession(id: string | null, request: IncomingMessage): Session | null {
    const address = addressOf(request);
    if (!this.#counter.take(address)) return null;
    const { prefix, heartbeatDelay, disconnectDelay, limits } = this.options;
    return new Session(
      id,
      address,
      { prefix, heartbeatDelay, disconnectDelay, maxBufferedBytes: limits.maxBufferedBytes },
      (connection) => this.#announce(connection),
      (ended) => {
        if (ended.id === null) this.#anonymous.delete(ended);
        else if (this.#sessions.get(ended.id) === ended) this.#sessions.delete(ended.id);
        this.#counter.release(ended.remoteAddress);
      },
    );
  }

  /** A new connection: in the rooms' everyone set until it closes, then told to the app. */
  #announce(connection: SockJSConnection): void {
    this.#rooms.add(connection);
    connection.once('close', () => this.#rooms.remove(connection));
    this.emit('connection', connection);
  }

  #emitError(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }
}

/**
 * Puts `handler` in front of the listeners `server` has for `event`: they run only for what the
 * handler did not take (so several prefixes and other apps share one HTTP server).
 */
function overshadow<Args extends unknown[]>(server: HttpServer, event: 'request' | 'upgrade', handler: (...args: Args) => boolean): void {
  const previous = server.listeners(event) as ((...args: Args) => void)[];
  server.removeAllListeners(event);
  server.on(event, (...args: unknown[]) => {
    if (handler(...(args as Args))) return;
    for (const listener of previous) listener.apply(server, args as Args);
  });
}

export function createServer(options?: SockJSServerOptions): SockJSServer {
  return new SockJSServer(options);
}
