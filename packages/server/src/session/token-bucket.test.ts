import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from './token-bucket.js';

test('a token bucket refills at its rate up to its burst, and refuses a cost it cannot cover', () => {
  const budget = new TokenBucket(1000, 4000, 0);
  assert.equal(budget.take(0, 3000), true);
  assert.equal(budget.take(0, 1500), false, 'only 1,000 left');
  assert.equal(budget.take(500, 1500), true, '500 ms bring 500 more');
  assert.equal(budget.take(100_000, 4001), false, 'never more than the burst');
  assert.equal(budget.take(100_000, 4000), true);
  assert.equal(budget.take(50_000, 1), false, 'a clock going back adds nothing');
});
