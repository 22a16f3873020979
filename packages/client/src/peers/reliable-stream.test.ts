import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReliableStream } from './reliable-stream.js';

test('messages are numbered and kept until acknowledged; a full window refuses more', () => {
  const stream = new ReliableStream(3);
  const sent = [stream.message('a', 1), stream.message('b', 2), stream.message('c', 3)];
  assert.deepEqual(sent.map((frame) => frame?.s), [1, 2, 3]);
  assert.equal(stream.message('d', 4), null, 'the window is full');
  stream.acknowledge(2);
  assert.deepEqual(stream.unacked.map((frame) => frame.s), [3]);
  assert.equal(stream.message('d', 4)?.s, 4);
  stream.acknowledge(1); // an old ack changes nothing
  assert.deepEqual(stream.unacked.map((frame) => frame.s), [3, 4]);
});

test('a path switch resends what is unacknowledged: the receiver delivers each message once and in order', () => {
  const sender = new ReliableStream(100);
  const receiver = new ReliableStream(100);
  const delivered: unknown[] = [];
  const arrive = (frames: readonly { k: 'm'; s: number; e: string; d: unknown }[]) => {
    for (const frame of frames) if (receiver.accept(frame)) delivered.push(frame.d);
  };
  const frames = [1, 2, 3, 4, 5].map((n) => sender.message('n', n)!);
  // The old path delivers 1..3, then fails with 4 and 5 in flight; the ack for 1..2 came back.
  arrive(frames.slice(0, 3));
  sender.acknowledge(2);
  // The new path carries everything unacknowledged (3..5); a late straggler of the old path (4) follows.
  arrive(sender.unacked);
  arrive([frames[3]]);
  assert.deepEqual(delivered, [1, 2, 3, 4, 5]);
  assert.equal(receiver.gaps, 0);
  assert.equal(receiver.pendingAcks, 5);
  assert.deepEqual(receiver.ack(), { k: 'a', s: 5 });
  assert.equal(receiver.ackDue, false);
});

test('a message ahead of a missing one is not delivered, and counted as a gap', () => {
  const receiver = new ReliableStream(10);
  assert.equal(receiver.accept({ k: 'm', s: 2, e: 'n', d: 2 }), false);
  assert.equal(receiver.gaps, 1);
  assert.equal(receiver.accept({ k: 'm', s: 1, e: 'n', d: 1 }), true);
  assert.equal(receiver.delivered, 1);
});
