/**
 * Test helpers that read frames back off the wire, independently of `FrameParser`, so that tests
 * can look at what an encoder or a connection really wrote: header bits, the masking key, the
 * unmasked payload. Test-only: no node:* imports (this folder builds with the codec's tsconfig).
 */

export interface WireFrame {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  /** The masking key, or null for an unmasked frame. */
  key: Uint8Array | null;
  /** The payload, unmasked (a copy). */
  payload: Uint8Array;
  /** Header length in bytes (2, 4 or 10, plus 4 when masked). */
  headerLength: number;
}

export const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const part of parts) total += part.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Splits a byte stream into frames. Throws when the stream ends inside a frame or a 64-bit length
 * is not a safe integer: what a correct writer produces always reads back whole.
 */
export function readWireFrames(bytes: Uint8Array): WireFrame[] {
  const frames: WireFrame[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const start = pos;
    if (bytes.length - pos < 2) throw new Error(`truncated header at ${start}`);
    const b0 = bytes[pos];
    const b1 = bytes[pos + 1];
    pos += 2;
    let length = b1 & 0x7f;
    if (length === 126) {
      if (bytes.length - pos < 2) throw new Error(`truncated 16-bit length at ${start}`);
      length = (bytes[pos] << 8) | bytes[pos + 1];
      pos += 2;
    } else if (length === 127) {
      if (bytes.length - pos < 8) throw new Error(`truncated 64-bit length at ${start}`);
      let big = 0n;
      for (let i = 0; i < 8; i++) big = (big << 8n) | BigInt(bytes[pos + i]);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`64-bit length ${big} at ${start}`);
      length = Number(big);
      pos += 8;
    }
    let key: Uint8Array | null = null;
    if ((b1 & 0x80) !== 0) {
      if (bytes.length - pos < 4) throw new Error(`truncated masking key at ${start}`);
      key = bytes.slice(pos, pos + 4);
      pos += 4;
    }
    const headerLength = pos - start;
    if (bytes.length - pos < length) throw new Error(`truncated payload at ${start}: ${length} declared, ${bytes.length - pos} left`);
    const payload = bytes.slice(pos, pos + length);
    if (key !== null) for (let i = 0; i < payload.length; i++) payload[i] ^= key[i & 3];
    pos += length;
    frames.push({
      fin: (b0 & 0x80) !== 0,
      rsv1: (b0 & 0x40) !== 0,
      rsv2: (b0 & 0x20) !== 0,
      rsv3: (b0 & 0x10) !== 0,
      opcode: b0 & 0x0f,
      key,
      payload,
      headerLength,
    });
  }
  return frames;
}
