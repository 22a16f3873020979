import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoff, DEFAULT_RECONNECT } from './backoff.js';

const noJitter = { ...DEFAULT_RECONNECT, jitter: 0 };

test('backoff grows by the factor from the initial delay', () => {
  assert.deepEqual([1, 2, 3, 4, 5].map((attempt) => backoff(attempt, noJitter)), [500, 1000, 2000, 4000, 8000]);
});

test('backoff is capped at maxDelay', () => {
  assert.equal(backoff(6, noJitter), 10_000);
  assert.equal(backoff(60, noJitter), 10_000);
  assert.equal(backoff(5000, noJitter), 10_000); // factor ** attempt overflows to Infinity: still capped
});

test('jitter takes off up to its share, never adds', () => {
  assert.equal(backoff(1, DEFAULT_RECONNECT, () => 0), 500);
  assert.equal(backoff(1, DEFAULT_RECONNECT, () => 0.999999), 250);
  assert.equal(backoff(3, DEFAULT_RECONNECT, () => 0.5), 1500);
  for (let i = 0; i < 1000; i++) {
    const delay = backoff(4, DEFAULT_RECONNECT);
    assert.ok(delay >= 2000 && delay <= 4000, `${delay}`);
  }
});

test('full jitter can reach zero; factor 1 keeps the delay constant', () => {
  assert.equal(backoff(2, { ...DEFAULT_RECONNECT, jitter: 1 }, () => 1), 0);
  assert.equal(backoff(9, { ...noJitter, factor: 1 }), 500);
});
