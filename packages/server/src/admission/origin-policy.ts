import type { IncomingMessage } from 'node:http';
import type { Refusal } from './refusal.js';

/**
 * Which browser origins may open connections besides the server's own: a list, a predicate, or
 * `'*'` for any (only for endpoints that authenticate without cookies).
 */
export type AllowedOrigins = readonly string[] | ((origin: string) => boolean) | '*';

/**
 * A request that passed the origin check. `crossOrigin` is the Origin when it differs from the
 * server's own (the HTTP transports answer it with CORS headers), null otherwise.
 */
export type OriginVerdict = { ok: true; crossOrigin: string | null };

const SAME_ORIGIN: OriginVerdict = { ok: true, crossOrigin: null };

/**
 * The one origin policy of every endpoint (WebSocket, SSE, polling, POST):
 * - no Origin header (a non-browser client, which could forge one anyway): allowed;
 * - an Origin naming the request's own Host: allowed;
 * - any other Origin, `null` included: allowed only when `allowed` lists it.
 * Browsers send cookies with cross-site WebSocket handshakes, so without this a page elsewhere could
 * act as the user (cross-site WebSocket hijacking). A request with two Host headers is refused
 * (400): which one the check and a proxy in front would each read is anyone's guess.
 */
export function checkOrigin(request: IncomingMessage, allowed: AllowedOrigins | undefined): OriginVerdict | Refusal {
  if (hostHeaderCount(request.rawHeaders) > 1) return { ok: false, status: 400, reason: 'more than one Host header' };
  const origin = request.headers.origin;
  if (origin === undefined || sameOrigin(origin, request.headers.host)) return SAME_ORIGIN;
  if (allowed === '*' || (typeof allowed === 'function' ? allowed(origin) : allowed?.includes(origin) === true)) return { ok: true, crossOrigin: origin };
  return { ok: false, status: 403, reason: 'origin not allowed' };
}

/**
 * Whether `origin` names this server, judged by host and port only: behind a TLS-terminating proxy
 * the scheme the server sees is not the one the browser used.
 */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined || origin === 'null') return false;
  try {
    return new URL(origin).host === new URL(`http://${host}`).host;
  } catch {
    return false;
  }
}

function hostHeaderCount(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].length === 4 && rawHeaders[i].toLowerCase() === 'host') count++;
  }
  return count;
}
