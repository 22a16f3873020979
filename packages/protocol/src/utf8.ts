/**
 * Streaming UTF-8 validation (RFC 3629 well-formed sequences: no overlongs, no surrogates, ≤ U+10FFFF).
 * Streaming so that a text message split across fragments fails as soon as a bad byte arrives
 * (RFC 6455 §8.1), not after the whole message has been buffered.
 */
export class Utf8Validator {
  #needed = 0;
  #lower = 0x80;
  #upper = 0xbf;

  /** Feeds bytes; false as soon as they can't be part of valid UTF-8. */
  write(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
    let needed = this.#needed;
    let lower = this.#lower;
    let upper = this.#upper;
    for (let i = start; i < end; i++) {
      const byte = bytes[i];
      if (needed === 0) {
        if (byte < 0x80) continue;
        if (byte < 0xc2) return false;
        if (byte < 0xe0) {
          needed = 1;
        } else if (byte < 0xf0) {
          needed = 2;
          if (byte === 0xe0) lower = 0xa0; // overlong 3-byte forms
          else if (byte === 0xed) upper = 0x9f; // UTF-16 surrogates
        } else if (byte < 0xf5) {
          needed = 3;
          if (byte === 0xf0) lower = 0x90; // overlong 4-byte forms
          else if (byte === 0xf4) upper = 0x8f; // above U+10FFFF
        } else {
          return false;
        }
      } else {
        if (byte < lower || byte > upper) return false;
        lower = 0x80;
        upper = 0xbf;
        needed--;
      }
    }
    this.#needed = needed;
    this.#lower = lower;
    this.#upper = upper;
    return true;
  }

  /** True when no multi-byte sequence is left open. */
  get complete(): boolean {
    return this.#needed === 0;
  }

  reset(): void {
    this.#needed = 0;
    this.#lower = 0x80;
    this.#upper = 0xbf;
  }
}

/** Whole-buffer check. The I/O layer may inject a faster one (Node's `buffer.isUtf8`). */
export function isValidUtf8(bytes: Uint8Array): boolean {
  const validator = new Utf8Validator();
  return validator.write(bytes) && validator.complete;
}

export type Utf8Check = (bytes: Uint8Array) => boolean;
