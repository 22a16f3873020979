/**
 * What the browser keeps between visits: a player's seat per join code (to come back to it after a
 * reload) and the host's sign-in token (never the password). Storage can be unavailable (private
 * modes, blocked cookies); the app then still works for the current page view.
 */

export interface Seat {
  liveId: string;
  playerId: string;
  secret: string;
  nickname: string;
}

const seatKey = (code: string): string => `baro-quiz:seat:${code}`;
const TOKEN_KEY = 'baro-quiz:host-token';
/** Where earlier versions kept the host password itself: removed on sight. */
const LEGACY_PASSWORD_KEY = 'baro-quiz:host-password';

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Not kept: the next reload asks again.
  }
}

function isSeat(value: unknown): value is Seat {
  if (typeof value !== 'object' || value === null) return false;
  const seat = value as Record<string, unknown>;
  return ['liveId', 'playerId', 'secret', 'nickname'].every((key) => typeof seat[key] === 'string');
}

export function loadSeat(code: string): Seat | null {
  try {
    const value: unknown = JSON.parse(read(seatKey(code)) ?? 'null');
    return isSeat(value) ? value : null;
  } catch {
    return null;
  }
}

export function saveSeat(code: string, seat: Seat): void {
  write(seatKey(code), JSON.stringify(seat));
}

export function forgetSeat(code: string): void {
  write(seatKey(code), null);
}

export interface HostToken {
  token: string;
  expiresAt: number;
}

/** The host's token, unless it has expired. */
export function loadHostToken(): HostToken | null {
  write(LEGACY_PASSWORD_KEY, null);
  try {
    const value = JSON.parse(read(TOKEN_KEY) ?? 'null') as Partial<HostToken> | null;
    if (typeof value?.token === 'string' && typeof value.expiresAt === 'number' && value.expiresAt > Date.now()) return value as HostToken;
  } catch {
    // Unreadable: as if none.
  }
  forgetHostToken();
  return null;
}

export const saveHostToken = (token: HostToken): void => write(TOKEN_KEY, JSON.stringify(token));
export const forgetHostToken = (): void => write(TOKEN_KEY, null);
