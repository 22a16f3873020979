import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type RequestListener, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SessionSlots, WebSocketServer, checkOrigin, runAuthenticate, type AuthDecision, type SessionSlot, type WebSocketConnection } from 'baro';
import { EngineErrorCode, answerRefusal, engineRefusal, type EngineRefusal } from './errors.js';
import { corsHeaders, engineQuery, pathnameOf, verifyEngineRequest } from './engine-request.js';
import { EngineSocket } from './engine-socket.js';
import { engineSettings, type EngineServerOptions, type EngineSettings } from './options.js';
import { PollingTransport } from './polling-transport.js';
import type { EngineTransport } from './transport.js';
import { WebSocketTransport } from './websocket-transport.js';

export interface EngineConnectionError {
  request: IncomingMessage;
  code: EngineErrorCode;
  message: string;
}

export interface EngineServerEvents<Context> {
  connection: [socket: EngineSocket, context: Context | undefined];
  /** A request refused (the reference server's event of the same name). */
  connection_error: [error: EngineConnectionError];
  error: [error: Error];
}

/** What a WebSocket handshake carries from its checks to its connection. */
interface UpgradeTicket<Context> {
  /** Set when the WebSocket is to replace an existing session's polling. */
  sid?: string;
  slot?: SessionSlot;
  context?: Context;
}

type Admission<Context> = { ok: true; slot: SessionSlot; context: Context | undefined } | { ok: false; refusal: EngineRefusal };

/**
 * An Engine.IO v4 server on node:http and baro's WebSocket server: long-polling, WebSocket and the
 * upgrade between them, with the reference server's answers to bad requests and baro's limits
 * (sessions per address and in all, payload sizes, timeouts) and origin policy.
 */
export class EngineServer<Context = unknown> extends EventEmitter<EngineServerEvents<Context>> {
  readonly clients = new Map<string, EngineSocket>();
  /** Resolves once the server listens (own server) or at once (attached). */
  readonly ready: Promise<void>;
  readonly #options: EngineServerOptions<Context>;
  readonly #settings: EngineSettings;
  readonly #httpServer: HttpServer;
  readonly #ownsServer: boolean;
  readonly #slots: SessionSlots;
  readonly #webSockets: WebSocketServer<UpgradeTicket<Context>> | null = null;
  #detachRequests: () => void = () => {};
  #closing = false;

  constructor(options: EngineServerOptions<Context>) {
    super();
    this.#options = options;
    this.#settings = engineSettings(options as EngineServerOptions<unknown>);
    const settings = this.#settings;
    if (options.server && options.port !== undefined) throw new TypeError('give either `server` or `port`, not both');
    this.#slots = new SessionSlots({ perAddress: settings.maxSessionsPerAddress, total: settings.maxSessions });
    if (options.server) {
      this.#httpServer = options.server;
      this.#ownsServer = false;
      this.#interceptRequests(options.server);
      this.ready = Promise.resolve();
    } else {
      if (options.port === undefined) throw new TypeError('give `server` to attach to, or `port` to listen on');
      this.#httpServer = createServer({ headersTimeout: settings.handshakeTimeout, requestTimeout: 0 }, (request, response) => {
        if (pathnameOf(request.url) === settings.path) this.handleRequest(request, response);
        else answerRefusal(response, { code: EngineErrorCode.BAD_REQUEST, message: 'not found', status: 404 }, {});
      });
      this.#ownsServer = true;
      this.ready = new Promise((resolve, reject) => {
        this.#httpServer.once('error', reject);
        this.#httpServer.listen(options.port, options.host ?? '127.0.0.1', () => {
          this.#httpServer.off('error', reject);
          this.#httpServer.on('error', (error) => this.#emitError(error));
          resolve();
        });
      });
    }
    if (settings.transports.includes('websocket')) {
      const webSockets = new WebSocketServer<UpgradeTicket<Context>>({
        server: this.#httpServer,
        path: settings.path,
        maxPayload: settings.maxPayload,
        handshakeTimeout: settings.handshakeTimeout,
        maxConnections: settings.maxSessions,
        allowedOrigins: options.allowedOrigins,
        authenticate: (request) => this.#verifyUpgrade(request),
        releaseContext: (ticket) => ticket.slot?.release(),
      });
      webSockets.on('connection', (connection, request, ticket) => this.#onWebSocket(connection, request, ticket ?? {}));
      webSockets.on('error', (error) => this.#emitError(error));
      this.#webSockets = webSockets;
    }
  }

  /** The listening address (own server) or the attached server's. */
  address(): AddressInfo {
    return this.#httpServer.address() as AddressInfo;
  }

  /** Sessions open now. */
  get clientsCount(): number {
    return this.clients.size;
  }

  /** Handles one HTTP request to the Engine.IO path (public for servers that route requests themselves). */
  handleRequest(request: IncomingMessage, response: ServerResponse): void {
    void this.#handleRequest(request, response).catch((error: unknown) => {
      this.#emitError(error instanceof Error ? error : new Error(String(error)));
      if (!response.headersSent) answerRefusal(response, engineRefusal(EngineErrorCode.BAD_REQUEST), {});
    });
  }

  /** Ends every session at once, stops taking requests, and closes the HTTP server if it is ours. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    for (const socket of [...this.clients.values()]) socket.terminate('server shutting down');
    await this.#webSockets?.close({ timeout: 1000 });
    this.#detachRequests();
    if (this.#ownsServer) {
      await new Promise<void>((resolve) => {
        this.#httpServer.close(() => resolve());
        this.#httpServer.closeAllConnections();
      });
    }
  }

  async #handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (this.#closing) {
      answerRefusal(response, { code: EngineErrorCode.BAD_REQUEST, message: 'server is shutting down', status: 503, headers: { 'Retry-After': '5' } }, {});
      return;
    }
    const origin = checkOrigin(request, this.#options.allowedOrigins);
    if (!origin.ok) {
      this.#refuse(request, response, { code: EngineErrorCode.FORBIDDEN, message: origin.reason, status: origin.status }, {});
      return;
    }
    const headers = corsHeaders(origin.crossOrigin);
    if (request.method === 'OPTIONS') {
      response.writeHead(204, {
        ...headers,
        'Access-Control-Allow-Methods': 'GET, POST',
        'Access-Control-Allow-Headers': 'Content-Type',
        'Access-Control-Max-Age': '600',
        'Content-Length': '0',
      });
      response.end();
      return;
    }
    const query = engineQuery(request);
    const refusal = query === null ? engineRefusal(EngineErrorCode.BAD_REQUEST) : verifyEngineRequest(request, query, false, this.#settings, (sid) => this.clients.get(sid));
    if (refusal || query === null) {
      this.#refuse(request, response, refusal ?? engineRefusal(EngineErrorCode.BAD_REQUEST), headers);
      return;
    }
    const sid = query.get('sid');
    if (sid) {
      const transport = this.clients.get(sid)?.transport;
      // A plain HTTP request for a session on WebSocket has nothing to carry (the reference leaves it hanging).
      if (transport instanceof PollingTransport) transport.onRequest(request, response, headers);
      else this.#refuse(request, response, engineRefusal(EngineErrorCode.BAD_REQUEST), headers);
      return;
    }
    const admitted = await this.#admitHandshake(request);
    if (!admitted.ok) {
      this.#refuse(request, response, admitted.refusal, headers);
      return;
    }
    const transport = new PollingTransport({
      maxPayload: this.#settings.maxPayload,
      maxPacketsPerPayload: this.#settings.maxPacketsPerPayload,
      bodyTimeout: this.#settings.handshakeTimeout,
      closeTimeout: this.#settings.pollingCloseTimeout,
    });
    const socket = this.#openSession(transport, request, admitted.slot);
    transport.onRequest(request, response, headers);
    this.emit('connection', socket, admitted.context);
  }

  /** The app's authenticate hook, then a session slot (taken last: the awaits come before). */
  async #admitHandshake(request: IncomingMessage): Promise<Admission<Context>> {
    const auth = await runAuthenticate(this.#options.authenticate, request, (error) => this.#emitError(error));
    if (!auth.ok) return { ok: false, refusal: { code: EngineErrorCode.FORBIDDEN, message: auth.reason, status: auth.status, ...(auth.headers ? { headers: auth.headers } : {}) } };
    if (this.#closing) return { ok: false, refusal: { code: EngineErrorCode.BAD_REQUEST, message: 'server is shutting down', status: 503 } };
    const slot = this.#slots.reserve(request.socket.remoteAddress);
    if ('ok' in slot) return { ok: false, refusal: { code: EngineErrorCode.BAD_REQUEST, message: slot.reason, status: slot.status, ...(slot.headers ? { headers: slot.headers } : {}) } };
    return { ok: true, slot, context: auth.context };
  }

  /** Runs as the WebSocket server's authenticate hook: the Engine.IO checks, then admission for a handshake. */
  async #verifyUpgrade(request: IncomingMessage): Promise<AuthDecision<UpgradeTicket<Context>>> {
    const query = engineQuery(request);
    const refusal = query === null ? engineRefusal(EngineErrorCode.BAD_REQUEST) : verifyEngineRequest(request, query, true, this.#settings, (sid) => this.clients.get(sid));
    // The reference answers every refused upgrade 400, the message as the body.
    if (refusal || query === null) return this.#refuseUpgrade(request, refusal ?? engineRefusal(EngineErrorCode.BAD_REQUEST), 400);
    const sid = query.get('sid');
    if (sid) return { ok: true, context: { sid } };
    const admitted = await this.#admitHandshake(request);
    if (!admitted.ok) return this.#refuseUpgrade(request, admitted.refusal, admitted.refusal.status);
    return { ok: true, context: { slot: admitted.slot, context: admitted.context } };
  }

  #refuseUpgrade(request: IncomingMessage, refusal: EngineRefusal, status: number): AuthDecision<UpgradeTicket<Context>> {
    this.emit('connection_error', { request, code: refusal.code, message: refusal.message });
    return { ok: false, status, reason: refusal.message, ...(refusal.headers ? { headers: refusal.headers } : {}) };
  }

  #onWebSocket(connection: WebSocketConnection, request: IncomingMessage, ticket: UpgradeTicket<Context>): void {
    if (ticket.sid !== undefined) {
      const socket = this.clients.get(ticket.sid);
      // The session may have closed or started another upgrade while this handshake ran.
      if (!socket?.canUpgrade) connection.close();
      else socket.maybeUpgrade(new WebSocketTransport(connection));
      return;
    }
    if (!ticket.slot || this.#closing) {
      ticket.slot?.release();
      connection.close();
      return;
    }
    const socket = this.#openSession(new WebSocketTransport(connection), request, ticket.slot);
    this.emit('connection', socket, ticket.context);
  }

  #openSession(transport: EngineTransport, request: IncomingMessage, slot: SessionSlot): EngineSocket {
    const settings = this.#settings;
    const upgrades = settings.allowUpgrades && transport.name === 'polling' && settings.transports.includes('websocket') ? ['websocket'] : [];
    const id = randomBytes(15).toString('base64url');
    const socket = new EngineSocket(id, request, transport, settings, upgrades);
    this.clients.set(id, socket);
    socket.once('close', () => {
      this.clients.delete(id);
      slot.release();
    });
    return socket;
  }

  #refuse(request: IncomingMessage, response: ServerResponse, refusal: EngineRefusal, headers: Record<string, string>): void {
    this.emit('connection_error', { request, code: refusal.code, message: refusal.message });
    answerRefusal(response, refusal, headers);
  }

  /** Takes the attached server's requests to our path; the others go to its listeners as before. */
  #interceptRequests(server: HttpServer): void {
    const previous = server.listeners('request') as RequestListener[];
    server.removeAllListeners('request');
    const listener: RequestListener = (request, response) => {
      if (pathnameOf(request.url) === this.#settings.path) this.handleRequest(request, response);
      else for (const other of previous) other.call(server, request, response);
    };
    server.on('request', listener);
    this.#detachRequests = () => {
      server.off('request', listener);
      for (const other of previous) server.on('request', other);
    };
  }

  #emitError(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }
}
