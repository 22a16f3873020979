import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeBase64, encodeBase64 } from './base64.js';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

// RFC 4648 §10.
const RFC_VECTORS: ReadonlyArray<[string, string]> = [
  ['', ''],
  ['f', 'Zg=='],
  ['fo', 'Zm8='],
  ['foo', 'Zm9v'],
  ['foob', 'Zm9vYg=='],
  ['fooba', 'Zm9vYmE='],
  ['foobar', 'Zm9vYmFy'],
];

describe('encodeBase64', () => {
  for (const [plain, encoded] of RFC_VECTORS) {
    it(`encodes ${JSON.stringify(plain)} as ${JSON.stringify(encoded)} (RFC 4648 §10)`, () => {
      assert.equal(encodeBase64(ascii(plain)), encoded);
    });
  }

  it('matches Buffer on random bytes of lengths 0..100, all 256 byte values included', () => {
    const every = Uint8Array.from({ length: 256 }, (_, i) => i);
    assert.equal(encodeBase64(every), Buffer.from(every).toString('base64'));
    for (let length = 0; length <= 100; length++) {
      const bytes = randomBytes(length);
      assert.equal(encodeBase64(bytes), bytes.toString('base64'), `length ${length}`);
    }
  });
});

describe('decodeBase64', () => {
  for (const [plain, encoded] of RFC_VECTORS) {
    it(`decodes ${JSON.stringify(encoded)} (RFC 4648 §10)`, () => {
      assert.deepEqual(decodeBase64(encoded), ascii(plain));
    });
  }

  it('round-trips random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        assert.deepEqual(decodeBase64(encodeBase64(bytes)), bytes);
      }),
    );
  });

  const invalid: ReadonlyArray<[string, string]> = [
    ['Zg=', 'length not a multiple of 4'],
    ['Zg', 'missing padding'],
    ['Z===', 'three padding characters'],
    ['====', 'only padding'],
    ['Zm=v', 'padding in the middle'],
    ['Zg==Zg==', 'padding before the end'],
    ['Zm9v\n', 'trailing newline'],
    [' Zm9v', 'leading space'],
    ['Zm 9v', 'inner space'],
    ['Zm-_', 'URL-safe alphabet'],
    ['Zm9\u00e9', 'non-ASCII character'],
    ['Zh==', 'non-zero bits under two padding characters'],
    ['Zm9=', 'non-zero bits under one padding character'],
  ];
  for (const [text, why] of invalid) {
    it(`rejects ${JSON.stringify(text)} (${why})`, () => {
      assert.equal(decodeBase64(text), null);
    });
  }

  it('accepts exactly the canonical encodings (checked against Buffer on random alphabet strings)', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=';
    const chars = fc.constantFrom(...alphabet.split(''));
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 16 }), (list) => {
        const text = list.join('');
        const decoded = decodeBase64(text);
        const viaBuffer = Buffer.from(text, 'base64');
        const canonical = viaBuffer.toString('base64') === text;
        if (canonical) assert.deepEqual(decoded, new Uint8Array(viaBuffer));
        else assert.equal(decoded, null, text);
      }),
      { numRuns: 5000 },
    );
  });
});
