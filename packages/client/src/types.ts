import type { Ack, DataOf, ReplyOf, TransportName } from '@baro/protocol';

export type { Ack, DataOf, EventContract, EventMap, EventName, ReplyOf, UntypedEvents } from '@baro/protocol';

/** A handler for a server event: its payload, and the function that answers it. */
export type EventHandler<T> = (data: DataOf<T>, ack: Ack<ReplyOf<T>>) => void;

/**
 * Where the client is:
 * - `connecting`: trying transports (the first time, or again after a drop);
 * - `open`: a transport carries the session;
 * - `reconnecting`: waiting out the backoff before the next try;
 * - `closed`: for good (`close()`, a terminal close code, or reconnecting disabled).
 */
export type ClientState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** What `onState` listeners receive: state changes and session events, never application events. */
export type StateEvent =
  | { type: 'connecting' }
  | { type: 'open'; sid: string; transport: TransportName; resumed: boolean }
  /** The session moved to another transport (an upgrade, or a reconnect that landed elsewhere). */
  | { type: 'transport'; transport: TransportName }
  | { type: 'reconnecting'; attempt: number; delay: number }
  /** The server could not resume the session: a new one started and the app must refetch its state. */
  | { type: 'resync'; sid: string }
  /** A notice from the server that does not close the session (e.g. `rate_limited`). */
  | { type: 'notice'; code: string; message: string }
  | { type: 'closed'; code: number; reason: string };

export interface ReconnectOptions {
  /** First delay in ms. Default 500. */
  initialDelay: number;
  /** Largest delay in ms (before a server's `retryAfterMs` is added). Default 10 000. */
  maxDelay: number;
  /** Growth per attempt. Default 2. */
  factor: number;
  /** Share of the delay taken off at random (0 to 1): delay × (1 − jitter × random). Default 0.5. */
  jitter: number;
}

/** The part of the platform WebSocket the client uses; the browser's and baro's Node class both fit. */
export interface WebSocketLike {
  binaryType: string;
  readyState: number;
  onmessage: unknown;
  onclose: unknown;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export interface ClientOptions {
  /** Base path of the endpoints. Default `/baro`. */
  path?: string;
  /** Transports to use, in the order to try them. Default websocket, sse, long-polling, polling. */
  transports?: readonly TransportName[];
  /** Backoff between reconnect attempts, or `false` to close instead of reconnecting. */
  reconnect?: Partial<ReconnectOptions> | false;
  /** Unreceipted events and answers kept at most (sent while disconnected, or not yet receipted); past it `emit` returns false. Default 1000. */
  maxQueued?: number;
  /** A transport without an open packet within this many ms is given up for the next one. Default 5000. */
  openTimeout?: number;
  /** Delay between requests of the polling transport, in ms. Default 1000. */
  pollInterval?: number;
  /** Default timeout of `emitWithAck`, in ms. Default 10 000. */
  ackTimeout?: number;
  /** Extra query parameters on every request (e.g. an app's auth token). */
  query?: Record<string, string>;
  /** The WebSocket class. Default: the global one (browsers, Node ≥ 22); in Node 20 pass `WebSocket` from `baro`. */
  WebSocket?: WebSocketConstructor;
  /** The fetch function. Default: the global one. */
  fetch?: typeof fetch;
}

/** Why an `emitWithAck` promise was rejected. */
export type AckFailure = 'timeout' | 'error' | 'closed' | 'full' | 'too-large';

export class AckError extends Error {
  override readonly name = 'AckError';
  constructor(
    message: string,
    /**
     * `timeout`: no answer in time; `error`: the server answered with an error; `closed`: the client
     * is closed; `full`: the outbox is full; `too-large`: the event passes the server's maxPayload.
     */
    readonly reason: AckFailure,
  ) {
    super(message);
  }
}
