/**
 * Bounds how many zlib jobs run at once, across every connection of the process.
 *
 * Node's zlib streams do their work on libuv's thread pool, one pool for the whole process.
 * Thousands of connections inflating at the same time fragment memory badly
 * (nodejs/node#8871, websockets/ws#1202), so like ws's `lib/limiter.js` we let a fixed number of
 * jobs run and queue the rest, first in first out. A job is one whole message: compressing it or
 * inflating it.
 */
export class ZlibLimiter {
  /** The most jobs that may run at once. */
  readonly concurrency: number;

  #running = 0;
  /** FIFO of jobs waiting for a slot; `#head` is the next one to start (no O(n) `shift`). */
  #waiting: Array<() => void> = [];
  #head = 0;

  constructor(concurrency = DEFAULT_ZLIB_CONCURRENCY) {
    if (!(concurrency === Infinity || (Number.isSafeInteger(concurrency) && concurrency >= 1))) {
      throw new RangeError(`ZlibLimiter concurrency must be a positive integer, got ${concurrency}`);
    }
    this.concurrency = concurrency;
  }

  /** Jobs running now. */
  get running(): number {
    return this.#running;
  }

  /** Jobs waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length - this.#head;
  }

  /**
   * Runs `job` as soon as a slot is free and settles with its result. The slot is held until the
   * promise `job` returns settles. A job that throws synchronously counts as a rejection.
   */
  run<T>(job: () => Promise<T> | T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        this.#running++;
        let result: Promise<T>;
        try {
          result = Promise.resolve(job());
        } catch (error) {
          result = Promise.reject(error);
        }
        result.then(
          (value) => {
            this.#release();
            resolve(value);
          },
          (error: unknown) => {
            this.#release();
            reject(error);
          },
        );
      };
      if (this.#running < this.concurrency) start();
      else this.#waiting.push(start);
    });
  }

  #release(): void {
    this.#running--;
    if (this.#head === this.#waiting.length) return;
    const next = this.#waiting[this.#head]!;
    this.#waiting[this.#head] = noop; // drop the reference so the finished closure can be collected
    this.#head++;
    if (this.#head === this.#waiting.length) {
      this.#waiting.length = 0;
      this.#head = 0;
    } else if (this.#head >= COMPACT_AFTER && this.#head * 2 >= this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
    next();
  }
}

/** ws's default: enough to keep the thread pool (4 threads by default) busy, few enough to stay calm. */
export const DEFAULT_ZLIB_CONCURRENCY = 10;

/** One limiter for the whole process: the thread pool it protects is process-wide too. */
export const defaultZlibLimiter = new ZlibLimiter();

const COMPACT_AFTER = 1024;

function noop(): void {}
