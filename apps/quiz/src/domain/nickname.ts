/** Nickname rules: validation and case-insensitive uniqueness. Pure. */

export const NICKNAME_MAX_LENGTH = 20;

export type NicknameResult = { ok: true; nickname: string } | { ok: false; reason: string };

/** Letters and marks of any script, digits, space, `_`, `-`, `.`. */
const ALLOWED = /^[\p{L}\p{M}\p{Nd} _.\-]+$/u;

/**
 * Validate a nickname: NFC-normalised, trimmed, inner space runs collapsed to one space,
 * 1–20 characters (code points), only letters/digits (any script), spaces, `_`, `-`, `.`
 * (so no control or format characters).
 */
export function validateNickname(raw: unknown): NicknameResult {
  if (typeof raw !== 'string') return { ok: false, reason: 'nickname must be a string' };
  const nickname = raw.normalize('NFC').trim().replace(/ {2,}/g, ' ');
  const length = [...nickname].length;
  if (length === 0) return { ok: false, reason: 'nickname is empty' };
  if (length > NICKNAME_MAX_LENGTH) {
    return { ok: false, reason: `nickname is longer than ${NICKNAME_MAX_LENGTH} characters` };
  }
  if (!ALLOWED.test(nickname)) {
    return { ok: false, reason: 'nickname may only contain letters, digits, spaces, "_", "-" and "."' };
  }
  return { ok: true, nickname };
}

/** The key two nicknames collide on: NFKC, lower case, single spaces. */
export function nicknameKey(nickname: string): string {
  return nickname.normalize('NFKC').toLowerCase().trim().replace(/\s+/g, ' ');
}
