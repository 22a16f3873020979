import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBinaryPacket, decodePacket, decodePacketLines, encodeBinaryPacket, encodePacket } from './packet-codec.js';
import type { Packet } from './packets.js';
import { InboundSequence, ReplayBuffer } from './sequencing.js';

const both: Packet[] = [
  { type: 'event', seq: 1, name: 'q', data: { text: 'hi', n: [1, 2] } },
  { type: 'event', seq: 2, name: 'q', data: null, ackId: 7 },
  { type: 'ack', seq: 3, ackId: 7, data: 'yes' },
  { type: 'ack', seq: 4, ackId: 8, data: null, error: 'rate_limited' },
  { type: 'receipt', seq: 9 },
  { type: 'ping', t: 123 },
  { type: 'pong', t: 123 },
  { type: 'close', code: 1000, reason: 'bye', retryAfterMs: null },
];

test('every packet round-trips through its text form in the directions it may travel', () => {
  for (const packet of both) assert.deepEqual(decodePacket(encodePacket(packet), 'toServer'), { ok: true, packet });
  const toClientOnly: Packet[] = [
    { type: 'open', info: { sid: 's', token: 't', transport: 'sse', heartbeat: 25000, resumeWindow: 120000, maxPayload: 1024, resumed: false, cseq: 0 } },
    { type: 'notice', code: 'rate_limited', message: 'slow down' },
    { type: 'noop' },
    { type: 'close', code: 4003, reason: 'restart', retryAfterMs: 1500 },
  ];
  for (const packet of [...both, ...toClientOnly]) assert.deepEqual(decodePacket(encodePacket(packet), 'toClient'), { ok: true, packet });
  assert.equal(decodePacket(encodePacket(toClientOnly[0]), 'toServer').ok, false, 'clients may not send open packets');
});

test('byte arrays at any depth survive the text form and the WebSocket binary form', () => {
  const packet: Packet = { type: 'event', seq: 5, name: 'file', data: { head: Uint8Array.of(1, 2, 3), rest: [new Uint8Array(0), Uint8Array.of(255)] } };
  assert.deepEqual(decodePacket(encodePacket(packet), 'toServer'), { ok: true, packet });
  assert.deepEqual(decodeBinaryPacket(encodeBinaryPacket(packet), 'toServer'), { ok: true, packet });
});

test('malformed input is refused with a reason, never thrown', () => {
  for (const text of ['', 'nope', '{}', '[]', '["z"]', '["e",0,"x",1]', '["e",1,"",1]', '["e",1,"x",1,-1]', '["r",-1]', '["e",1,"x",{"$b":"!!"}]']) {
    const result = decodePacket(text, 'toServer');
    assert.equal(result.ok, false, text);
  }
  assert.equal(decodeBinaryPacket(Uint8Array.of(0, 0, 0, 9, 1), 'toServer').ok, false);
  assert.equal(decodePacketLines('["r",1]\n\n["x"]', 'toServer').ok, false, 'one bad line fails the body');
  assert.deepEqual(decodePacketLines('["r",1]\n["h",2]\n', 'toServer'), { ok: true, packets: [{ type: 'receipt', seq: 1 }, { type: 'ping', t: 2 }] });
});

test('InboundSequence processes the next number only; ReplayBuffer replays after a seq or says it cannot', () => {
  const inbound = new InboundSequence();
  assert.deepEqual([1, 1, 3, 2, 3].map((seq) => inbound.accept(seq)), ['next', 'duplicate', 'gap', 'next', 'next']);
  const replay = new ReplayBuffer<number>({ maxCount: 3, maxBytes: 1000 });
  for (let seq = 1; seq <= 5; seq++) replay.push(seq, seq * 10, 1);
  assert.deepEqual(replay.since(2), [30, 40, 50]);
  assert.equal(replay.since(1), null, 'seq 2 was dropped by the count bound');
  replay.acknowledge(4);
  assert.deepEqual(replay.since(4), [50]);
  assert.deepEqual(replay.since(5), []);
  assert.equal(replay.since(6), null, 'never sent');
});
