import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { allChunkings, buildFrame, concatBytes, hex, toHex, byteByByte } from '@baro/testing';
import { parseChunks, type ParserEvent } from './test-support/recorder.js';
import type { FrameParserOptions } from './frame-parser.js';

const text = (s: string) => new TextEncoder().encode(s);

/** Parses the stream whole, byte by byte and split at every point; all must agree with `expected`. */
function expectEverywhere(stream: Uint8Array, expected: ParserEvent[], options: Partial<FrameParserOptions> = {}) {
  for (const [how, chunks] of allChunkings(stream)) {
    assert.deepEqual(parseChunks(chunks, options), expected, `chunked ${how}`);
  }
}

function expectError(stream: Uint8Array, kind: string, closeCode: number, options: Partial<FrameParserOptions> = {}) {
  for (const [how, chunks] of allChunkings(stream)) {
    const events = parseChunks(chunks, options);
    const last = events.at(-1);
    assert.deepEqual(last, { type: 'error', kind, closeCode }, `chunked ${how}: ${JSON.stringify(events)}`);
    assert.equal(events.filter((e) => e.type === 'error').length, 1, 'exactly one error');
  }
}

const msg = (s: string | Uint8Array, binary = false): ParserEvent => ({
  type: 'message',
  binary,
  compressed: false,
  hex: toHex(typeof s === 'string' ? text(s) : s),
});

describe('RFC 6455 §5.7 examples', () => {
  test('a single-frame unmasked text message (client role)', () => {
    expectEverywhere(hex('81 05 48 65 6c 6c 6f'), [msg('Hello')], { role: 'client' });
  });
  test('a single-frame masked text message (server role)', () => {
    expectEverywhere(hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'), [msg('Hello')]);
  });
  test('a fragmented unmasked text message', () => {
    expectEverywhere(hex('01 03 48 65 6c 80 02 6c 6f'), [msg('Hello')], { role: 'client' });
  });
  test('unmasked ping and masked pong', () => {
    expectEverywhere(hex('89 05 48 65 6c 6c 6f'), [{ type: 'control', opcode: 9, hex: toHex(text('Hello')) }], { role: 'client' });
    expectEverywhere(hex('8a 85 37 fa 21 3d 7f 9f 4d 51 58'), [{ type: 'control', opcode: 10, hex: toHex(text('Hello')) }]);
  });
  test('256 bytes and 64 KiB binary messages in one unmasked frame', () => {
    const small = Uint8Array.from({ length: 256 }, (_, i) => i);
    assert.deepEqual(toHex(buildFrame({ opcode: 2, payload: small }).subarray(0, 4)), '827e0100');
    expectEverywhere(buildFrame({ opcode: 2, payload: small }), [msg(small, true)], { role: 'client' });
    const big = Uint8Array.from({ length: 65536 }, (_, i) => i * 7);
    const frame = buildFrame({ opcode: 2, payload: big });
    assert.equal(toHex(frame.subarray(0, 10)), '827f0000000000010000');
    for (const chunks of [[frame.slice()], byteByByte(frame)]) {
      assert.deepEqual(parseChunks(chunks, { role: 'client' }), [msg(big, true)]);
    }
  });
});

describe('lengths', () => {
  for (const length of [0, 1, 125, 126, 127, 65535, 65536]) {
    test(`${length}-byte binary message, masked`, () => {
      const payload = Uint8Array.from({ length }, (_, i) => (i * 31) & 0xff);
      const frame = buildFrame({ opcode: 2, payload, mask: true });
      const expected = [msg(payload, true)];
      assert.deepEqual(parseChunks([frame.slice()]), expected);
      assert.deepEqual(parseChunks(byteByByte(frame)), expected);
    });
  }
  test('non-minimal length encodings are accepted (16-bit and 64-bit forms of 5 bytes)', () => {
    expectEverywhere(buildFrame({ opcode: 1, payload: 'Hello', mask: true, lengthForm: 16 }), [msg('Hello')]);
    expectEverywhere(buildFrame({ opcode: 1, payload: 'Hello', mask: true, lengthForm: 64 }), [msg('Hello')]);
  });
  test('a 64-bit length with the top bit set is a protocol error', () => {
    expectError(buildFrame({ opcode: 2, mask: true, lengthForm: 64, declaredLength: 1n << 63n }), 'WS_ERR_UNSUPPORTED_LENGTH', 1002);
  });
});

describe('maxPayload', () => {
  test('a message of exactly maxPayload passes; one byte more is refused at the header with 1009', () => {
    const payload = new Uint8Array(1000).fill(0x61);
    expectEverywhere(buildFrame({ opcode: 1, payload, mask: true }), [msg(payload)], { maxPayload: 1000 });
    // Only the header is sent: the refusal must not wait for (or buffer) the payload.
    const header = buildFrame({ opcode: 1, mask: true, declaredLength: 1001 });
    expectError(header, 'WS_ERR_MESSAGE_TOO_BIG', 1009, { maxPayload: 1000 });
  });
  test('the limit counts all fragments of a message', () => {
    const first = buildFrame({ opcode: 1, payload: 'a'.repeat(600), fin: false, mask: true });
    const second = buildFrame({ opcode: 0, payload: 'a'.repeat(400), mask: true });
    expectEverywhere(concatBytes(first, second), [msg('a'.repeat(1000))], { maxPayload: 1000 });
    const third = buildFrame({ opcode: 0, payload: 'a'.repeat(401), mask: true });
    const events = parseChunks([concatBytes(first, third)], { maxPayload: 1000 });
    assert.deepEqual(events, [{ type: 'error', kind: 'WS_ERR_MESSAGE_TOO_BIG', closeCode: 1009 }]);
  });
  test('a huge declared 64-bit length fails before any payload arrives', () => {
    expectError(buildFrame({ opcode: 2, mask: true, declaredLength: 2n ** 53n }), 'WS_ERR_MESSAGE_TOO_BIG', 1009);
  });
});

describe('maxFragments', () => {
  test('exactly maxFragments frames (empty ones count) pass; one more fails with 1009', () => {
    const frames = (count: number) =>
      concatBytes(
        ...Array.from({ length: count }, (_, i) =>
          buildFrame({ opcode: i === 0 ? 1 : 0, fin: i === count - 1, payload: i % 2 ? 'x' : '', mask: true }),
        ),
      );
    assert.deepEqual(parseChunks([frames(10)], { maxFragments: 10 }), [msg('xxxxx')]);
    assert.deepEqual(parseChunks([frames(11)], { maxFragments: 10 }), [{ type: 'error', kind: 'WS_ERR_TOO_MANY_FRAGMENTS', closeCode: 1009 }]);
  });
});

describe('framing rules', () => {
  test('masking is required from clients and forbidden from servers', () => {
    expectError(buildFrame({ opcode: 1, payload: 'hi' }), 'WS_ERR_EXPECTED_MASK', 1002);
    expectError(buildFrame({ opcode: 1, payload: 'hi', mask: true }), 'WS_ERR_UNEXPECTED_MASK', 1002, { role: 'client' });
  });
  test('unknown opcodes are refused with 1002', () => {
    for (const opcode of [3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]) {
      expectError(buildFrame({ opcode, mask: true }), 'WS_ERR_INVALID_OPCODE', 1002);
    }
  });
  test('RSV bits without an extension are refused with 1002', () => {
    expectError(buildFrame({ opcode: 1, rsv1: true, mask: true }), 'WS_ERR_UNEXPECTED_RSV', 1002);
    expectError(buildFrame({ opcode: 1, rsv2: true, mask: true }), 'WS_ERR_UNEXPECTED_RSV', 1002);
    expectError(buildFrame({ opcode: 1, rsv3: true, mask: true }), 'WS_ERR_UNEXPECTED_RSV', 1002);
    expectError(buildFrame({ opcode: 1, rsv2: true, mask: true }), 'WS_ERR_UNEXPECTED_RSV', 1002, { rsv1Allowed: true });
  });
  test('RSV1 with permessage-deflate: allowed on the first data frame, never on continuations or control frames', () => {
    const deflated = hex('f2 48 cd c9 c9 07 00');
    expectEverywhere(buildFrame({ opcode: 1, rsv1: true, payload: deflated, mask: true }), [{ type: 'message', binary: false, compressed: true, hex: toHex(deflated) }], { rsv1Allowed: true });
    const continuation = concatBytes(buildFrame({ opcode: 1, fin: false, rsv1: true, mask: true }), buildFrame({ opcode: 0, rsv1: true, mask: true }));
    expectError(continuation, 'WS_ERR_UNEXPECTED_RSV', 1002, { rsv1Allowed: true });
    expectError(buildFrame({ opcode: 9, rsv1: true, mask: true }), 'WS_ERR_UNEXPECTED_RSV', 1002, { rsv1Allowed: true });
  });
  test('control frames: over 125 bytes or fragmented is a protocol error', () => {
    expectError(buildFrame({ opcode: 9, payload: new Uint8Array(126), mask: true }), 'WS_ERR_INVALID_CONTROL_LENGTH', 1002);
    expectError(buildFrame({ opcode: 9, payload: new Uint8Array(5), mask: true, lengthForm: 16 }), 'WS_ERR_INVALID_CONTROL_LENGTH', 1002);
    expectError(buildFrame({ opcode: 9, fin: false, mask: true }), 'WS_ERR_FRAGMENTED_CONTROL', 1002);
    expectError(buildFrame({ opcode: 8, fin: false, mask: true }), 'WS_ERR_FRAGMENTED_CONTROL', 1002);
    const ping125 = new Uint8Array(125).fill(7);
    expectEverywhere(buildFrame({ opcode: 9, payload: ping125, mask: true }), [{ type: 'control', opcode: 9, hex: toHex(ping125) }]);
  });
  test('continuation without a message, and a new message inside a fragmented one, are refused', () => {
    expectError(buildFrame({ opcode: 0, payload: 'x', mask: true }), 'WS_ERR_UNEXPECTED_CONTINUATION', 1002);
    const interrupted = concatBytes(buildFrame({ opcode: 1, fin: false, payload: 'a', mask: true }), buildFrame({ opcode: 2, payload: 'b', mask: true }));
    expectError(interrupted, 'WS_ERR_EXPECTED_CONTINUATION', 1002);
  });
  test('ping, pong and close may interleave inside a fragmented message', () => {
    const stream = concatBytes(
      buildFrame({ opcode: 1, fin: false, payload: 'frag', mask: true }),
      buildFrame({ opcode: 9, payload: 'p1', mask: true }),
      buildFrame({ opcode: 0, fin: false, payload: 'men', mask: true }),
      buildFrame({ opcode: 10, payload: 'p2', mask: true }),
      buildFrame({ opcode: 0, fin: true, payload: 'ted', mask: true }),
      buildFrame({ opcode: 8, payload: hex('03e8'), mask: true }),
    );
    expectEverywhere(stream, [
      { type: 'control', opcode: 9, hex: toHex(text('p1')) },
      { type: 'control', opcode: 10, hex: toHex(text('p2')) },
      msg('fragmented'),
      { type: 'control', opcode: 8, hex: '03e8' },
    ]);
  });
  test('many messages in one chunk, each delivered in order', () => {
    const frames = Array.from({ length: 50 }, (_, i) => buildFrame({ opcode: i % 2 ? 2 : 1, payload: `m${i}`, mask: true }));
    assert.deepEqual(
      parseChunks([concatBytes(...frames)]),
      frames.map((_, i) => msg(`m${i}`, i % 2 === 1)),
    );
  });
  test('nothing is reported after an error, whatever follows', () => {
    const stream = concatBytes(buildFrame({ opcode: 3, mask: true }), buildFrame({ opcode: 1, payload: 'after', mask: true }));
    expectError(stream, 'WS_ERR_INVALID_OPCODE', 1002);
  });
});

describe('UTF-8', () => {
  const valid = ['', 'ascii', 'κόσμε', '바로', '𝄞 music', '\u{10FFFF}', '\uE000'];
  for (const sample of valid) {
    test(`valid text ${JSON.stringify(sample)} in one frame and fragmented at every byte`, () => {
      const bytes = text(sample);
      expectEverywhere(buildFrame({ opcode: 1, payload: bytes, mask: true }), [msg(bytes)]);
      const fragmented = concatBytes(
        ...Array.from(bytes, (byte, i) => buildFrame({ opcode: i === 0 ? 1 : 0, fin: i === bytes.length - 1, payload: Uint8Array.of(byte), mask: true })),
      );
      if (bytes.length > 0) assert.deepEqual(parseChunks([fragmented]), [msg(bytes)]);
    });
  }
  const invalid: [string, string][] = [
    ['lone continuation byte', '80'],
    ['overlong 2-byte', 'c0 af'],
    ['overlong 3-byte', 'e0 80 af'],
    ['overlong 4-byte', 'f0 80 80 af'],
    ['UTF-16 surrogate', 'ed a0 80'],
    ['above U+10FFFF', 'f4 90 80 80'],
    ['byte 0xff', 'ff'],
    ['truncated sequence at the end', 'ce ba e1 bd b9 cf 83 ce bc ce b5 ed'],
  ];
  for (const [name, bytesHex] of invalid) {
    test(`invalid text (${name}) closes with 1007`, () => {
      expectError(buildFrame({ opcode: 1, payload: hex(bytesHex), mask: true }), 'WS_ERR_INVALID_UTF8', 1007);
    });
  }
  test('invalid UTF-8 inside a fragmented message fails fast, before the message ends', () => {
    // Autobahn 6.4.1: the first fragment is valid, the second carries a bad sequence, the last never comes.
    const stream = concatBytes(
      buildFrame({ opcode: 1, fin: false, payload: hex('ce ba e1 bd b9 cf 83 ce bc ce b5'), mask: true }),
      buildFrame({ opcode: 0, fin: false, payload: hex('f4 90 80 80'), mask: true }),
    );
    expectError(stream, 'WS_ERR_INVALID_UTF8', 1007);
  });
  test('a code point split across fragments at every byte is valid', () => {
    const bytes = text('a𝄞b바c');
    for (let at = 1; at < bytes.length; at++) {
      const stream = concatBytes(
        buildFrame({ opcode: 1, fin: false, payload: bytes.subarray(0, at), mask: true }),
        buildFrame({ opcode: 0, payload: bytes.subarray(at), mask: true }),
      );
      expectEverywhere(stream, [msg(bytes)]);
    }
  });
  test('binary messages are not checked for UTF-8', () => {
    expectEverywhere(buildFrame({ opcode: 2, payload: hex('ff fe'), mask: true }), [msg(hex('ff fe'), true)]);
  });
});
