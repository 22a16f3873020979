import type { PeerFrame } from '@baro/protocol';

/** What the server made of one relayed batch. */
export type RelayOutcome = 'ok' | 'retry' | 'split' | { refused: string };

export interface RelayQueueOptions {
  /** Frames per relayed event at most. */
  maxBatch: number;
  /** Wait before sending a batch again that the server turned away for its rate limit, in ms. */
  retryDelay: number;
}

/**
 * The relay path's sender: frames queued in one tick leave as one event, and the next batch waits
 * for the server's answer to the last, so a batch refused for the rate limit is sent again before
 * anything after it and the order holds; a batch larger than the server's whole budget is split.
 * `clear` (the peer moved to the direct path) drops what
 * waits, and a late answer for a batch of the old generation is ignored.
 */
export class RelayQueue {
  readonly #send: (frames: PeerFrame[]) => Promise<RelayOutcome>;
  readonly #refused: (reason: string) => void;
  readonly #options: RelayQueueOptions;
  #queue: PeerFrame[] = [];
  /** Frames per batch now: halved each time the server finds a batch larger than its budget. */
  #batch: number;
  #busy = false;
  #generation = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(send: (frames: PeerFrame[]) => Promise<RelayOutcome>, refused: (reason: string) => void, options: RelayQueueOptions) {
    this.#send = send;
    this.#refused = refused;
    this.#options = options;
    this.#batch = options.maxBatch;
  }

  get waiting(): number {
    return this.#queue.length;
  }

  push(frame: PeerFrame): void {
    if (this.#closed) return;
    this.#queue.push(frame);
    if (this.#queue.length === 1 && !this.#busy) queueMicrotask(() => void this.#pump());
  }

  /** Drops what waits; an answer still to come for a batch in flight changes nothing. */
  clear(): void {
    this.#generation++;
    this.#queue = [];
    this.#busy = false;
    clearTimeout(this.#timer);
  }

  close(): void {
    this.clear();
    this.#closed = true;
  }

  async #pump(): Promise<void> {
    if (this.#busy || this.#closed || this.#queue.length === 0) return;
    this.#busy = true;
    const generation = this.#generation;
    const batch = this.#queue.splice(0, this.#batch);
    const outcome = await this.#send(batch);
    if (generation !== this.#generation) return;
    this.#busy = false;
    if (outcome === 'ok') return void this.#pump();
    if (outcome === 'split') {
      this.#queue.unshift(...batch);
      this.#batch = Math.max(1, Math.ceil(batch.length / 2));
      return void this.#pump();
    }
    if (outcome === 'retry') {
      this.#queue.unshift(...batch);
      this.#busy = true;
      this.#timer = setTimeout(() => {
        this.#busy = false;
        void this.#pump();
      }, this.#options.retryDelay);
      return;
    }
    this.close();
    this.#refused(outcome.refused);
  }
}
