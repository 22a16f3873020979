interface Pending<I, R> {
  input: I;
  resolve: (result: R) => void;
  reject: (error: Error) => void;
}

/**
 * Group commit: writes that arrive in the same turn of the event loop are stored in one
 * transaction, so one fsync covers all of them. When 10,000 players answer (or join) at once this
 * is the difference between 10,000 disk flushes, each blocking the event loop for most of a
 * millisecond, and a few dozen. A caller's promise resolves only after the batch holding its write
 * has committed, so nobody is told "stored" before it is.
 *
 * A batch is also written as soon as it holds `maxBatch` writes: Node reads tens of thousands of
 * socket events in one turn when they are waiting, and the first players must not wait for the last.
 *
 * `delayMs` (PostgreSQL's commit_delay) holds a batch open that long after its first write, for
 * writes that trickle in over several turns, such as joins (each comes after its own handshake),
 * where a few milliseconds go unnoticed. Answers use none: they arrive together, and speed counts.
 */
export class GroupCommit<I, R> {
  readonly #commit: (inputs: readonly I[]) => R[];
  readonly #maxBatch: number;
  readonly #delayMs: number;
  #queue: Pending<I, R>[] = [];
  #waiters: (() => void)[] = [];
  #scheduled = false;

  /** `commit` stores a batch in one transaction and returns a result per input, in order; if it throws, every write in the batch fails. */
  constructor(commit: (inputs: readonly I[]) => R[], { maxBatch = 256, delayMs = 0 }: { maxBatch?: number; delayMs?: number } = {}) {
    this.#commit = commit;
    this.#maxBatch = maxBatch;
    this.#delayMs = delayMs;
  }

  write(input: I): Promise<R> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ input, resolve, reject });
      if (this.#queue.length >= this.#maxBatch) this.flush();
      else this.#schedule();
    });
  }

  /** Resolves once every write queued so far is stored (or failed): e.g. before answering a retry. */
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
        const results = this.#commit(batch.map((p) => p.input));
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
    const flush = () => {
      if (this.#scheduled) this.flush();
    };
    // setImmediate runs after the poll phase: every write read from the sockets in this turn joins the batch.
    if (this.#delayMs > 0) setTimeout(flush, this.#delayMs);
    else setImmediate(flush);
  }
}
