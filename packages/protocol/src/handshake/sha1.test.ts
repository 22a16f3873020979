import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { sha1 } from './sha1.js';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const nodeSha1 = (bytes: Uint8Array): string => createHash('sha1').update(bytes).digest('hex');

describe('sha1', () => {
  // FIPS 180-2 appendix A and the usual empty-message vector.
  it('hashes the empty message', () => {
    assert.equal(hex(sha1(new Uint8Array(0))), 'da39a3ee5e6b4b0d3255bfef95601890afd80709');
  });

  it('hashes "abc" (one block)', () => {
    assert.equal(hex(sha1(ascii('abc'))), 'a9993e364706816aba3e25717850c26c9cd0d89d');
  });

  it('hashes the 448-bit NIST message (padding spills into a second block)', () => {
    const message = ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq');
    assert.equal(message.length * 8, 448);
    assert.equal(hex(sha1(message)), '84983e441c3bd26ebaae4aa1f95129e5e54670f1');
  });

  it('hashes one million "a"', () => {
    const message = new Uint8Array(1_000_000).fill(0x61);
    assert.equal(hex(sha1(message)), '34aa973cd4c4daa4f61eeb2bdbad27316534016f');
  });

  it('matches node:crypto on random inputs of every length 0..300 (all block-boundary cases)', () => {
    for (let length = 0; length <= 300; length++) {
      const message = randomBytes(length);
      assert.equal(hex(sha1(message)), nodeSha1(message), `length ${length}`);
    }
  });

  it('matches node:crypto around each padding boundary, with several random inputs each', () => {
    for (const length of [55, 56, 63, 64, 65, 119, 120, 127, 128, 129]) {
      for (let round = 0; round < 20; round++) {
        const message = randomBytes(length);
        assert.equal(hex(sha1(message)), nodeSha1(message), `length ${length}`);
      }
    }
  });

  it('reads only the view it is given (subarray with an offset), without changing it', () => {
    const backing = randomBytes(200);
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 7, 100);
    const before = hex(backing);
    assert.equal(hex(sha1(view)), nodeSha1(view));
    assert.equal(hex(backing), before);
  });
});
