import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  BaroCloseCode,
  CloseCode,
  buildAcceptResponse,
  negotiateDeflateAsServer,
  prepareFrame,
  validateUpgradeRequest,
  type ServerDeflateOptions,
} from '@baro/protocol';
import { admitRequest, type AllowedOrigins, type Authenticate } from '../admission/index.js';
import { DEFAULT_DEFLATE_MAX_PAYLOAD, DEFAULT_DEFLATE_WINDOW_BITS, PerMessageDeflate } from '../permessage-deflate.js';
import type { InflateBudget } from '../inflate-budget.js';
import { WebSocketConnection, type ConnectionLimits, type SendData } from './connection.js';
import { ReadyState } from './ready-state.js';
import { rejectHandshake } from './reject.js';
import { routeUpgrades } from './upgrade-router.js';

export type { AuthDecision } from '../admission/index.js';

/**
 * permessage-deflate settings. Memory-bounded by default: `serverMaxWindowBits` and
 * `clientMaxWindowBits` 12 (the client's only when it offers the parameter, as browsers do),
 * `memLevel` 5, and `maxPayload` 4 MiB on deflate connections unless the server sets one.
 */
export interface DeflateOptions extends ServerDeflateOptions {
  /** Messages smaller than this are sent uncompressed. Default 1024 bytes. */
  threshold?: number;
  level?: number;
  /** zlib memLevel of our compressor, 1..9. Default 5. */
  memLevel?: number;
  /**
   * Inflated bytes in flight, shared with every connection using the same budget. Default: the
   * process-wide `defaultInflateBudget` (32 MiB). Past it, the connection whose message holds the
   * most inflated bytes is closed with 1013 (Try Again Later).
   */
  inflateBudget?: InflateBudget;
}

export interface WebSocketServerOptions<Context = unknown> extends Partial<ConnectionLimits> {
  /** Attach to this HTTP(S) server's 'upgrade' event. */
  server?: HttpServer | HttpsServer;
  /** Or listen by itself on this port (0 picks a free one). */
  port?: number;
  /** Or neither: the app passes upgrades to `handleUpgrade` itself (a framework's server). */
  noServer?: boolean;
  host?: string;
  /** Only upgrades to this path; several servers with different paths can share an HTTP server. */
  path?: string;
  /** Runs for every upgrade after the request is valid and its origin allowed; may refuse with a status code. */
  authenticate?: Authenticate<Context>;
  /**
   * Browser Origins allowed besides the request's own Host; requests without Origin (non-browser
   * clients) pass. Default: none (same origin only); `'*'` allows any.
   */
  allowedOrigins?: AllowedOrigins;
  /** Called with what `authenticate` gave when the handshake then fails (timeout, client gone, shutdown). */
  releaseContext?: (context: Context) => void;
  /** Subprotocols this server speaks, in preference order; the first one the client also offers wins. */
  protocols?: readonly string[];
  /** Or choose yourself; return undefined to pick none. */
  selectProtocol?: (offered: readonly string[], request: IncomingMessage) => string | undefined;
  /** Time from the upgrade request to the 101 (authentication included). Default 10 s. */
  handshakeTimeout?: number;
  /** Open connections at most; more are answered 503. Default 100,000. */
  maxConnections?: number;
  /** permessage-deflate (RFC 7692); off by default, as compression costs CPU and memory per connection. */
  perMessageDeflate?: boolean | DeflateOptions;
  /** Ping every `interval` ms; a peer that sent nothing since the last ping is closed (4002). */
  heartbeat?: { interval: number } | false;
}

export interface ServerEvents<Context> {
  connection: [socket: WebSocketConnection, request: IncomingMessage, context: Context | undefined];
  listening: [];
  error: [error: Error];
  close: [];
}

/**
 * A WebSocket server: attach it to an HTTP server or let it listen by itself. Connections get the
 * ws-style API of `WebSocketConnection`; `broadcast` encodes a message once for every client.
 */
export class WebSocketServer<Context = unknown> extends EventEmitter<ServerEvents<Context>> {
  readonly clients = new Set<WebSocketConnection>();
  readonly #options: WebSocketServerOptions<Context>;
  readonly #httpServer: HttpServer | HttpsServer | null;
  readonly #ownsServer: boolean;
  readonly #detach: () => void;
  readonly #handshakes = new Set<Duplex>();
  #heartbeat: NodeJS.Timeout | null = null;
  #closing = false;
  /** Resolves once the server listens (own server) or at once (attached). */
  readonly ready: Promise<void>;

  constructor(options: WebSocketServerOptions<Context>) {
    super();
    this.#options = options;
    if ([options.server !== undefined, options.port !== undefined, options.noServer === true].filter(Boolean).length > 1) {
      throw new TypeError('give one of `server`, `port` or `noServer`');
    }
    const handshakeTimeout = options.handshakeTimeout ?? 10_000;
    if (options.noServer) {
      this.#httpServer = null;
      this.#ownsServer = false;
      this.ready = Promise.resolve();
    } else if (options.server) {
      this.#httpServer = options.server;
      this.#ownsServer = false;
      this.ready = Promise.resolve();
    } else {
      if (options.port === undefined) throw new TypeError('give `server` to attach to, `port` to listen on, or `noServer`');
      // Node's own header timeout catches clients that never finish the request head.
      const httpServer = createServer({ headersTimeout: handshakeTimeout, requestTimeout: handshakeTimeout + 1, connectionsCheckingInterval: Math.min(1000, handshakeTimeout) }, (_request, response) => {
        response.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket', Connection: 'close' });
        response.end('this endpoint speaks WebSocket only\n');
      });
      this.#httpServer = httpServer;
      this.#ownsServer = true;
      this.ready = new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(options.port, options.host ?? '127.0.0.1', () => {
          httpServer.off('error', reject);
          httpServer.on('error', (error) => this.#emitError(error));
          this.emit('listening');
          resolve();
        });
      });
    }
    this.#detach = this.#httpServer
      ? routeUpgrades(this.#httpServer as HttpServer, options.path, (request, socket, head) => void this.handleUpgrade(request, socket, head))
      : () => {};
    if (options.heartbeat) this.#startHeartbeat(options.heartbeat.interval);
  }

  /** The listening address (own server) or the attached server's. */
  address(): AddressInfo {
    if (!this.#httpServer) throw new TypeError('a WebSocketServer made with noServer has no address of its own');
    return this.#httpServer.address() as AddressInfo;
  }

  /**
   * Runs the handshake for an upgrade request. Public for servers that route upgrades themselves.
   * Resolves to the connection, or null when the upgrade was refused.
   */
  async handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<WebSocketConnection | null> {
    const options = this.#options;
    socket.on('error', destroyOnError);
    if (this.#closing) return refuse(socket, 503, 'server is shutting down', { 'Retry-After': '5' });
    if (this.clients.size + this.#handshakes.size >= (options.maxConnections ?? 100_000)) {
      return refuse(socket, 503, 'too many connections', { 'Retry-After': '5' });
    }

    const checked = validateUpgradeRequest({ method: request.method ?? '', httpVersion: request.httpVersion, headers: request.headers });
    if (!checked.ok) return refuse(socket, checked.status, checked.reason, checked.headers);

    this.#handshakes.add(socket);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      rejectHandshake(socket, 408, 'handshake timed out');
    }, options.handshakeTimeout ?? 10_000);
    try {
      const admitted = await admitRequest(request, options, (error) => this.#emitError(error));
      if (!admitted.ok) return timedOut || socket.destroyed ? null : refuse(socket, admitted.status, admitted.reason, admitted.headers);
      const context = admitted.context;
      if (timedOut || socket.destroyed || this.#closing) {
        if (context !== undefined) options.releaseContext?.(context);
        return null;
      }

      const protocol = this.#chooseProtocol(checked.protocols, request);
      let deflate: PerMessageDeflate | null = null;
      let extensions = '';
      if (options.perMessageDeflate) {
        const deflateOptions = options.perMessageDeflate === true ? {} : options.perMessageDeflate;
        const agreed = negotiateDeflateAsServer(checked.extensions, {
          ...deflateOptions,
          serverMaxWindowBits: deflateOptions.serverMaxWindowBits ?? DEFAULT_DEFLATE_WINDOW_BITS,
          clientMaxWindowBits: deflateOptions.clientMaxWindowBits ?? DEFAULT_DEFLATE_WINDOW_BITS,
        });
        if (agreed) {
          extensions = agreed.response;
          deflate = new PerMessageDeflate({
            params: agreed.params,
            role: 'server',
            threshold: deflateOptions.threshold,
            level: deflateOptions.level,
            memLevel: deflateOptions.memLevel,
            maxInflatedBytes: options.maxPayload ?? DEFAULT_DEFLATE_MAX_PAYLOAD,
            inflateBudget: deflateOptions.inflateBudget,
          });
        }
      }

      socket.off('error', destroyOnError);
      socket.write(buildAcceptResponse({ accept: checked.accept, protocol, extensions: extensions || undefined }));
      const connection = new WebSocketConnection(socket as Socket, head, {
        role: 'server',
        protocol,
        extensions,
        deflate,
        limits: {
          maxPayload: options.maxPayload ?? (deflate ? DEFAULT_DEFLATE_MAX_PAYLOAD : undefined),
          maxFragments: options.maxFragments,
          maxBufferedBytes: options.maxBufferedBytes,
          highWaterMark: options.highWaterMark,
          closeTimeout: options.closeTimeout,
        },
      });
      this.clients.add(connection);
      connection.on('close', () => this.clients.delete(connection));
      this.emit('connection', connection, request, context);
      return connection;
    } finally {
      clearTimeout(timer);
      this.#handshakes.delete(socket);
    }
  }

  /** Sends one message to every open client, encoded once. Returns how many it was queued for. */
  broadcast(data: SendData, options: { binary?: boolean; except?: WebSocketConnection } = {}): number {
    const isString = typeof data === 'string';
    const payload = isString ? Buffer.from(data, 'utf8') : Buffer.isBuffer(data) ? data : Buffer.from(data instanceof ArrayBuffer ? data : data.buffer, data instanceof ArrayBuffer ? 0 : data.byteOffset, data.byteLength);
    const frame = prepareFrame(payload, options.binary ?? !isString, false, Buffer.allocUnsafe);
    let sent = 0;
    for (const client of this.clients) {
      if (client === options.except || client.readyState !== ReadyState.OPEN) continue;
      client.sendPrepared(frame);
      sent++;
    }
    return sent;
  }

  /**
   * Graceful shutdown: stop accepting, send 1001 to every client, wait for their close handshakes
   * up to `timeout` ms, then destroy what is left.
   */
  async close({ timeout = 5_000, code = CloseCode.goingAway, reason = 'server shutting down' }: { timeout?: number; code?: number; reason?: string } = {}): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    // The route stays until the end, so upgrades that arrive meanwhile hear 503 and Retry-After.
    for (const socket of this.#handshakes) rejectHandshake(socket, 503, 'server is shutting down');
    const closed = [...this.clients].map((client) => new Promise<void>((resolve) => {
      if (client.readyState === ReadyState.CLOSED) return resolve();
      client.once('close', () => resolve());
      client.close(code, reason);
    }));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(closed), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeout)))]);
    clearTimeout(timer);
    for (const client of this.clients) client.terminate();
    await Promise.all(closed);
    this.#detach();
    const httpServer = this.#httpServer;
    if (this.#ownsServer && httpServer) {
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    }
    this.emit('close');
  }

  #chooseProtocol(offered: readonly string[], request: IncomingMessage): string | undefined {
    if (offered.length === 0) return undefined;
    if (this.#options.selectProtocol) {
      const chosen = this.#options.selectProtocol(offered, request);
      // The server may only pick one the client offered (RFC 6455 §4.2.2).
      return chosen !== undefined && offered.includes(chosen) ? chosen : undefined;
    }
    return this.#options.protocols?.find((protocol) => offered.includes(protocol));
  }

  #startHeartbeat(interval: number): void {
    this.#heartbeat = setInterval(() => {
      for (const client of this.clients) {
        if (!client.alive) {
          client.fail(BaroCloseCode.heartbeatTimeout, 'heartbeat timeout');
          client.terminate();
          continue;
        }
        client.alive = false;
        client.ping();
      }
    }, interval);
    this.#heartbeat.unref();
  }

  #emitError(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }
}

function destroyOnError(this: Duplex): void {
  this.destroy();
}

function refuse(socket: Duplex, status: number, reason: string, headers?: Record<string, string>): null {
  rejectHandshake(socket, status, reason, headers);
  return null;
}
