import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** The headers and bodies sockjs-node answers with, so both servers look alike on the wire. */

const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

export function setNoCache(response: ServerResponse): void {
  response.setHeader('Cache-Control', 'no-store, no-cache, no-transform, must-revalidate, max-age=0');
}

export function setCacheForAYear(response: ServerResponse): void {
  response.setHeader('Cache-Control', `public, max-age=${ONE_YEAR_SECONDS}`);
  response.setHeader('Expires', new Date(Date.now() + ONE_YEAR_SECONDS * 1000).toUTCString());
}

/** CORS for XHR transports: credentials are allowed whenever the browser names its origin. */
export function setCors(request: IncomingMessage, response: ServerResponse, { nullOriginIsAny = false } = {}): void {
  const origin = request.headers.origin;
  if (!origin || (nullOriginIsAny && origin === 'null')) {
    response.setHeader('Access-Control-Allow-Origin', '*');
  } else {
    response.setHeader('Access-Control-Allow-Credentials', 'true');
    response.setHeader('Access-Control-Allow-Origin', origin);
  }
  response.setHeader('Vary', 'Origin');
  const requested = request.headers['access-control-request-headers'];
  if (requested) response.setHeader('Access-Control-Allow-Headers', requested);
}

/** `JSESSIONID` for load balancers that stick by it: the client's own, or "dummy". */
export function setSessionCookie(request: IncomingMessage, response: ServerResponse): void {
  const jsessionid = cookieValue(request.headers.cookie, 'JSESSIONID') ?? 'dummy';
  response.setHeader('Set-Cookie', `JSESSIONID=${jsessionid}; path=/`);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const cookie of header.split(';')) {
    const [key, value] = cookie.split('=');
    if (key.trim() === name) return (value ?? '').trim();
  }
  return undefined;
}

export function answerPreflight(response: ServerResponse, methods: string): void {
  response.statusCode = 204;
  response.setHeader('Access-Control-Allow-Methods', methods);
  response.setHeader('Access-Control-Max-Age', String(ONE_YEAR_SECONDS));
  response.end();
}

export function answerText(response: ServerResponse, status: number, body: string): void {
  response.setHeader('Content-Type', 'text/plain; charset=UTF-8');
  response.writeHead(status);
  response.end(body);
}

export function answerNotFound(response: ServerResponse): void {
  answerText(response, 404, '404 Error: Page not found\n');
}

/** Errors carry no content type, as the reference sends them. */
export function answerError(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status);
  response.end(message);
}

export function answerMethodNotAllowed(response: ServerResponse, allowed: readonly string[]): void {
  response.writeHead(405, { Allow: allowed.join(', ') });
  response.end();
}

/** An answer on an upgraded socket, which has no ServerResponse; the connection closes after it. */
export function writeRawResponse(socket: Duplex, httpVersion: string, status: number, headers: Record<string, string>, body: string): void {
  if (socket.destroyed) return;
  const lines = [`HTTP/${httpVersion} ${status} ${STATUS_CODES[status] ?? ''}`, 'Connection: close'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  socket.end(lines.join('\r\n') + '\r\n\r\n' + body);
}
