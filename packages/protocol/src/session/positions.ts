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

  /**
   * The `pos` query parameter: `<epoch>.<offset>` per stream, comma-separated. Epochs are random
   * per stream, so they name it: no stream names (which would need escaping) ride on every poll.
   */
  encode(): string {
    const parts: string[] = [];
    for (const { epoch, offset } of this.#positions.values()) parts.push(`${epoch}.${offset}`);
    return parts.join(',');
  }
}

/** What an epoch looks like: URL-safe, so `pos` needs no escaping. */
export const EPOCH_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** Reads a `pos` parameter into offsets by epoch; null when it is malformed (the caller refuses the request). */
export function decodePositions(text: string): Map<string, number> | null {
  if (text.length > MAX_POSITIONS_TEXT) return null;
  const positions = new Map<string, number>();
  if (text === '') return positions;
  for (const part of text.split(',')) {
    const dot = part.lastIndexOf('.');
    const epoch = part.slice(0, dot);
    const offset = Number(part.slice(dot + 1));
    if (dot <= 0 || !EPOCH_PATTERN.test(epoch) || !/^\d+$/.test(part.slice(dot + 1)) || !Number.isSafeInteger(offset)) return null;
    positions.set(epoch, offset);
  }
  return positions;
}
