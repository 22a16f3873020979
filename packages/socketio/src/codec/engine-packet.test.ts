import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as reference from 'engine.io-parser';
import {
  decodeEnginePacket,
  decodeEnginePayload,
  encodeEnginePacket,
  encodeEnginePayload,
  openPacket,
  type EnginePacket,
} from './engine-packet.js';
import { seededRandom } from '@baro/testing';
import { randomString } from '../test-support/random-string.js';

const SAMPLES: EnginePacket[] = [
  { type: 'open', data: '{"sid":"abc","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}' },
  { type: 'close' },
  { type: 'ping' },
  { type: 'ping', data: 'probe' },
  { type: 'pong', data: 'probe' },
  { type: 'message', data: 'hello' },
  { type: 'message', data: '' },
  { type: 'message', data: 'héllo wörld ✓ 日本語' },
  { type: 'message', data: 'astral 😀𝄞 and a record separator-looking \u001f' },
  { type: 'message', data: 'lone \ud800 high and \udc00 low surrogates' },
  { type: 'message', data: Buffer.from([0, 1, 2, 255, 254]) },
  { type: 'message', data: Buffer.alloc(0) },
  { type: 'message', data: Buffer.from('😀 as bytes') },
  { type: 'upgrade' },
  { type: 'noop' },
];

function referenceEncode(packet: EnginePacket, binary: boolean): string | Buffer {
  let out: unknown;
  reference.encodePacket(packet as reference.Packet, binary, (encoded) => (out = encoded));
  return out as string | Buffer;
}

function normalised(packet: { type: string; data?: unknown }): EnginePacket {
  // An empty message decodes without data on both sides (the wire cannot tell '' from nothing).
  const data = packet.data;
  if (data === undefined || data === '') return { type: packet.type as EnginePacket['type'] };
  return { type: packet.type as EnginePacket['type'], data: Buffer.isBuffer(data) ? data : (data as string) };
}

describe('Engine.IO v4 packets, cross-checked with engine.io-parser', () => {
  for (const binary of [true, false]) {
    it(`our encoding decodes with theirs to the same packet (binary frames ${binary ? 'allowed' : 'as base64'})`, () => {
      for (const packet of SAMPLES) {
        const encoded = encodeEnginePacket(packet, binary);
        assert.deepEqual(encoded, referenceEncode(packet, binary), `same bytes for ${JSON.stringify(packet)}`);
        assert.deepEqual(normalised(reference.decodePacket(encoded, 'nodebuffer')), normalised(packet));
      }
    });

    it(`their encoding decodes with ours (binary frames ${binary ? 'allowed' : 'as base64'})`, () => {
      for (const packet of SAMPLES) {
        const result = decodeEnginePacket(referenceEncode(packet, binary));
        assert.ok(result.ok, JSON.stringify(packet));
        assert.deepEqual(normalised(result.value), normalised(packet));
      }
    });
  }

  it('long-polling payloads: ours decode with theirs and theirs with ours', () => {
    const payloads = [SAMPLES, SAMPLES.slice(0, 1), SAMPLES.filter((p) => Buffer.isBuffer(p.data))];
    for (const packets of payloads) {
      const ours = encodeEnginePayload(packets);
      let theirs = '';
      reference.encodePayload(packets as reference.Packet[], (encoded) => (theirs = encoded));
      assert.equal(ours, theirs);
      assert.deepEqual(reference.decodePayload(ours, 'nodebuffer').map(normalised), packets.map(normalised));
      const decoded = decodeEnginePayload(theirs);
      assert.ok(decoded.ok);
      assert.deepEqual(decoded.value.map(normalised), packets.map(normalised));
    }
  });

  it('the open packet carries the handshake fields in the reference order', () => {
    const packet = openPacket({ sid: 'x', upgrades: ['websocket'], pingInterval: 300, pingTimeout: 200, maxPayload: 1e6 });
    assert.equal(encodeEnginePacket(packet, true), '0{"sid":"x","upgrades":["websocket"],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000}');
  });

  it('malformed packets and payloads are errors, never exceptions', () => {
    for (const bad of ['', '7', '9hello', 'x', '\u0000', '{}', 'probe']) {
      const result = decodeEnginePacket(bad);
      assert.equal(result.ok, false, JSON.stringify(bad));
      assert.equal(reference.decodePacket(bad).type, 'error', 'the reference refuses it too');
    }
    for (const bad of ['', '4a\x1e', '\x1e4a', '4a\x1e\x1e4b', '4a\x1e9', '2\x1ex']) {
      assert.equal(decodeEnginePayload(bad).ok, false, JSON.stringify(bad));
    }
    assert.equal(decodeEnginePayload('4a\x1e4b\x1e4c', 2).ok, false, 'packet count limit');
  });

  it('seeded fuzz: random payloads never throw and are refused exactly when the reference refuses them', () => {
    const random = seededRandom(0x5eed);
    const alphabet = '0123456789b\x1e/aZ=+{}"é😀\ud800';
    for (let round = 0; round < 3000; round++) {
      const payload = randomString(random, alphabet, 24);
      const ours = decodeEnginePayload(payload);
      const theirs = reference.decodePayload(payload, 'nodebuffer');
      const theirsRefused = theirs.some((packet) => packet.type === 'error');
      assert.equal(!ours.ok, theirsRefused, `seed 0x5eed round ${round}: ${JSON.stringify(payload)}`);
      if (ours.ok) assert.deepEqual(ours.value.map(normalised), theirs.map(normalised));
    }
  });
});
