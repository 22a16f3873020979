import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBinaryPacket, decodePacket, decodePacketLines, encodeBinaryPacket, encodePacket } from './packet-codec.js';
import type { Packet } from './packets.js';
import { InboundSequence, ReplayBuffer } from './sequencing.js';
import { decodePositions, StreamPositions } from './positions.js';

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

test('ReplayBuffer reuses its slots once emptied, drops by bytes, and compacts after a long run', () => {
  const replay = new ReplayBuffer<string>({ maxCount: 5000, maxBytes: 100 });
  // Receipted one by one, as a client whose receipts ride on its packets does.
  for (let seq = 1; seq <= 3000; seq++) {
    replay.push(seq, `p${seq}`, 10);
    if (seq % 3 === 0) {
      replay.acknowledge(seq);
      assert.equal(replay.count, 0);
      assert.equal(replay.bytes, 0);
    }
  }
  assert.deepEqual(replay.since(3000), []);
  // Eleven of ten bytes each against 100 bytes: the oldest one goes, and a replay needing it fails.
  for (let seq = 3001; seq <= 3011; seq++) replay.push(seq, `p${seq}`, 10);
  assert.equal(replay.count, 10);
  assert.equal(replay.bytes, 100);
  assert.equal(replay.since(3000), null);
  assert.deepEqual(replay.since(3009), ['p3010', 'p3011']);
  // A long unreceipted run with a sliding receipt: entries stay in order across compactions.
  const long = new ReplayBuffer<number>({ maxCount: 5000, maxBytes: Infinity });
  for (let seq = 1; seq <= 4000; seq++) {
    long.push(seq, seq, 1);
    if (seq > 100) long.acknowledge(seq - 100);
  }
  assert.equal(long.count, 100);
  assert.deepEqual(long.since(3990), [3991, 3992, 3993, 3994, 3995, 3996, 3997, 3998, 3999, 4000]);
  long.clear();
  assert.equal(long.count, 0);
});

test('stream packets (m, j, l) round-trip, only toward the client; positions encode as offsets by epoch', () => {
  const packets: Packet[] = [
    { type: 'message', stream: 'room "1"', offset: 7, name: 'news', data: { a: [1, 'two'] } },
    { type: 'message', stream: '', offset: 1, name: 'all', data: null },
    { type: 'join', stream: 'room', epoch: 'Ab_-9', offset: 0 },
    { type: 'leave', stream: 'room' },
  ];
  for (const packet of packets) {
    assert.deepEqual(decodePacket(encodePacket(packet), 'toClient'), { ok: true, packet });
    assert.equal(decodePacket(encodePacket(packet), 'toServer').ok, false, 'a client may not send stream packets');
  }
  const withBytes: Packet = { type: 'message', stream: 'r', offset: 2, name: 'blob', data: { bytes: Uint8Array.of(1, 2, 3) } };
  assert.deepEqual(decodeBinaryPacket(encodeBinaryPacket(withBytes as Extract<Packet, { type: 'message' }>), 'toClient'), { ok: true, packet: withBytes });
  for (const text of ['["m","r",0,"x",1]', '["m",1,1,"x",1]', '["m","r",1,"",1]', '["j","r","e",-1]', '["l"]']) assert.equal(decodePacket(text, 'toClient').ok, false, text);

  const positions = new StreamPositions();
  positions.join('', 'E0', 0);
  positions.join('room, with "odd" chars', 'E1', 5);
  assert.equal(positions.accept('room, with "odd" chars', 5), false, 'at the position: a duplicate');
  assert.equal(positions.accept('room, with "odd" chars', 9), true);
  assert.equal(positions.accept('unjoined', 1), false);
  assert.equal(positions.encode(), 'E0.0,E1.9');
  assert.deepEqual(decodePositions(positions.encode()), new Map([['E0', 0], ['E1', 9]]));
  assert.deepEqual(decodePositions(''), new Map());
  for (const bad of ['E0', 'E0.', '.4', 'E0.-1', 'E0.1.5x', 'E 0.1', 'E0.1,,E1.2', 'x'.repeat(9000)]) assert.equal(decodePositions(bad), null, bad);
});
