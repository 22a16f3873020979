/** Below this many bytes a plain byte loop beats setting up a word view. */
const WORD_THRESHOLD = 64;
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * XORs `bytes[start, end)` with the 4-byte `mask`, in place (RFC 6455 §5.3), as if the payload
 * began `maskOffset` bytes before `start`. Long runs go 4 bytes at a time through a Uint32Array
 * view of the aligned middle, which is several times faster than a byte loop.
 */
export function applyMask(bytes: Uint8Array, mask: Uint8Array, maskOffset = 0, start = 0, end = bytes.length): void {
  let i = start;
  let phase = maskOffset & 3;
  if (end - start >= WORD_THRESHOLD) {
    // Bytes up to the first 4-byte aligned address.
    while (((bytes.byteOffset + i) & 3) !== 0) {
      bytes[i++] ^= mask[phase];
      phase = (phase + 1) & 3;
    }
    const words = (end - i) >>> 2;
    const view = new Uint32Array(bytes.buffer, bytes.byteOffset + i, words);
    const b0 = mask[phase];
    const b1 = mask[(phase + 1) & 3];
    const b2 = mask[(phase + 2) & 3];
    const b3 = mask[(phase + 3) & 3];
    const word = littleEndian ? (b0 | (b1 << 8) | (b2 << 16) | (b3 << 24)) >>> 0 : ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
    let w = 0;
    for (const unrolled = words - 3; w < unrolled; w += 4) {
      view[w] ^= word;
      view[w + 1] ^= word;
      view[w + 2] ^= word;
      view[w + 3] ^= word;
    }
    for (; w < words; w++) view[w] ^= word;
    i += words << 2;
  }
  for (; i < end; i++) {
    bytes[i] ^= mask[phase];
    phase = (phase + 1) & 3;
  }
}

const POOL_SIZE = 8192;
let pool = new Uint8Array(0);
let poolOffset = 0;

/**
 * A fresh, unpredictable 4-byte masking key (RFC 6455 §5.3 requires a strong source).
 * Random bytes are drawn in batches: one getRandomValues call per 2,048 frames.
 */
export function randomMask(): Uint8Array {
  if (poolOffset + 4 > pool.length) {
    pool = new Uint8Array(POOL_SIZE);
    globalThis.crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const mask = pool.subarray(poolOffset, poolOffset + 4);
  poolOffset += 4;
  return mask;
}
