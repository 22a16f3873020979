import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SequencedPacket } from '@baro/protocol';
import { Outbox } from './outbox.js';

const event = (name: string) => (seq: number): SequencedPacket => ({ type: 'event', seq, name, data: null });
const seqs = (packets: SequencedPacket[]) => packets.map((packet) => packet.seq);

test('numbers packets from 1 and keeps them until receipted', () => {
  const outbox = new Outbox(10);
  assert.equal(outbox.add(event('a'))?.seq, 1);
  assert.equal(outbox.add(event('b'))?.seq, 2);
  assert.equal(outbox.add(event('c'))?.seq, 3);
  assert.equal(outbox.size, 3);
  outbox.receipt(2);
  assert.equal(outbox.size, 1);
  assert.equal(outbox.receipted, 2);
  outbox.receipt(1); // an older receipt changes nothing
  assert.equal(outbox.receipted, 2);
  assert.deepEqual(seqs(outbox.after(2)), [3]);
});

test('after(cseq) forgets what the server has and returns the rest in order', () => {
  const outbox = new Outbox(10);
  for (const name of 'abcde') outbox.add(event(name));
  assert.deepEqual(seqs(outbox.after(0)), [1, 2, 3, 4, 5]);
  assert.deepEqual(seqs(outbox.after(3)), [4, 5]);
  assert.equal(outbox.size, 2);
  // A server that claims more than was sent: nothing to resend, nothing kept.
  assert.deepEqual(seqs(outbox.after(9)), []);
  assert.equal(outbox.receipted, 5);
});

test('refuses a packet past maxQueued without using a sequence number', () => {
  const outbox = new Outbox(2);
  assert.ok(outbox.add(event('a')));
  assert.ok(outbox.add(event('b')));
  assert.equal(outbox.add(event('c')), null);
  assert.equal(outbox.add(event('c')), null);
  outbox.receipt(1);
  assert.equal(outbox.add(event('c'))?.seq, 3);
  assert.equal(outbox.add(event('d')), null);
});

test('maxQueued is exact: N fit, N + 1 does not', () => {
  const outbox = new Outbox(1000);
  for (let i = 0; i < 1000; i++) assert.ok(outbox.add(event(`e${i}`)));
  assert.equal(outbox.add(event('over')), null);
});

test('reset renumbers unreceipted events from 1 and drops answers', () => {
  const outbox = new Outbox(10);
  outbox.add(event('a'));
  outbox.add((seq) => ({ type: 'ack', seq, ackId: 7, data: 1 }));
  outbox.add(event('b'));
  outbox.add(event('c'));
  outbox.receipt(1);
  outbox.reset();
  const rest = outbox.after(0);
  assert.deepEqual(rest.map((p) => [p.seq, p.type === 'event' ? p.name : p.type]), [[1, 'b'], [2, 'c']]);
  assert.equal(outbox.add(event('d'))?.seq, 3);
});
