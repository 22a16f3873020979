import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hex } from '@baro/testing';
import { isValidUtf8, Utf8Validator } from './utf8.js';

/** Fixed so runs replay; fast-check prints the seed and path of a failure. Override with FC_SEED. */
const runs = (numRuns: number) => ({ seed: Number(process.env.FC_SEED ?? 0x6a7e1), numRuns, includeErrorInReport: true });

/** The reference: WHATWG's fatal UTF-8 decoder. */
function decoderAccepts(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where the reference decoder, fed one byte at a time, first reports an error: the index of the
 * offending byte, `length` if only the end of input shows the last sequence is cut short, or -1.
 */
function decoderFirstError(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let i = 0; i < bytes.length; i++) {
    try {
      decoder.decode(bytes.subarray(i, i + 1), { stream: true });
    } catch {
      return i;
    }
  }
  try {
    decoder.decode();
  } catch {
    return bytes.length;
  }
  return -1;
}

function validatorFirstError(bytes: Uint8Array): number {
  const validator = new Utf8Validator();
  for (let i = 0; i < bytes.length; i++) if (!validator.write(bytes, i, i + 1)) return i;
  return validator.complete ? -1 : bytes.length;
}

/** Streams `bytes` through one validator, cut at `cuts` (any numbers; taken modulo length + 1). */
function streamed(bytes: Uint8Array, cuts: number[]): boolean {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const validator = new Utf8Validator();
  let from = 0;
  for (const to of [...points, bytes.length]) {
    // Alternate the two ways of passing a piece: a fresh view, and start/end into the whole buffer.
    const ok = to % 2 === 0 ? validator.write(bytes.subarray(from, to)) : validator.write(bytes, from, to);
    if (!ok) return false;
    from = to;
  }
  return validator.complete;
}

// Bytes that sit on the validator's decision boundaries, mixed with any byte.
const edgeBytes = [0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf7, 0xf8, 0xfe, 0xff];
const anyByte = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(...edgeBytes));
const randomBytes = fc.array(anyByte, { maxLength: 48 }).map((a) => Uint8Array.from(a));
// Valid UTF-8 of any code points, then sometimes broken by a single edit, so both answers occur often.
const validText = fc.string({ unit: 'binary', maxLength: 16 }).map((s) => new TextEncoder().encode(s));
const editedText = fc
  .tuple(validText, fc.nat(), anyByte, fc.constantFrom('set', 'insert', 'delete', 'truncate', 'none'))
  .map(([bytes, at, byte, edit]) => {
    const list = Array.from(bytes);
    const i = list.length === 0 ? 0 : at % list.length;
    if (edit === 'set' && list.length > 0) list[i] = byte;
    else if (edit === 'insert') list.splice(i, 0, byte);
    else if (edit === 'delete') list.splice(i, 1);
    else if (edit === 'truncate') list.length = i;
    return Uint8Array.from(list);
  });
const inputs = fc.oneof(randomBytes, validText, editedText);
const cuts = fc.array(fc.nat(), { maxLength: 6 });

describe('UTF-8 validation agrees with TextDecoder({ fatal: true })', () => {
  test('isValidUtf8 on random byte strings', () => {
    fc.assert(
      fc.property(inputs, (bytes) => isValidUtf8(bytes) === decoderAccepts(bytes)),
      runs(3000),
    );
  });
  test('Utf8Validator streaming over random splits', () => {
    fc.assert(
      fc.property(inputs, cuts, (bytes, at) => streamed(bytes, at) === decoderAccepts(bytes)),
      runs(3000),
    );
  });
  test('Utf8Validator fails at the same byte as the streaming decoder (fail fast, RFC 6455 §8.1)', () => {
    fc.assert(
      fc.property(inputs, (bytes) => validatorFirstError(bytes) === decoderFirstError(bytes)),
      runs(1500),
    );
  });
  test('write(bytes, start, end) reads only its range', () => {
    fc.assert(
      fc.property(inputs, randomBytes, randomBytes, (bytes, before, after) => {
        const whole = new Uint8Array(before.length + bytes.length + after.length);
        whole.set(before);
        whole.set(bytes, before.length);
        whole.set(after, before.length + bytes.length);
        const validator = new Utf8Validator();
        const ok = validator.write(whole, before.length, before.length + bytes.length) && validator.complete;
        return ok === decoderAccepts(bytes);
      }),
      runs(1000),
    );
  });
});

describe('UTF-8 edge code points', () => {
  const valid: [string, string][] = [
    ['U+0000', '00'],
    ['U+007F', '7f'],
    ['U+0080', 'c2 80'],
    ['U+07FF', 'df bf'],
    ['U+0800', 'e0 a0 80'],
    ['U+D7FF (last before the surrogates)', 'ed 9f bf'],
    ['U+E000 (first after the surrogates)', 'ee 80 80'],
    ['U+FFFD', 'ef bf bd'],
    ['U+FFFF', 'ef bf bf'],
    ['U+10000', 'f0 90 80 80'],
    ['U+10FFFF', 'f4 8f bf bf'],
  ];
  const invalid: [string, string][] = [
    ['U+D800 (surrogate)', 'ed a0 80'],
    ['U+DBFF (surrogate)', 'ed af bf'],
    ['U+DC00 (surrogate)', 'ed b0 80'],
    ['U+DFFF (surrogate)', 'ed bf bf'],
    ['a surrogate pair encoded as two sequences (CESU-8)', 'ed a0 bd ed b4 9e'],
    ['U+110000', 'f4 90 80 80'],
    ['lead byte F5', 'f5 80 80 80'],
    ['lead byte F8 (5-byte form)', 'f8 88 80 80 80'],
    ['lead byte FC (6-byte form)', 'fc 84 80 80 80 80'],
    ['bytes FE and FF', 'fe ff'],
    ['overlong U+0000', 'c0 80'],
    ['overlong U+007F', 'c1 bf'],
    ['overlong U+07FF', 'e0 9f bf'],
    ['overlong U+FFFF', 'f0 8f bf bf'],
    ['lone continuation', 'bf'],
    ['truncated 2-byte', 'c2'],
    ['truncated 3-byte', 'e0 a0'],
    ['truncated 4-byte', 'f0 90 80'],
    ['a lead byte followed by ASCII', 'e1 41 41'],
  ];
  for (const [name, bytesHex] of valid) {
    test(`${name} (${bytesHex}) is valid, alone, between ASCII, and split at every point`, () => {
      for (const bytes of [hex(bytesHex), hex(`61 ${bytesHex} 62`)]) {
        assert.equal(decoderAccepts(bytes), true, 'reference');
        assert.equal(isValidUtf8(bytes), true);
        for (let at = 0; at <= bytes.length; at++) assert.equal(streamed(bytes, [at]), true, `split at ${at}`);
      }
    });
  }
  for (const [name, bytesHex] of invalid) {
    test(`${name} (${bytesHex}) is invalid, alone, between ASCII, and split at every point`, () => {
      for (const bytes of [hex(bytesHex), hex(`61 ${bytesHex} 62`)]) {
        assert.equal(decoderAccepts(bytes), false, 'reference');
        assert.equal(isValidUtf8(bytes), false);
        for (let at = 0; at <= bytes.length; at++) assert.equal(streamed(bytes, [at]), false, `split at ${at}`);
        assert.equal(validatorFirstError(bytes), decoderFirstError(bytes), 'fails at the same byte');
      }
    });
  }
  test('every code point encodes to bytes the validator accepts', () => {
    const encoder = new TextEncoder();
    for (let block = 0; block <= 0x10ffff; block += 0x1000) {
      const points: number[] = [];
      for (let cp = block; cp < block + 0x1000; cp++) if (cp < 0xd800 || cp > 0xdfff) points.push(cp);
      assert.ok(isValidUtf8(encoder.encode(String.fromCodePoint(...points))), `block U+${block.toString(16)}`);
    }
  });
  test('reset() forgets an open sequence', () => {
    const validator = new Utf8Validator();
    assert.equal(validator.write(hex('e2 82')), true);
    assert.equal(validator.complete, false);
    validator.reset();
    assert.equal(validator.complete, true);
    assert.equal(validator.write(hex('41')), true);
    assert.equal(validator.complete, true);
  });
  test('an empty input is valid', () => {
    assert.equal(isValidUtf8(new Uint8Array(0)), true);
    assert.equal(new Utf8Validator().write(new Uint8Array(0)), true);
  });
});
