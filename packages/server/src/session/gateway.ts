import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { decodePositions } from '@baro/protocol';
import type { Refusal } from '../admission/refusal.js';
import { readQuery } from './query.js';

export type { Refusal };

/** The credentials and position a request carries (query string, headers). */
export interface SessionParams {
  sid: string | undefined;
  token: string | undefined;
  /** The highest server sequence number the client processed. */
  seq: number;
  /** The client's offsets in its streams by epoch (`pos`), or null when it sent none. */
  positions: ReadonlyMap<string, number> | null;
}

/** Reads `sid`, `token` (query or X-Baro-Token), `seq` (query or Last-Event-ID) and `pos` (query). */
export function readSessionParams(request: IncomingMessage): SessionParams | Refusal {
  const query = readQuery(request.url ?? '/');
  const sid = query.get('sid') ?? undefined;
  const headerToken = request.headers['x-baro-token'];
  const token = query.get('token') ?? (typeof headerToken === 'string' ? headerToken : undefined);
  const lastEventId = request.headers['last-event-id'];
  const seqText = typeof lastEventId === 'string' && lastEventId !== '' ? lastEventId : (query.get('seq') ?? '0');
  const seq = Number(seqText);
  if (!Number.isSafeInteger(seq) || seq < 0) return { ok: false, status: 400, reason: 'seq must be a non-negative integer' };
  if (sid !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(sid)) return { ok: false, status: 400, reason: 'malformed sid' };
  if (token !== undefined && token.length > 256) return { ok: false, status: 400, reason: 'malformed token' };
  const positionsText = query.get('pos');
  const positions = positionsText === null ? null : decodePositions(positionsText);
  if (positions === null && positionsText !== null) return { ok: false, status: 400, reason: 'malformed pos' };
  return { sid, token, seq, positions };
}

export function newSessionId(): string {
  return randomBytes(15).toString('base64url');
}

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Constant-time comparison, so a token cannot be guessed one character at a time. */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
