/**
 * SHA-1 (FIPS 180-4 §6.1) over bytes. The handshake needs it for exactly one thing,
 * `Sec-WebSocket-Accept` (RFC 6455 §4.2.2 item 5.4), and this package may not import `node:crypto`,
 * while WebCrypto's digest is asynchronous. SHA-1 is broken for collision resistance; the
 * handshake only uses it to prove the server read the key, which it still does.
 */

const BLOCK_BYTES = 64;
/** The last 8 bytes of the final block carry the message length in bits (FIPS 180-4 §5.1.1). */
const LENGTH_FIELD_BYTES = 8;

export function sha1(message: Uint8Array): Uint8Array {
  // Initial hash value, FIPS 180-4 §5.3.1. Int32Array wraps every addition modulo 2^32 for us.
  const state = new Int32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]);
  const schedule = new Int32Array(80);

  const fullBlocksEnd = message.length - (message.length % BLOCK_BYTES);
  for (let offset = 0; offset < fullBlocksEnd; offset += BLOCK_BYTES) {
    compressBlock(state, schedule, message, offset);
  }

  // Padding (FIPS 180-4 §5.1.1): the rest of the message, a 1 bit, zeros, then the bit length.
  // Built separately so the message itself is never copied.
  const remaining = message.length - fullBlocksEnd;
  const tailLength = remaining + 1 + LENGTH_FIELD_BYTES <= BLOCK_BYTES ? BLOCK_BYTES : 2 * BLOCK_BYTES;
  const tail = new Uint8Array(tailLength);
  tail.set(message.subarray(fullBlocksEnd));
  tail[remaining] = 0x80;
  const bitLengthHigh = Math.floor(message.length / 0x20000000); // (length * 8) / 2^32
  const bitLengthLow = (message.length * 8) >>> 0; // (length * 8) mod 2^32
  writeUint32BigEndian(tail, tailLength - 8, bitLengthHigh);
  writeUint32BigEndian(tail, tailLength - 4, bitLengthLow);
  for (let offset = 0; offset < tailLength; offset += BLOCK_BYTES) {
    compressBlock(state, schedule, tail, offset);
  }

  const digest = new Uint8Array(20);
  for (let i = 0; i < 5; i++) writeUint32BigEndian(digest, i * 4, state[i]);
  return digest;
}

/** One round of the compression function, FIPS 180-4 §6.1.2. */
function compressBlock(state: Int32Array, schedule: Int32Array, bytes: Uint8Array, offset: number): void {
  for (let t = 0; t < 16; t++) {
    const at = offset + t * 4;
    schedule[t] = (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
  }
  for (let t = 16; t < 80; t++) {
    schedule[t] = rotateLeft(schedule[t - 3] ^ schedule[t - 8] ^ schedule[t - 14] ^ schedule[t - 16], 1);
  }

  let a = state[0];
  let b = state[1];
  let c = state[2];
  let d = state[3];
  let e = state[4];
  for (let t = 0; t < 80; t++) {
    // f_t and K_t, FIPS 180-4 §4.1.1 and §4.2.1.
    let mix: number;
    let constant: number;
    if (t < 20) {
      mix = (b & c) | (~b & d);
      constant = 0x5a827999;
    } else if (t < 40) {
      mix = b ^ c ^ d;
      constant = 0x6ed9eba1;
    } else if (t < 60) {
      mix = (b & c) | (b & d) | (c & d);
      constant = 0x8f1bbcdc;
    } else {
      mix = b ^ c ^ d;
      constant = 0xca62c1d6;
    }
    const next = (rotateLeft(a, 5) + mix + e + constant + schedule[t]) | 0;
    e = d;
    d = c;
    c = rotateLeft(b, 30);
    b = a;
    a = next;
  }
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
  state[4] += e;
}

function rotateLeft(word: number, bits: number): number {
  return (word << bits) | (word >>> (32 - bits));
}

function writeUint32BigEndian(target: Uint8Array, offset: number, value: number): void {
  target[offset] = value >>> 24;
  target[offset + 1] = value >>> 16;
  target[offset + 2] = value >>> 8;
  target[offset + 3] = value;
}
