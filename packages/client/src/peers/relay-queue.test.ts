import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PeerFrame } from '@baro/protocol';
import { RelayQueue, type RelayOutcome } from './relay-queue.js';

const frame = (s: number): PeerFrame => ({ k: 'm', s, e: 'n', d: s });

/** A server whose answers the test gives one by one. */
function scripted() {
  const batches: number[][] = [];
  const answers: ((outcome: RelayOutcome) => void)[] = [];
  const send = (frames: PeerFrame[]) => {
    batches.push(frames.map((f) => (f as { s: number }).s));
    return new Promise<RelayOutcome>((resolve) => answers.push(resolve));
  };
  const settle = async (outcome: RelayOutcome) => {
    answers.shift()!(outcome);
    // Let the queue react (and its microtask pump run).
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { batches, send, settle, answers };
}

const tick = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

test('frames pushed in one tick leave as one batch; the next batch waits for the answer', async () => {
  const server = scripted();
  const queue = new RelayQueue(server.send, () => assert.fail('not refused'), { maxBatch: 3, retryDelay: 1 });
  for (const s of [1, 2, 3, 4]) queue.push(frame(s));
  await tick();
  assert.deepEqual(server.batches, [[1, 2, 3]]);
  queue.push(frame(5));
  await tick();
  assert.equal(server.batches.length, 1, 'one batch in flight at a time');
  await server.settle('ok');
  assert.deepEqual(server.batches, [[1, 2, 3], [4, 5]]);
});

test('a batch turned away for the rate limit goes again before anything after it; one too large is split', async () => {
  const server = scripted();
  const queue = new RelayQueue(server.send, () => assert.fail('not refused'), { maxBatch: 4, retryDelay: 1 });
  for (const s of [1, 2, 3, 4]) queue.push(frame(s));
  await tick();
  queue.push(frame(5));
  await server.settle('retry');
  const deadline = Date.now() + 1000;
  while (server.batches.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
  assert.deepEqual(server.batches[1], [1, 2, 3, 4]);
  await server.settle('split');
  assert.deepEqual(server.batches[2], [1, 2]);
  await server.settle('ok');
  assert.deepEqual(server.batches[3], [3, 4]);
});

test('clear drops what waits and ignores the answer for the batch in flight; a refusal closes the queue', async () => {
  const server = scripted();
  const refusals: string[] = [];
  const queue = new RelayQueue(server.send, (reason) => refusals.push(reason), { maxBatch: 2, retryDelay: 1 });
  for (const s of [1, 2, 3]) queue.push(frame(s));
  await tick();
  queue.clear();
  assert.equal(queue.waiting, 0);
  await server.settle('retry');
  assert.equal(server.batches.length, 1, 'the old batch is not sent again');
  queue.push(frame(9));
  await tick();
  assert.deepEqual(server.batches[1], [9]);
  await server.settle({ refused: 'unknown-peer' });
  assert.deepEqual(refusals, ['unknown-peer']);
  queue.push(frame(10));
  await tick();
  assert.equal(server.batches.length, 2, 'closed');
});
