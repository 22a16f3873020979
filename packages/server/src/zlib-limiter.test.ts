import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_ZLIB_CONCURRENCY, ZlibLimiter, defaultZlibLimiter } from './zlib-limiter.js';

/** Submits `count` jobs that each take a little while, recording start order and peak concurrency. */
async function runMeasured(limiter: ZlibLimiter, count: number, delayMs: (index: number) => number) {
  let running = 0;
  let peak = 0;
  const started: number[] = [];
  const results = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      limiter.run(async () => {
        started.push(index);
        running++;
        peak = Math.max(peak, running);
        await sleep(delayMs(index));
        running--;
        return index * 2;
      }),
    ),
  );
  return { peak, started, results };
}

describe('ZlibLimiter', () => {
  test('never runs more than its bound at once, and runs every job', async () => {
    const limiter = new ZlibLimiter(3);
    const { peak, started, results } = await runMeasured(limiter, 40, (i) => (i * 7) % 5);
    assert.equal(peak, 3);
    assert.equal(started.length, 40);
    assert.deepEqual(results, Array.from({ length: 40 }, (_, i) => i * 2));
    assert.equal(limiter.running, 0);
    assert.equal(limiter.waiting, 0);
  });

  test('starts queued jobs in FIFO order', async () => {
    for (const concurrency of [1, 2, 5]) {
      const limiter = new ZlibLimiter(concurrency);
      const { started } = await runMeasured(limiter, 30, (i) => (i * 3) % 4);
      assert.deepEqual(started, Array.from({ length: 30 }, (_, i) => i), `concurrency ${concurrency}`);
    }
  });

  test('reports running and waiting jobs', async () => {
    const limiter = new ZlibLimiter(2);
    const gates: Array<() => void> = [];
    const done = Array.from({ length: 5 }, () => limiter.run(() => new Promise<void>((open) => gates.push(open))));
    assert.equal(limiter.running, 2);
    assert.equal(limiter.waiting, 3);
    while (limiter.running > 0) {
      gates.shift()!();
      await sleep(0);
    }
    await Promise.all(done);
    assert.equal(limiter.waiting, 0);
  });

  test('a job that rejects or throws frees its slot; the others still run', async () => {
    const limiter = new ZlibLimiter(1);
    const failing = limiter.run(() => Promise.reject(new Error('async boom')));
    const throwing = limiter.run((): number => {
      throw new Error('sync boom');
    });
    const fine = limiter.run(() => 42);
    await assert.rejects(failing, /async boom/);
    await assert.rejects(throwing, /sync boom/);
    assert.equal(await fine, 42);
    assert.equal(limiter.running, 0);
  });

  test('a long queue drains in order (exercises queue compaction)', async () => {
    const limiter = new ZlibLimiter(1);
    const started: number[] = [];
    await Promise.all(
      Array.from({ length: 5000 }, (_, index) =>
        limiter.run(async () => {
          started.push(index);
        }),
      ),
    );
    assert.equal(started.length, 5000);
    assert.ok(started.every((value, index) => value === index));
  });

  test('Infinity means no bound', async () => {
    const { peak } = await runMeasured(new ZlibLimiter(Infinity), 25, () => 2);
    assert.equal(peak, 25);
  });

  test('rejects a bound that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => new ZlibLimiter(bad), RangeError, String(bad));
    }
  });

  test('the shared default instance allows 10 jobs, like ws', () => {
    assert.equal(DEFAULT_ZLIB_CONCURRENCY, 10);
    assert.equal(defaultZlibLimiter.concurrency, 10);
  });
});
