import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { LoopLag } from './loop-lag.js';

/** Keeps the event loop busy for `ms`, as a slow synchronous write does. */
function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

test('LoopLag: a stall counts while it is under way, before any timer has run after it, and for a window after', async (t) => {
  const lag = new LoopLag(60_000);
  t.after(() => lag.close());
  // The histogram counts a delay from its second sample on: let it take a few first.
  await new Promise((resolve) => setTimeout(resolve, 50));
  block(150);
  // Same turn: the histogram has not seen the stall yet; the ongoing one is counted.
  assert.ok(lag.recentMaxMs() >= 120, `during the stall: ${lag.recentMaxMs()} ms`);
  // Later turns: the histogram keeps the spike for its window.
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.ok(lag.recentMaxMs() >= 120, `after the stall: ${lag.recentMaxMs()} ms`);
});
