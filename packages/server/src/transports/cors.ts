import type { IncomingMessage } from 'node:http';
import type { ExtraHeaders } from './http-reply.js';

export type CorsOrigins = readonly string[] | ((origin: string) => boolean);

/**
 * What a request's Origin means for the HTTP transports: no Origin or the server's own origin
 * needs no CORS headers; an origin on the `corsOrigins` list gets them; any other is refused.
 */
export type CorsVerdict = { allowed: true; headers: ExtraHeaders } | { allowed: false };

const NONE: CorsVerdict = { allowed: true, headers: {} };

export function corsFor(request: IncomingMessage, corsOrigins: CorsOrigins | undefined): CorsVerdict {
  const origin = request.headers.origin;
  if (origin === undefined || sameOrigin(origin, request.headers.host)) return NONE;
  if (!originListed(corsOrigins, origin)) return { allowed: false };
  return {
    allowed: true,
    headers: {
      // The request's own origin, never `*`: credentials (cookies, EventSource withCredentials) may go along.
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Expose-Headers': 'Retry-After',
      Vary: 'Origin',
    },
  };
}

/** The answer to a preflight `OPTIONS`: 204 with the methods and headers the transports use, or 403. */
export function preflightHeaders(verdict: Extract<CorsVerdict, { allowed: true }>, request: IncomingMessage): ExtraHeaders {
  const origin = request.headers.origin;
  return {
    ...verdict.headers,
    ...(origin === undefined ? {} : { 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin' }),
    'Access-Control-Allow-Methods': 'GET, POST',
    'Access-Control-Allow-Headers': 'Content-Type, X-Baro-Token, Last-Event-ID',
    'Access-Control-Max-Age': '600',
  };
}

function originListed(allowed: CorsOrigins | undefined, origin: string): boolean {
  if (allowed === undefined) return false;
  return typeof allowed === 'function' ? allowed(origin) : allowed.includes(origin);
}

/**
 * Whether `origin` names this server, judged by host and port only: behind a TLS-terminating proxy
 * the scheme the server sees is not the one the browser used.
 */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    return new URL(origin).host === new URL(`http://${host}`).host;
  } catch {
    return false;
  }
}
