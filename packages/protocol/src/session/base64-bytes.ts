import { decodeBase64 } from '../handshake/base64.js';

/**
 * Base64 for payloads, which may be megabytes: `btoa` over 32 KiB slices (present in browsers and
 * Node ≥ 16) is far faster than building the string a character at a time.
 */
export function encodeBytesBase64(bytes: Uint8Array): string {
  const SLICE = 0x8000;
  let binary = '';
  for (let i = 0; i < bytes.length; i += SLICE) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + SLICE) as unknown as number[]);
  }
  return btoa(binary);
}

/** Strict decoding (the canonical encoding only), or null. */
export function decodeBytesBase64(text: string): Uint8Array | null {
  if (text.length < 4096) return decodeBase64(text);
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return null;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  // atob forgives missing padding and whitespace; the canonical form must round-trip.
  if (text.length !== Math.ceil(bytes.length / 3) * 4 || /\s/.test(text)) return null;
  return bytes;
}
