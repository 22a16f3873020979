import type { IncomingMessage } from 'node:http';
import { checkOrigin, type AllowedOrigins, type Refusal } from '../admission/index.js';
import type { ExtraHeaders } from './http-reply.js';

/**
 * What a request's Origin means for the HTTP transports, by the server's one origin policy
 * (`checkOrigin`): no Origin or the server's own needs no CORS headers; an allowed cross origin
 * gets them; any other is refused.
 */
export type CorsVerdict = { allowed: true; headers: ExtraHeaders };

const NONE: CorsVerdict = { allowed: true, headers: {} };

export function corsFor(request: IncomingMessage, allowedOrigins: AllowedOrigins | undefined): CorsVerdict | Refusal {
  const verdict = checkOrigin(request, allowedOrigins);
  if (!verdict.ok) return verdict;
  if (verdict.crossOrigin === null) return NONE;
  return {
    allowed: true,
    headers: {
      // The request's own origin, never `*`: credentials (cookies, EventSource withCredentials) may go along.
      'Access-Control-Allow-Origin': verdict.crossOrigin,
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Expose-Headers': 'Retry-After',
      Vary: 'Origin',
    },
  };
}

/** The answer to a preflight `OPTIONS`: 204 with the methods and headers the transports use, or 403. */
export function preflightHeaders(verdict: CorsVerdict, request: IncomingMessage): ExtraHeaders {
  const origin = request.headers.origin;
  return {
    ...verdict.headers,
    ...(origin === undefined ? {} : { 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin' }),
    'Access-Control-Allow-Methods': 'GET, POST',
    'Access-Control-Allow-Headers': 'Content-Type, X-Baro-Token, Last-Event-ID',
    'Access-Control-Max-Age': '600',
  };
}
