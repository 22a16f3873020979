/**
 * Base64 for payloads, which may be megabytes: `btoa`/`atob` over binary strings (present in
 * browsers and Node ≥ 16) are far faster than building the string a character at a time, and keep
 * the handshake's own base64 out of browser bundles.
 */
export function encodeBytesBase64(bytes: Uint8Array): string {
  const SLICE = 0x8000;
  let binary = '';
  for (let i = 0; i < bytes.length; i += SLICE) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + SLICE) as unknown as number[]);
  }
  return btoa(binary);
}

const CANONICAL = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict decoding (the canonical encoding only), or null. */
export function decodeBytesBase64(text: string): Uint8Array | null {
  // atob forgives whitespace and missing padding; only the one canonical form is accepted here.
  if (!CANONICAL.test(text)) return null;
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return paddingBitsClear(text) ? bytes : null;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Non-zero bits under the padding would decode like another string: not canonical. */
function paddingBitsClear(text: string): boolean {
  if (!text.endsWith('=')) return true;
  const twoPads = text.endsWith('==');
  const last = ALPHABET.indexOf(text[text.length - (twoPads ? 3 : 2)]);
  return (last & (twoPads ? 0x0f : 0x03)) === 0;
}
