import type { Server as HttpServer } from 'node:http';
import type { BaroServer } from '../baro-server.js';

export interface HttpTransportOptions {
  /** How long a long-poll is held open without data, in ms. Default 25 s. */
  pollTimeout?: number;
  /** Largest POST body, in bytes. Default: the session's maxPayload. */
  maxBodyBytes?: number;
  /** Origins allowed to call the HTTP transports cross-origin (CORS). Default: same-origin only. */
  corsOrigins?: readonly string[] | ((origin: string) => boolean);
}

/** Mounts SSE, long-polling, polling and POST on the HTTP server; returns an unmount function. */
export function mountHttpTransports(_server: BaroServer<any, any, any>, _httpServer: HttpServer, _options: HttpTransportOptions): () => void {
  // Written next: see the HTTP transports task.
  return () => {};
}
