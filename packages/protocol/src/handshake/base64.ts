/**
 * Base64 (RFC 4648 §4, standard alphabet, with padding) for the handshake key and accept values.
 * `btoa`/`atob` work on "binary strings" and `atob` forgives missing padding and whitespace;
 * Buffer is Node-only. RFC 6455 §4.1 wants the key to be base64 of exactly 16 bytes, so decoding
 * here is strict: anything that is not the one canonical encoding of some bytes is refused.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const PADDING = '=';

/** Character code → 6-bit value, or -1 for characters outside the alphabet. */
const SEXTET_BY_CHAR_CODE = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();

export function encodeBase64(bytes: Uint8Array): string {
  let text = '';
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const triple = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    text +=
      ALPHABET[triple >>> 18] + ALPHABET[(triple >>> 12) & 63] + ALPHABET[(triple >>> 6) & 63] + ALPHABET[triple & 63];
  }
  const left = bytes.length - i;
  if (left === 1) {
    const first = bytes[i];
    text += ALPHABET[first >>> 2] + ALPHABET[(first & 3) << 4] + PADDING + PADDING;
  } else if (left === 2) {
    const pair = (bytes[i] << 8) | bytes[i + 1];
    text += ALPHABET[pair >>> 10] + ALPHABET[(pair >>> 4) & 63] + ALPHABET[(pair & 15) << 2] + PADDING;
  }
  return text;
}

/**
 * Strict decode: length a multiple of 4, only alphabet characters, `=` only as the final one or two
 * characters, and the unused bits before the padding zero (RFC 4648 §3.5, the canonical encoding).
 * Returns null for anything else, whitespace included.
 */
export function decodeBase64(text: string): Uint8Array | null {
  if (text.length % 4 !== 0) return null;
  let padding = 0;
  if (text.endsWith(PADDING + PADDING)) padding = 2;
  else if (text.endsWith(PADDING)) padding = 1;
  const dataLength = text.length - padding;

  const sextets = new Uint8Array(dataLength);
  for (let i = 0; i < dataLength; i++) {
    const code = text.charCodeAt(i);
    const sextet = code < 128 ? SEXTET_BY_CHAR_CODE[code] : -1;
    if (sextet < 0) return null;
    sextets[i] = sextet;
  }
  // The bits the padding stands for must be zero, or two spellings would decode to the same bytes.
  if (padding === 2 && (sextets[dataLength - 1] & 0b1111) !== 0) return null;
  if (padding === 1 && (sextets[dataLength - 1] & 0b11) !== 0) return null;

  const bytes = new Uint8Array((text.length / 4) * 3 - padding);
  let written = 0;
  let i = 0;
  for (; i + 4 <= dataLength; i += 4) {
    const quad = (sextets[i] << 18) | (sextets[i + 1] << 12) | (sextets[i + 2] << 6) | sextets[i + 3];
    bytes[written++] = quad >>> 16;
    bytes[written++] = (quad >>> 8) & 255;
    bytes[written++] = quad & 255;
  }
  if (padding === 2) {
    bytes[written] = (sextets[i] << 2) | (sextets[i + 1] >>> 4);
  } else if (padding === 1) {
    const triple = (sextets[i] << 12) | (sextets[i + 1] << 6) | sextets[i + 2];
    bytes[written++] = triple >>> 10;
    bytes[written] = (triple >>> 2) & 255;
  }
  return bytes;
}
