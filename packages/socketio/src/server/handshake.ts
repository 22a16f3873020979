import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** What the client's first request and its namespace CONNECT told the server, as socket.io gives it. */
export interface Handshake {
  headers: IncomingMessage['headers'];
  /** When the socket connected, as a date string. */
  time: string;
  address: string;
  /** Whether the request came from another origin. */
  xdomain: boolean;
  secure: boolean;
  /** When the socket connected, in ms since the epoch. */
  issued: number;
  url: string;
  query: Record<string, string | string[]>;
  /** The payload the client sent with its namespace CONNECT (`io(url, { auth })`). */
  auth: Record<string, unknown>;
}

export function handshakeOf(request: IncomingMessage, auth: Record<string, unknown>, issued: number): Handshake {
  const now = new Date(issued);
  const url = request.url ?? '/';
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '')) {
    const previous = query[key];
    query[key] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return {
    headers: request.headers,
    time: now.toString(),
    address: request.socket.remoteAddress ?? '',
    xdomain: request.headers.origin !== undefined,
    secure: Boolean((request.socket as Partial<TLSSocket>).encrypted),
    issued: now.getTime(),
    url,
    query,
    auth,
  };
}
