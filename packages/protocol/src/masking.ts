/** XORs `bytes[start, end)` with the 4-byte `mask`, in place (RFC 6455 §5.3), continuing at `maskOffset`. */
export function applyMask(bytes: Uint8Array, mask: Uint8Array, maskOffset = 0, start = 0, end = bytes.length): void {
  const m0 = mask[maskOffset & 3];
  const m1 = mask[(maskOffset + 1) & 3];
  const m2 = mask[(maskOffset + 2) & 3];
  const m3 = mask[(maskOffset + 3) & 3];
  let i = start;
  const fastEnd = end - 3;
  for (; i < fastEnd; i += 4) {
    bytes[i] ^= m0;
    bytes[i + 1] ^= m1;
    bytes[i + 2] ^= m2;
    bytes[i + 3] ^= m3;
  }
  if (i < end) bytes[i++] ^= m0;
  if (i < end) bytes[i++] ^= m1;
  if (i < end) bytes[i] ^= m2;
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
