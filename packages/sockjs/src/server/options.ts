import type { Broker } from 'baro';

/** Options in the names sockjs-node users know, plus explicit limits. */
export interface SockJSServerOptions {
  /**
   * baro's broker, for rooms shared with baro and Socket.IO clients (a `BaroServer`'s `broker`, or
   * a `RedisBroker` every node shares). Default: an in-memory broker of this server's own.
   */
  broker?: Broker;
  /** Path every URL of this server starts with, e.g. `/echo`. Default '' (the root). */
  prefix?: string;
  /** Bytes a streaming response carries before the server ends it and the client opens another. Default 128 KiB. */
  response_limit?: number;
  /** Offer WebSocket transports. Default true. */
  websocket?: boolean;
  /** Set a `JSESSIONID` cookie (for load balancers that stick by it). Default false. */
  jsessionid?: boolean;
  /** Idle time after which a receiving connection gets an `h` frame. Default 25 s. */
  heartbeat_delay?: number;
  /** Time a session waits without a receiving connection before it closes. Default 5 s. */
  disconnect_delay?: number;
  /** Client script the iframe page loads; it must be the same version as the page's client. */
  sockjs_url?: string;
  limits?: Partial<SockJSLimits>;
}

export interface SockJSLimits {
  /** Largest `xhr_send`/`jsonp_send` body and WebSocket message, in bytes. Default 1 MiB. */
  maxMessageBytes: number;
  /** Open sessions (raw WebSocket connections included) at most; more are answered 503. Default 100,000. */
  maxSessions: number;
  /**
   * Open sessions per remote address at most; more are answered 503. Default 100 (as baro's own
   * and Engine.IO's): each may hold `maxBufferedBytes` for `disconnect_delay` without a receiver.
   */
  maxSessionsPerAddress: number;
  /** Outgoing bytes a session may hold while no connection receives; past it the session closes with 4001. Default 1 MiB. */
  maxBufferedBytes: number;
  /** Time from a WebSocket upgrade request to the open connection. Default 10 s. */
  handshakeTimeout: number;
}

export const DEFAULT_SOCKJS_LIMITS: SockJSLimits = {
  maxMessageBytes: 1024 * 1024,
  maxSessions: 100_000,
  maxSessionsPerAddress: 100,
  maxBufferedBytes: 1024 * 1024,
  handshakeTimeout: 10_000,
};

export interface ResolvedOptions {
  prefix: string;
  responseLimit: number;
  websocket: boolean;
  jsessionid: boolean;
  heartbeatDelay: number;
  disconnectDelay: number;
  sockjsUrl: string;
  limits: SockJSLimits;
}

export const DEFAULT_SOCKJS_URL = 'https://cdn.jsdelivr.net/npm/sockjs-client@1/dist/sockjs.min.js';

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}

export function resolveOptions(options: SockJSServerOptions = {}): ResolvedOptions {
  const limits = { ...DEFAULT_SOCKJS_LIMITS };
  for (const [name, value] of Object.entries(options.limits ?? {}) as [keyof SockJSLimits, number | undefined][]) {
    if (value !== undefined) limits[name] = positive(`limits.${name}`, value);
  }
  const prefix = options.prefix ?? '';
  if (prefix !== '' && (!prefix.startsWith('/') || prefix.endsWith('/'))) throw new TypeError(`prefix must start with / and not end with it, got ${JSON.stringify(prefix)}`);
  return {
    prefix,
    responseLimit: positive('response_limit', options.response_limit ?? 128 * 1024),
    websocket: options.websocket ?? true,
    jsessionid: options.jsessionid ?? false,
    heartbeatDelay: positive('heartbeat_delay', options.heartbeat_delay ?? 25_000),
    disconnectDelay: positive('disconnect_delay', options.disconnect_delay ?? 5_000),
    sockjsUrl: options.sockjs_url ?? DEFAULT_SOCKJS_URL,
    limits,
  };
}
