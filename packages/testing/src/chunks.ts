/**
 * Ways to cut a byte stream into chunks, so a codec can be shown to give the same events whatever
 * the network does to the bytes. Each result is a list of fresh copies (codecs may unmask in place).
 */
export function whole(bytes: Uint8Array): Uint8Array[] {
  return [bytes.slice()];
}

export function byteByByte(bytes: Uint8Array): Uint8Array[] {
  return Array.from(bytes, (_, i) => bytes.slice(i, i + 1));
}

/** Every split into two pieces: at 1, 2, …, length − 1. */
export function* everySplit(bytes: Uint8Array): Generator<Uint8Array[]> {
  for (let at = 1; at < bytes.length; at++) yield [bytes.slice(0, at), bytes.slice(at)];
}

/** All the ways above, named, for test titles. */
export function* allChunkings(bytes: Uint8Array): Generator<[string, Uint8Array[]]> {
  yield ['whole', whole(bytes)];
  yield ['byte by byte', byteByByte(bytes)];
  for (const pieces of everySplit(bytes)) yield [`split at ${pieces[0].length}`, pieces];
}

/** Random cuts from a seeded generator, for long streams. */
export function randomChunks(bytes: Uint8Array, random: () => number, maxChunk = 64): Uint8Array[] {
  const out: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const size = 1 + Math.floor(random() * maxChunk);
    out.push(bytes.slice(offset, offset + size));
    offset += size;
  }
  return out;
}

/** A small deterministic PRNG (mulberry32) so failures replay. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
