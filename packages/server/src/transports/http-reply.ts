import type { ServerResponse } from 'node:http';
import type { Refusal } from '../session/gateway.js';
import { closeLingering } from './lingering-close.js';

/** Headers a response of the HTTP transports carries besides its own (CORS, mostly). */
export type ExtraHeaders = Readonly<Record<string, string>>;

/** The shape of a refusal: `ok: false` with a status; a session or admission has no `ok`. */
export function isRefusal(value: object): value is Refusal {
  return 'ok' in value && (value as { ok: unknown }).ok === false;
}

/**
 * Answers with a small `text/plain` body holding the reason; the refusal's own headers (e.g.
 * `Retry-After`) pass through. With `close`, the connection ends after the answer instead of
 * serving another request: it lingers (see closeLingering) while the rest of the body is read and
 * dropped, so a client still sending it reads the answer instead of failing with EPIPE.
 */
export function refuse(response: ServerResponse, refusal: Pick<Refusal, 'status' | 'reason' | 'headers'>, extra: ExtraHeaders = {}, close = false): void {
  if (response.writableEnded || response.destroyed) return;
  if (response.headersSent) {
    // Too late for a status: cutting the response short is the only way left to say it failed.
    response.destroy();
    return;
  }
  const body = `${refusal.reason}\n`;
  response.writeHead(refusal.status, {
    ...extra,
    ...refusal.headers,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
    ...(close ? { Connection: 'close' } : {}),
  });
  if (close) {
    closeLingering(response.socket);
    // A body the caller stopped reading (paused past a limit) is drained and dropped.
    response.req?.resume();
  }
  response.end(body);
}

/** Packet texts as an `application/x-ndjson` body: one packet per line. */
/** An `application/x-ndjson` answer from lines already encoded (each ends with `\n`). */
export function answerLines(response: ServerResponse, lines: readonly Buffer[], extra: ExtraHeaders = {}): void {
  if (response.headersSent || response.destroyed) return;
  const body = lines.length === 1 ? lines[0] : Buffer.concat(lines);
  response.writeHead(200, {
    ...extra,
    'Content-Type': 'application/x-ndjson; charset=utf-8',
    'Content-Length': String(body.length),
    'Cache-Control': 'no-store',
  });
  response.end(body);
}

export function answerPackets(response: ServerResponse, texts: readonly string[], extra: ExtraHeaders = {}): void {
  if (response.headersSent || response.destroyed) return;
  const body = texts.length === 0 ? '' : `${texts.join('\n')}\n`;
  response.writeHead(200, {
    ...extra,
    'Content-Type': 'application/x-ndjson; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
  });
  response.end(body);
}
