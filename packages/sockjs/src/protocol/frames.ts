/**
 * SockJS frames as every transport carries them: `o` (open), `h` (heartbeat), `a[...]` (messages)
 * and `c[code,"reason"]` (close). Transports only wrap these strings (see transport-framing.ts).
 */

export const OPEN_FRAME = 'o';
export const HEARTBEAT_FRAME = 'h';

/**
 * The characters sockjs-node escapes as \uXXXX beyond what JSON.stringify does: controls, lone and
 * paired surrogates, and the invisible formatting ranges some proxies and browsers drop or mangle.
 * Copied from sockjs 0.3.24 lib/utils.js so both servers put the same bytes on the wire.
 */
const ESCAPABLE = /[\x00-\x1f\ud800-\udfff\u200c-\u200f\u2028-\u202f\u2060-\u206f\ufff0-\uffff]/g;

function escapeCodeUnit(unit: string): string {
  return '\\u' + unit.charCodeAt(0).toString(16).padStart(4, '0');
}

/** JSON string literal of `text` with the escapes above. */
export function quote(text: string): string {
  const quoted = JSON.stringify(text);
  ESCAPABLE.lastIndex = 0;
  if (!ESCAPABLE.test(quoted)) return quoted;
  return quoted.replace(ESCAPABLE, escapeCodeUnit);
}

export function messageFrame(messages: readonly string[]): string {
  return 'a[' + messages.map(quote).join(',') + ']';
}

export function closeFrame(code: number, reason: string): string {
  return 'c' + JSON.stringify([code, reason]);
}

/** Close codes and reasons the protocol itself uses. */
export const CLOSE_GO_AWAY = { code: 3000, reason: 'Go away!' } as const;
export const CLOSE_ANOTHER_CONNECTION = { code: 2010, reason: 'Another connection still open' } as const;
export const CLOSE_NORMAL = { code: 1000, reason: 'Normal closure' } as const;
export const CLOSE_BROKEN_FRAMING = { code: 3000, reason: 'Broken framing.' } as const;
