/** Bounded waiting: every wait in these suites ends, with a message that says what never came. */

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `predicate` (sync or async) every `every` ms until it holds; fails after `timeout` ms with
 * `what`, and with `detail()` when given (what was seen instead).
 */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  what: string,
  { timeout = 5000, every = 10, detail }: { timeout?: number; every?: number; detail?: () => unknown } = {},
): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) {
      const seen = detail ? `; saw ${JSON.stringify(await detail())}` : '';
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${seen}`);
    }
    await sleep(every);
  }
}

/** Races `promise` against a timer; the timer never keeps the process alive. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** 1, 2, …, n */
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

/**
 * What went wrong with a numbered stream that should be exactly 1..n: the first position that
 * differs, duplicates and missing numbers (short, for assertion messages).
 */
export function sequenceReport(got: readonly number[], n: number): string {
  const firstBad = got.findIndex((value, index) => value !== index + 1);
  const seen = new Map<number, number>();
  for (const value of got) seen.set(value, (seen.get(value) ?? 0) + 1);
  const duplicates = [...seen].filter(([, count]) => count > 1).map(([value]) => value);
  const missing = range(n).filter((value) => !seen.has(value));
  return (
    `${got.length} received of ${n}; first out of place at index ${firstBad} (value ${got[firstBad]}); ` +
    `${duplicates.length} duplicated (${duplicates.slice(0, 10).join(', ')}); ${missing.length} missing (${missing.slice(0, 10).join(', ')})`
  );
}
