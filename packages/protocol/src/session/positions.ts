import type { StreamPosition } from './packets.js';

/** Longest `pos` query parameter a server reads; more streams than fit are replayed from their join. */
export const MAX_POSITIONS_TEXT = 8192;

/**
 * A client's positions in the streams it is in (docs/protocol.md, "Streams"): it processes a
 * stream message only past its position, so a message replayed or repeated by a switch is handled
 * once. Offsets in a stream need not be consecutive for one client (messages excluding it, or
 * volatile ones it missed, leave holes): the server's replay after the position is what fills the
 * gaps, so only "at or below" is a duplicate.
 */
export class StreamPositions {
  readonly #positions = new Map<string, StreamPosition>();

  get size(): number {
    return this.#positions.size;
  }

  get(stream: string): StreamPosition | undefined {
    return this.#positions.get(stream);
  }

  /** `["j", stream, epoch, offset]`: the server replays or sends everything after it. */
  join(stream: string, epoch: string, offset: number): void {
    this.#positions.set(stream, { epoch, offset });
  }

  leave(stream: string): void {
    this.#positions.delete(stream);
  }

  clear(): void {
    this.#positions.clear();
  }

  /** Whether a message is new (and advances the position); false for duplicates and unjoined streams. */
  accept(stream: string, offset: number): boolean {
    const position = this.#positions.get(stream);
    if (position === undefined || offset <= position.offset) return false;
    position.offset = offset;
    return true;
  }

  /** The `pos` query parameter: `{"<stream>":["<epoch>",<offset>],…}`. */
  encode(): string {
    const object: Record<string, [string, number]> = {};
    for (const [stream, { epoch, offset }] of this.#positions) object[stream] = [epoch, offset];
    return JSON.stringify(object);
  }
}

/** Reads a `pos` parameter; null when it is malformed (the caller refuses the request). */
export function decodePositions(text: string): Map<string, StreamPosition> | null {
  if (text.length > MAX_POSITIONS_TEXT) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const positions = new Map<string, StreamPosition>();
  for (const [stream, position] of Object.entries(value as Record<string, unknown>)) {
    if (!Array.isArray(position) || position.length !== 2) return null;
    const [epoch, offset] = position as unknown[];
    if (typeof epoch !== 'string' || typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) return null;
    positions.set(stream, { epoch, offset });
  }
  return positions;
}
