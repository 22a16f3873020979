import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LEAD, openLeadMs } from './open-schedule.js';

test('the lead is the p99 one-way delay plus the write time and a margin, within floor and cap', () => {
  assert.equal(openLeadMs([]), DEFAULT_LEAD.minMs, 'nobody measured: the floor');
  assert.equal(openLeadMs([600, 10, 10]), Math.round(300 + 3 * 0.02 + 15), 'the farthest of few players decides');
  const many = Array.from({ length: 1000 }, (_, i) => (i < 5 ? 5000 : 20));
  // The 5 worst of 1,000 are past the 99th percentile: the lead does not wait for them.
  assert.equal(openLeadMs(many), Math.round(10 + 1000 * 0.02 + 15));
  assert.equal(openLeadMs(Array.from({ length: 10_000 }, () => 4000)), DEFAULT_LEAD.maxMs, 'capped');
  assert.equal(openLeadMs([100], { minMs: 0, maxMs: 0, writeMsPerPlayer: 0, marginMs: 0 }), 0);
});
