import type { Server as HttpServer } from 'node:http';
import type { AllowedOrigins, Authenticate } from 'baro';

export type EngineTransportName = 'polling' | 'websocket';

export interface EngineServerOptions<Context = unknown> {
  /** Attach to this HTTP server (its other requests keep going to their listeners). */
  server?: HttpServer;
  /** Or listen by itself on this port (0 picks a free one). */
  port?: number;
  host?: string;
  /** Default `/engine.io/`, as the reference. */
  path?: string;
  /** Transports clients may use. Default both. */
  transports?: readonly EngineTransportName[];
  /** Whether polling sessions may move to WebSocket. Default true. */
  allowUpgrades?: boolean;
  /** The server pings every this many ms. Default 25,000 (reference). */
  pingInterval?: number;
  /** A client that has not answered a ping in this many ms is closed. Default 20,000 (reference). */
  pingTimeout?: number;
  /** A WebSocket probing an upgrade must finish it within this many ms. Default 10,000 (reference). */
  upgradeTimeout?: number;
  /** Largest message, WebSocket frame or long-polling POST body, in bytes. Default 1e6 (reference). */
  maxPayload?: number;
  /** Packets one long-polling POST may carry. Default 1,000. */
  maxPacketsPerPayload?: number;
  /**
   * Bytes waiting for a polling client's next GET; past them the session is closed. Default twice
   * `maxPayload`, at least 2 MiB: a client that POSTs echoes and never GETs them held 16 MiB a
   * session before (20 such sessions: +230 MiB); a client that polls takes its bytes within a round trip.
   */
  maxBufferedBytes?: number;
  /** Sessions at most; more handshakes are answered 503. Default 100,000. */
  maxSessions?: number;
  /** Sessions per client address (IPv6: per /64); more are answered 429. Default 100. */
  maxSessionsPerAddress?: number;
  /** Time for a WebSocket handshake and for a POST body to arrive. Default 10,000 ms. */
  handshakeTimeout?: number;
  /**
   * How long a closing polling session waits for the GET that carries its close packet. Default
   * 30,000 ms (reference).
   */
  pollingCloseTimeout?: number;
  /** Browser origins allowed besides the server's own (baro's one origin policy). Default: none. */
  allowedOrigins?: AllowedOrigins;
  /** Runs for every handshake (the first request of a session); may refuse it. */
  authenticate?: Authenticate<Context>;
}

export interface EngineSettings {
  path: string;
  transports: readonly EngineTransportName[];
  allowUpgrades: boolean;
  pingInterval: number;
  pingTimeout: number;
  upgradeTimeout: number;
  maxPayload: number;
  maxPacketsPerPayload: number;
  maxBufferedBytes: number;
  maxSessions: number;
  maxSessionsPerAddress: number;
  handshakeTimeout: number;
  pollingCloseTimeout: number;
}

export function engineSettings(options: EngineServerOptions<unknown>): EngineSettings {
  const path = (options.path ?? '/engine.io').replace(/\/$/, '') + '/';
  const maxPayload = options.maxPayload ?? 1e6;
  const settings: EngineSettings = {
    path,
    transports: options.transports ?? ['polling', 'websocket'],
    allowUpgrades: options.allowUpgrades ?? true,
    pingInterval: options.pingInterval ?? 25_000,
    pingTimeout: options.pingTimeout ?? 20_000,
    upgradeTimeout: options.upgradeTimeout ?? 10_000,
    maxPayload,
    maxPacketsPerPayload: options.maxPacketsPerPayload ?? 1_000,
    maxBufferedBytes: options.maxBufferedBytes ?? Math.max(2 * 1024 * 1024, 2 * maxPayload),
    maxSessions: options.maxSessions ?? 100_000,
    maxSessionsPerAddress: options.maxSessionsPerAddress ?? 100,
    handshakeTimeout: options.handshakeTimeout ?? 10_000,
    pollingCloseTimeout: options.pollingCloseTimeout ?? 30_000,
  };
  for (const [name, value] of Object.entries(settings)) {
    if (typeof value === 'number' && !(Number.isFinite(value) && value > 0)) throw new RangeError(`${name} must be a positive number, got ${value}`);
  }
  if (settings.transports.length === 0 || settings.transports.some((t) => t !== 'polling' && t !== 'websocket')) {
    throw new RangeError('transports must list "polling" and/or "websocket"');
  }
  return settings;
}
