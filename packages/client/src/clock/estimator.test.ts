import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClockEstimator } from './estimator.js';

/** A sample through a path of `up` and `down` ms, the client's clock `skew` ms ahead of the server's. */
const sample = (serverAt: number, up: number, down: number, skew: number) => ({
  sentAt: serverAt - up + skew,
  serverTime: serverAt,
  receivedAt: serverAt + down + skew,
});

test('no samples, no estimate; a symmetric path gives the offset exactly', () => {
  const estimator = new ClockEstimator();
  assert.equal(estimator.estimate(), null);
  estimator.add(sample(1_000, 150, 150, 5_000));
  const estimate = estimator.estimate()!;
  assert.equal(estimate.offsetMs, -5_000);
  assert.equal(estimate.rttMs, 300);
  assert.equal(estimate.uncertaintyMs, 150, 'one sample: the hard bound, half the round trip');
});

test('the lowest round trips decide: delayed samples do not pull the estimate', () => {
  const estimator = new ClockEstimator({ best: 3 });
  const jitter = [0, 40, 3, 90, 1, 250, 2, 0.5];
  jitter.forEach((extra, i) => estimator.add(sample(10_000 + i * 100, 50 + extra, 50, -1234)));
  const estimate = estimator.estimate()!;
  assert.equal(estimate.offsetMs, 1234, 'from the undelayed sample');
  // The three best (extra 0, 0.5, 1) disagree by at most half their extra delay.
  assert.equal(estimate.uncertaintyMs, 0.5);
  assert.equal(estimate.samples, jitter.length);
});

test('uncertainty is the spread of the best samples, never above half the best round trip', () => {
  const estimator = new ClockEstimator({ best: 4, resolutionMs: 0 });
  for (const extra of [0, 8, 8, 8]) estimator.add(sample(0, 20 + extra, 20, 0));
  assert.equal(estimator.estimate()!.uncertaintyMs, 4);
  const wild = new ClockEstimator({ best: 2, resolutionMs: 0 });
  for (const up of [5, 500, 500]) wild.add(sample(0, up, 5, 0));
  assert.equal(wild.estimate()!.uncertaintyMs, 5, 'capped by half of the 10 ms best round trip');
});

test('an asymmetric path shifts the estimate by half the asymmetry (what no exchange can see)', () => {
  const estimator = new ClockEstimator();
  for (let i = 0; i < 5; i++) estimator.add(sample(i * 10, 10, 30, 0));
  assert.equal(estimator.estimate()!.offsetMs, -10);
});

test('a window of the newest samples; reset forgets; nonsense is refused', () => {
  const estimator = new ClockEstimator({ window: 3 });
  estimator.add(sample(0, 1, 1, 100));
  for (let i = 0; i < 3; i++) estimator.add(sample(i, 20, 20, 0));
  assert.equal(estimator.estimate()!.offsetMs, 0, 'the fast old sample fell out of the window');
  assert.equal(estimator.add({ sentAt: 10, serverTime: 0, receivedAt: 5 }), false, 'received before sent');
  assert.equal(estimator.add({ sentAt: 0, serverTime: Number.NaN, receivedAt: 5 }), false);
  estimator.reset();
  assert.equal(estimator.estimate(), null);
});
