import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runWorkload, type RunResult } from './lab.js';
import { textTable } from './report.js';

// A short quiz: 5 clients, a question every 200 ms for 3 s (15 questions), over every transport.
test('every transport delivers every message, and the bytes order as the seed says', { timeout: 60_000 }, async (t) => {
  const results = await runWorkload({ workload: 'quiz', clients: 5, duration: 3, interval: 200, timeout: 10 });
  console.log(`\n${textTable(results)}`);
  const by = (label: string): RunResult => results.find((result) => result.variant === label)!;
  for (const result of results) {
    assert.equal(result.deliveredDown, result.expectedDown, `${result.variant}: delivered ${result.deliveredDown} of ${result.expectedDown}`);
    assert.ok(result.inOrder, `${result.variant}: out of order`);
    assert.ok(result.bytesDown > 0 && result.bytesUp > 0 && result.requests > 0, `${result.variant}: nothing counted`);
  }
  const bytes = (label: string): number => by(label).bytesPerMessage;
  const show = (labels: string[]): string => labels.map((label) => `${label} ${bytes(label).toFixed(1)} B`).join(' < ');
  console.log(`bytes per delivered message: ${['WebSocket + deflate', 'WebSocket', 'SSE', 'long-polling', 'polling 1 s', 'polling 100 ms'].map((label) => `${label} ${bytes(label).toFixed(1)} B`).join(', ')}`);

  await t.test('WebSocket < SSE', () => assert.ok(bytes('WebSocket') < bytes('SSE'), show(['WebSocket', 'SSE'])));
  await t.test('WebSocket < long-polling', () => assert.ok(bytes('WebSocket') < bytes('long-polling'), show(['WebSocket', 'long-polling'])));
  await t.test('long-polling < polling 100 ms', () => assert.ok(bytes('long-polling') < bytes('polling 100 ms'), show(['long-polling', 'polling 100 ms'])));
  await t.test('SSE < polling 100 ms', () => assert.ok(bytes('SSE') < bytes('polling 100 ms'), show(['SSE', 'polling 100 ms'])));
  await t.test('deflate < WebSocket', () => assert.ok(bytes('WebSocket + deflate') < bytes('WebSocket'), show(['WebSocket + deflate', 'WebSocket'])));
  await t.test('polling: 100 ms makes more requests than 1 s', () => assert.ok(by('polling 100 ms').requestsPerMessage > by('polling 1 s').requestsPerMessage));
  await t.test('streaming transports need far fewer requests than polling', () => {
    assert.ok(by('WebSocket').requestsPerMessage < 0.1);
    assert.ok(by('polling 100 ms').requestsPerMessage > 1);
  });
  await t.test('SSE < long-polling', () => assert.ok(bytes('SSE') < bytes('long-polling'), show(['SSE', 'long-polling'])));
});
