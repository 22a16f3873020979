import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Decoder as ReferenceDecoder, Encoder as ReferenceEncoder } from 'socket.io-parser';
import { SocketDecoder } from './socket-decoder.js';
import { encodeSocketPacket } from './socket-encoder.js';
import { SocketPacketType, type SocketPacket } from './socket-packet.js';
import { seededRandom } from '@baro/testing';
import { randomString } from '../test-support/random-string.js';

const { CONNECT, DISCONNECT, EVENT, ACK, CONNECT_ERROR } = SocketPacketType;

const SAMPLES: SocketPacket[] = [
  { type: CONNECT, nsp: '/' },
  { type: CONNECT, nsp: '/admin', data: { token: 'secret', nested: { list: [1, 2, 3] } } },
  { type: DISCONNECT, nsp: '/' },
  { type: DISCONNECT, nsp: '/admin' },
  { type: EVENT, nsp: '/', data: ['hello', 'world', 1, true, null, { a: 'b' }] },
  { type: EVENT, nsp: '/', data: ['unicode', 'héllo ✓ 日本語 😀𝄞', 'lone \ud800 surrogate'] },
  { type: EVENT, nsp: '/', id: 12, data: ['with-ack', 1] },
  { type: EVENT, nsp: '/chat', id: 0, data: ['ns-and-ack'] },
  { type: EVENT, nsp: '/', data: [42, 'numeric event name'] },
  { type: ACK, nsp: '/', id: 12, data: ['answer', { ok: true }] },
  { type: ACK, nsp: '/chat', id: 7, data: [] },
  { type: CONNECT_ERROR, nsp: '/', data: { message: 'Invalid namespace' } },
  { type: CONNECT_ERROR, nsp: '/admin', data: 'not authorized' },
  { type: EVENT, nsp: '/', data: ['binary', Buffer.from([1, 2, 3])] },
  { type: EVENT, nsp: '/', data: ['nested', { a: [Buffer.from('x'), { deep: Buffer.alloc(0) }], b: 'text' }, Buffer.from([255])] },
  { type: EVENT, nsp: '/bin', id: 3, data: ['binary-with-ack', Buffer.from('😀')] },
  { type: ACK, nsp: '/', id: 4, data: [Buffer.from([9, 8, 7]), 'and text'] },
  { type: ACK, nsp: '/bin', id: 5, data: [{ file: Buffer.from('abc') }] },
];

/** Their decoder, fed a sequence; gives the packets it emitted or throws as they do. */
function referenceDecode(messages: readonly (string | Buffer)[]): unknown[] {
  const decoder = new ReferenceDecoder();
  const out: unknown[] = [];
  decoder.on('decoded', (packet: unknown) => out.push(packet));
  for (const message of messages) decoder.add(message);
  return out;
}

function oursDecode(messages: readonly (string | Buffer)[], decoder = new SocketDecoder()): SocketPacket[] {
  const out: SocketPacket[] = [];
  for (const message of messages) {
    const result = decoder.add(message);
    assert.ok(result.ok, result.ok ? '' : result.error);
    if (result.value) out.push(result.value);
  }
  return out;
}

/** Compares as plain JSON-ish values, Buffers by content (their decoder keeps fields we omit when undefined). */
function plain(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return { bytes: [...new Uint8Array(value.buffer, value.byteOffset, value.byteLength)] };
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

describe('Socket.IO v5 packets, cross-checked with socket.io-parser', () => {
  it('our encoding is theirs, and decodes with theirs to the same packet', () => {
    const encoder = new ReferenceEncoder();
    for (const packet of SAMPLES) {
      const ours = encodeSocketPacket(packet);
      assert.deepEqual(plain(ours), plain(encoder.encode(structuredClone(packet))), JSON.stringify(plain(packet)));
      assert.deepEqual(plain(referenceDecode(ours)), [plain(packet)]);
    }
  });

  it('their encoding decodes with ours, attachments put back in place', () => {
    const encoder = new ReferenceEncoder();
    for (const packet of SAMPLES) {
      assert.deepEqual(plain(oursDecode(encoder.encode(structuredClone(packet)))), [plain(packet)]);
    }
  });

  it('one decoder takes packets back to back, binary between text', () => {
    const decoder = new SocketDecoder();
    const messages = SAMPLES.flatMap((packet) => encodeSocketPacket(packet));
    assert.deepEqual(plain(oursDecode(messages, decoder)), plain(SAMPLES));
    assert.equal(decoder.awaitingAttachments, false);
  });

  it('typed arrays, DataViews and ArrayBuffers travel as attachments, objects with toJSON as their JSON', () => {
    const bytes = new Uint8Array([5, 6, 7]);
    const packet: SocketPacket = { type: EVENT, nsp: '/', data: ['kinds', bytes, bytes.buffer, new DataView(bytes.buffer, 1, 1), new Date(0)] };
    const [text, ...attachments] = encodeSocketPacket(packet);
    assert.equal(text, '53-["kinds",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1},{"_placeholder":true,"num":2},"1970-01-01T00:00:00.000Z"]');
    assert.deepEqual(attachments.map((a) => [...a]), [[5, 6, 7], [5, 6, 7], [6]]);
  });

  it('limits: attachments per packet and packet size', () => {
    const tooMany = encodeSocketPacket({ type: EVENT, nsp: '/', data: ['many', ...Array.from({ length: 11 }, () => Buffer.from([1]))] });
    const result = new SocketDecoder().add(tooMany[0]);
    assert.equal(result.ok, false);
    assert.throws(() => referenceDecode(tooMany), /too many attachments/, 'the reference refuses it too');

    const small = new SocketDecoder({ maxPacketBytes: 100 });
    assert.equal(small.add(`2["big","${'x'.repeat(200)}"]`).ok, false);
    const [head, attachment] = encodeSocketPacket({ type: EVENT, nsp: '/', data: ['big', Buffer.alloc(200)] });
    assert.deepEqual(small.add(head), { ok: true, value: null });
    assert.equal(small.add(attachment).ok, false);
    assert.equal(small.awaitingAttachments, false, 'a refused packet is dropped');
  });

  it('out-of-order and malformed input are errors', () => {
    const cases: (string | Buffer)[][] = [
      [''],
      ['7'],
      ['x'],
      ['2'],
      ['2{"not":"an array"}'],
      ['2["connect"]'],
      ['2[{}]'],
      ['3{}'],
      ['0[]'],
      ['1"data"'],
      ['4'],
      ['4[1]'],
      ['2["a"'],
      ['299999999999999999999["a"]'],
      ['5-["a",{"_placeholder":true,"num":0}]'],
      ['50-["a"]'],
      ['5x-["a"]'],
      ['51["a"]'],
      [Buffer.from([1])],
      ['51-["a",{"_placeholder":true,"num":0}]', '2["text too early"]'],
      ['51-["a",{"_placeholder":true,"num":3}]', Buffer.from([1])],
      ['51-["a",{"_placeholder":true,"num":"0"}]', Buffer.from([1])],
    ];
    for (const messages of cases) {
      const decoder = new SocketDecoder();
      const results = messages.map((message) => decoder.add(message));
      assert.ok(results.some((result) => !result.ok), JSON.stringify(plain(messages)));
    }
  });

  it('deeply nested binary data is refused, not a stack overflow', () => {
    const depth = 100_000;
    const text = `51-["deep",${'['.repeat(depth)}{"_placeholder":true,"num":0}${']'.repeat(depth)}]`;
    const decoder = new SocketDecoder({ maxPacketBytes: 1e7 });
    assert.deepEqual(decoder.add(text), { ok: true, value: null });
    const result = decoder.add(Buffer.from([1]));
    assert.equal(result.ok, false);
  });

  it('seeded fuzz: mutated and random packets never throw; what the reference refuses we refuse, what we accept they read the same', () => {
    const random = seededRandom(0xc0dec);
    const valid = SAMPLES.flatMap((packet) => encodeSocketPacket(packet)).filter((m): m is string => typeof m === 'string');
    const alphabet = '0123456789-/,[]{}":_placeholdernum ab\\é😀';
    let refused = 0;
    for (let round = 0; round < 3000; round++) {
      let text: string;
      if (round % 2 === 0) {
        text = randomString(random, alphabet, 30);
      } else {
        const base = valid[Math.floor(random() * valid.length)];
        const at = Math.floor(random() * (base.length + 1));
        const cut = Math.floor(random() * 4);
        text = base.slice(0, at) + randomString(random, alphabet, 3) + base.slice(at + cut);
      }
      const decoder = new SocketDecoder();
      const ours = decoder.add(text);
      let theirs: { ok: true; packets: unknown[] } | { ok: false };
      try {
        theirs = { ok: true, packets: referenceDecode([text]) };
      } catch {
        theirs = { ok: false };
      }
      const where = `seed 0xc0dec round ${round}: ${JSON.stringify(text)}`;
      if (!theirs.ok) assert.equal(ours.ok, false, where);
      if (!ours.ok) {
        refused++;
        continue;
      }
      if (ours.value !== null) assert.deepEqual(theirs.ok && plain(theirs.packets), [plain(ours.value)], where);
      else assert.ok(decoder.awaitingAttachments, where);
    }
    assert.ok(refused > 100, `the fuzz reaches the error paths (${refused} refused)`);
  });
});
