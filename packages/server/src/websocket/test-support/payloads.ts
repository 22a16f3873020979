/** Deterministic test payloads and a byte comparison that never prints megabytes. */
import assert from 'node:assert/strict';
import { seededRandom } from '@baro/testing';

/** `length` pseudo-random bytes from `seed`. */
export function binaryPayload(length: number, seed = 1): Buffer {
  const random = seededRandom(seed);
  const out = Buffer.allocUnsafe(length);
  let i = 0;
  // Four bytes per draw keeps 16 MiB fast.
  for (; i + 4 <= length; i += 4) out.writeUInt32LE(Math.floor(random() * 0x1_0000_0000), i);
  for (; i < length; i++) out[i] = Math.floor(random() * 256);
  return out;
}

const SAMPLES = ['a', 'b', ' ', 'z', 'é', 'ß', '€', '✓', '😀', '𝄞'];

/**
 * A string whose UTF-8 encoding is exactly `byteLength` bytes: a repeating mix of 1- to 4-byte
 * characters (so multi-byte sequences straddle frame and chunk boundaries), padded with ASCII.
 */
export function textPayload(byteLength: number, seed = 1): string {
  const random = seededRandom(seed);
  // A short random block repeated: varied enough to cross boundaries, compressible enough for deflate.
  const parts: string[] = [];
  let blockBytes = 0;
  while (blockBytes < 4096) {
    const char = SAMPLES[Math.floor(random() * SAMPLES.length)];
    parts.push(char);
    blockBytes += Buffer.byteLength(char);
  }
  const block = parts.join('');
  const out: string[] = [];
  let bytes = 0;
  const size = Buffer.byteLength(block);
  while (bytes + size <= byteLength) {
    out.push(block);
    bytes += size;
  }
  for (const char of block) {
    const charSize = Buffer.byteLength(char);
    if (bytes + charSize > byteLength) break;
    out.push(char);
    bytes += charSize;
  }
  out.push('x'.repeat(byteLength - bytes));
  const text = out.join('');
  assert.equal(Buffer.byteLength(text), byteLength);
  return text;
}

/** Byte-for-byte equality, reported by length and first difference rather than a dump. */
export function assertSameBytes(actual: Uint8Array, expected: Uint8Array, what = 'payload'): void {
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  const e = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  if (a.equals(e)) return;
  let at = 0;
  while (at < a.length && at < e.length && a[at] === e[at]) at++;
  assert.fail(`${what}: got ${a.length} bytes, want ${e.length}; first difference at byte ${at}`);
}
