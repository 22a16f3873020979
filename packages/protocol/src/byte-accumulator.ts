/**
 * Collects the pieces of one message. One piece stays a zero-copy view; more pieces are copied into
 * a buffer that doubles as bytes arrive, so memory tracks what was received (never what a header
 * merely declared) and a flood of tiny pieces costs amortised O(1) each, not an ever-growing list.
 */
export class ByteAccumulator {
  #view: Uint8Array | null = null;
  #owned: Uint8Array | null = null;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** `capacityLimit` caps growth (the message limit); appends never exceed it because the parser checks first. */
  append(piece: Uint8Array, capacityLimit: number): void {
    if (this.#length === 0 && this.#owned === null) {
      this.#view = piece;
      this.#length = piece.length;
      return;
    }
    const needed = this.#length + piece.length;
    if (this.#owned === null || this.#owned.length < needed) {
      const grown = new Uint8Array(Math.min(Math.max(needed, this.#length * 2, 256), Math.max(capacityLimit, needed)));
      grown.set(this.#owned === null ? this.#view!.subarray(0, this.#length) : this.#owned.subarray(0, this.#length));
      this.#owned = grown;
      this.#view = null;
    }
    this.#owned.set(piece, this.#length);
    this.#length = needed;
  }

  /** The bytes so far; resets the accumulator. */
  take(): Uint8Array {
    const bytes = this.#owned !== null ? this.#owned.subarray(0, this.#length) : (this.#view ?? EMPTY);
    this.#view = null;
    this.#owned = null;
    this.#length = 0;
    return bytes;
  }
}

export const EMPTY = new Uint8Array(0);
