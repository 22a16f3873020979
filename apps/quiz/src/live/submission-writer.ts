import type { AppendResult, NewSubmission, QuizStore } from '../store/store.js';

interface Pending {
  input: NewSubmission;
  resolve: (result: AppendResult) => void;
  reject: (error: Error) => void;
}

/**
 * Group commit: answers that arrive in the same turn of the event loop are stored in one
 * transaction, so one fsync covers all of them. When 10,000 players answer at once this is the
 * difference between 10,000 disk flushes and a few dozen. A player is told "accepted" only after
 * the batch holding the answer has committed.
 *
 * A batch is also written as soon as it holds `maxBatch` answers: Node reads tens of thousands of
 * socket events in one turn when they are waiting, and the first players must not wait for the last.
 */
export class SubmissionWriter {
  readonly #store: QuizStore;
  readonly #maxBatch: number;
  #queue: Pending[] = [];
  #waiters: (() => void)[] = [];
  #scheduled = false;

  constructor(store: QuizStore, { maxBatch = 256 }: { maxBatch?: number } = {}) {
    this.#store = store;
    this.#maxBatch = maxBatch;
  }

  write(input: NewSubmission): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ input, resolve, reject });
      if (this.#queue.length >= this.#maxBatch) this.flush();
      else this.#schedule();
    });
  }

  /** Resolves once every answer queued so far is stored (or failed): e.g. before answering a retry. */
  settled(): Promise<void> {
    if (this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Stores what is queued now (on shutdown). */
  flush(): void {
    const batch = this.#queue;
    const waiters = this.#waiters;
    this.#queue = [];
    this.#waiters = [];
    this.#scheduled = false;
    if (batch.length > 0) {
      try {
        const results = this.#store.appendSubmissions(batch.map((p) => p.input));
        batch.forEach((p, i) => p.resolve(results[i]));
      } catch (error) {
        for (const p of batch) p.reject(error as Error);
      }
    }
    for (const resolve of waiters) resolve();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // setImmediate runs after the poll phase: every answer read from the sockets in this turn joins the batch.
    setImmediate(() => {
      if (this.#scheduled) this.flush();
    });
  }
}
