import type { Packet, TransportName } from '@baro/protocol';
import type { WebSocketConstructor } from '../types.js';

/** Why a transport ended. */
export interface Failure {
  reason: string;
  /** WebSocket close code, when there was one. */
  code?: number;
  /** From an HTTP `Retry-After` header, in ms. */
  retryAfter?: number;
}

/** What a transport reports to the client. Never called synchronously from the factory. */
export interface TransportSink {
  /**
   * Packets that arrived together (one WebSocket message, one SSE event, one response body; an
   * empty poll response gives an empty list). `upstream` marks the packets in a POST response:
   * they prove the server alive, not the downstream.
   */
  packets(list: Packet[], upstream: boolean): void;
  /** The transport failed or ended; it reports nothing after this. */
  close(failure: Failure): void;
}

/** One transport carrying (or trying to carry) the session. */
export interface Transport {
  /** `texts[i]`, when given, is `encodePacket(packets[i])` already made by the caller (not made twice). */
  send(packets: readonly Packet[], texts?: readonly (string | undefined)[]): void;
  /** Stops receiving; what was already handed to `send` may still be delivered. */
  close(): void;
}

/** What the client lends its transports. */
export interface TransportContext {
  /** Full URL of an endpoint (`ws`, `sse`, `poll`, `send`) with the session's query (sid, token, seq). */
  url(endpoint: string, params?: Record<string, string>): string;
  fetch: typeof fetch;
  WebSocket: WebSocketConstructor | undefined;
  pollInterval: number;
  /**
   * True while an upgrade probe attaches another transport: polls wait instead of asking, so that
   * no poll request reaches the server after the probe took the session over and takes it back.
   */
  paused(): boolean;
  /** True when requests attach to an existing session (they carry sid, token and seq). */
  attaching(): boolean;
  /** Upper bound on a POST body, in bytes (the server's maxPayload once known). */
  maxBody(): number;
}

export type TransportFactory = (name: TransportName, context: TransportContext, sink: TransportSink) => Transport;
