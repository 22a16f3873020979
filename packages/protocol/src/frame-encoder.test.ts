import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hex, toHex } from '@baro/testing';
import { encodeFrame, encodeFrameFromParts, frameHeaderSize, prepareFrame, type Allocate } from './frame-encoder.js';
import { FrameParser } from './frame-parser.js';
import { parseChunks } from './test-support/recorder.js';
import { concat, readWireFrames } from './test-support/wire.js';

const text = (s: string) => new TextEncoder().encode(s);
function pattern(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + 7) & 0xff;
  return bytes;
}

/** Reads encoder output back with the parser of the receiving role: masked frames are read by servers. */
function readBack(pieces: Uint8Array[], masked: boolean, options: { rsv1Allowed?: boolean } = {}) {
  return parseChunks([concat(pieces)], { role: masked ? 'server' : 'client', maxPayload: 8 * 1024 * 1024, ...options });
}

describe('encodeFrame: RFC 6455 §5.7 examples, byte for byte', () => {
  test('a single-frame unmasked text message: 81 05 48 65 6c 6c 6f', () => {
    assert.equal(toHex(concat(encodeFrame(0x1, text('Hello')))), '810548656c6c6f');
  });
  test('a single-frame masked text message: 81 85, the key, then the masked bytes', () => {
    const bytes = concat(encodeFrame(0x1, text('Hello'), { mask: true }));
    assert.equal(bytes.length, 11);
    assert.equal(toHex(bytes.subarray(0, 2)), '8185');
    const key = bytes.subarray(2, 6);
    const unmasked = Array.from(bytes.subarray(6), (b, i) => b ^ key[i & 3]);
    assert.deepEqual(unmasked, Array.from(text('Hello')));
  });
  test('a fragmented unmasked text message: 01 03 48 65 6c, 80 02 6c 6f', () => {
    assert.equal(toHex(concat(encodeFrame(0x1, text('Hel'), { fin: false }))), '010348656c');
    assert.equal(toHex(concat(encodeFrame(0x0, text('lo')))), '80026c6f');
  });
  test('an unmasked ping: 89 05 48 65 6c 6c 6f', () => {
    assert.equal(toHex(concat(encodeFrame(0x9, text('Hello')))), '890548656c6c6f');
  });
  test('256 bytes binary: header 82 7e 01 00', () => {
    const bytes = concat(encodeFrame(0x2, pattern(256)));
    assert.equal(toHex(bytes.subarray(0, 4)), '827e0100');
    assert.equal(bytes.length, 4 + 256);
  });
  test('64 KiB binary: header 82 7f 00 00 00 00 00 01 00 00', () => {
    const bytes = concat(encodeFrame(0x2, pattern(65536)));
    assert.equal(toHex(bytes.subarray(0, 10)), '827f0000000000010000');
    assert.equal(bytes.length, 10 + 65536);
  });
  test('a length past 32 bits is written in full (the payload of a large unmasked frame is not read)', () => {
    // A stand-in for a 4 GiB payload: only its length is used when header and payload are written apart.
    const huge = { length: 2 ** 32 + 5 } as unknown as Uint8Array;
    const [header] = encodeFrame(0x2, huge);
    assert.equal(toHex(header), '827f0000000100000005');
  });
});

/** Parses and returns the messages as bytes (copies): cheaper than hex for megabyte payloads. */
function messagesOf(pieces: Uint8Array[], masked: boolean): { data: Uint8Array; binary: boolean }[] {
  const out: { data: Uint8Array; binary: boolean }[] = [];
  const parser = new FrameParser(
    { role: masked ? 'server' : 'client', maxPayload: 8 * 1024 * 1024 },
    {
      onMessage: (data, binary) => out.push({ data: data.slice(), binary }),
      onControl: () => assert.fail('no control frame expected'),
      onError: (error) => assert.fail(error),
    },
  );
  for (const piece of pieces) parser.push(piece.slice());
  return out;
}

describe('encodeFrame: every length boundary round-trips', () => {
  const lengths = [0, 1, 125, 126, 127, 65535, 65536, 65537, 1024 * 1024];
  for (const length of lengths) {
    for (const masked of [false, true]) {
      test(`${length} bytes, ${masked ? 'masked (client)' : 'unmasked (server)'}`, () => {
        const payload = pattern(length);
        const pieces = encodeFrame(0x2, payload, { mask: masked });
        const [frame] = readWireFrames(concat(pieces));
        assert.equal(frame.headerLength, frameHeaderSize(length, masked));
        const form = concat(pieces)[1] & 0x7f;
        assert.equal(form, length < 126 ? length : length < 65536 ? 126 : 127, 'the shortest length form');
        assert.equal(frame.key !== null, masked);
        assert.deepEqual(messagesOf(pieces, masked), [{ data: pattern(length), binary: true }]);
        assert.deepEqual(payload, pattern(length), 'the payload is not modified');
      });
    }
  }
  test('a text frame and a 125-byte control frame round-trip in both roles', () => {
    for (const masked of [false, true]) {
      assert.deepEqual(readBack(encodeFrame(0x1, text('κόσμε'), { mask: masked }), masked), [
        { type: 'message', binary: false, compressed: false, hex: toHex(text('κόσμε')) },
      ]);
      assert.deepEqual(readBack(encodeFrame(0x9, pattern(125), { mask: masked }), masked), [{ type: 'control', opcode: 9, hex: toHex(pattern(125)) }]);
    }
  });
  test('frameHeaderSize at each boundary', () => {
    const expected: [number, number][] = [[0, 2], [125, 2], [126, 4], [65535, 4], [65536, 10], [2 ** 40, 10]];
    for (const [length, size] of expected) {
      assert.equal(frameHeaderSize(length, false), size, `${length} unmasked`);
      assert.equal(frameHeaderSize(length, true), size + 4, `${length} masked`);
    }
  });
});

describe('encodeFrame: masking', () => {
  test('the payload passed in is never modified (masking copies)', () => {
    for (const length of [0, 3, 4, 5, 125, 16 * 1024, 16 * 1024 + 1, 100_000]) {
      const payload = pattern(length);
      for (const mask of [false, true]) {
        const pieces = encodeFrame(0x2, payload, { mask });
        assert.deepEqual(payload, pattern(length), `${length} bytes, mask ${mask}`);
        // And the frame does not alias the payload when masked.
        if (mask) for (const piece of pieces) assert.notEqual(piece.buffer, payload.buffer);
      }
    }
  });
  test('each masked frame gets its own key', () => {
    const keys = new Set<string>();
    for (let i = 0; i < 64; i++) {
      const [frame] = readWireFrames(concat(encodeFrame(0x1, text('same'), { mask: true })));
      keys.add(toHex(frame.key!));
    }
    assert.equal(keys.size, 64);
  });
  test('masking uses the key from the header, across the 4-byte cycle at every payload length', () => {
    for (let length = 0; length <= 9; length++) {
      const payload = pattern(length);
      const bytes = concat(encodeFrame(0x2, payload, { mask: true }));
      const key = bytes.subarray(2, 6);
      assert.deepEqual(Array.from(bytes.subarray(6), (b, i) => b ^ key[i % 4]), Array.from(payload), `length ${length}`);
    }
  });
});

describe('encodeFrame: FIN and RSV1', () => {
  test('the first byte carries fin, rsv1 and the opcode', () => {
    const cases: [boolean, boolean, number, string][] = [
      [true, false, 0x1, '81'],
      [false, false, 0x1, '01'],
      [true, true, 0x1, 'c1'],
      [false, true, 0x2, '42'],
      [true, false, 0x0, '80'],
      [false, false, 0x0, '00'],
      [true, false, 0xa, '8a'],
    ];
    for (const [fin, rsv1, opcode, first] of cases) {
      for (const mask of [false, true]) {
        const bytes = concat(encodeFrame(opcode, text('x'), { fin, rsv1, mask }));
        assert.equal(toHex(bytes.subarray(0, 1)), first, `fin ${fin} rsv1 ${rsv1} opcode ${opcode}`);
        assert.equal((bytes[1] & 0x80) !== 0, mask);
      }
    }
  });
  test('fin defaults to true and rsv1 to false', () => {
    assert.equal(concat(encodeFrame(0x2, new Uint8Array(0)))[0], 0x82);
  });
  test('a compressed first frame reads back as compressed when RSV1 is allowed', () => {
    const deflated = hex('f2 48 cd c9 c9 07 00');
    assert.deepEqual(readBack(encodeFrame(0x1, deflated, { rsv1: true }), false, { rsv1Allowed: true }), [
      { type: 'message', binary: false, compressed: true, hex: toHex(deflated) },
    ]);
  });
});

describe('prepareFrame', () => {
  test('bytes equal encodeFrame’s for the same message, at every length boundary', () => {
    for (const length of [0, 1, 125, 126, 16 * 1024, 16 * 1024 + 1, 65535, 65536, 300_000]) {
      const payload = pattern(length);
      for (const binary of [false, true]) {
        for (const compressed of [false, true]) {
          const prepared = prepareFrame(payload, binary, compressed);
          const encoded = concat(encodeFrame(binary ? 0x2 : 0x1, payload, { rsv1: compressed }));
          assert.equal(prepared.bytes.length, encoded.length);
          assert.ok(prepared.bytes.every((b, i) => b === encoded[i]), `length ${length} binary ${binary} compressed ${compressed}`);
          assert.equal(prepared.binary, binary);
          assert.equal(prepared.compressed, compressed);
        }
      }
      assert.deepEqual(payload, pattern(length), 'the payload is not modified');
    }
  });
  test('the prepared frame is one unmasked buffer that owns its bytes', () => {
    const payload = text('Hello');
    const prepared = prepareFrame(payload, false);
    assert.equal(toHex(prepared.bytes), '810548656c6c6f');
    payload[0] = 0x4a;
    assert.equal(toHex(prepared.bytes), '810548656c6c6f', 'later changes to the payload do not reach the frame');
  });
});

describe('allocate: buffers that are not zero-filled', () => {
  // What Node's Buffer.allocUnsafe may hand out: old bytes. Every byte of a frame must be written.
  const dirty: Allocate = (size) => new Uint8Array(size).fill(0xee);
  const lengths = [0, 1, 5, 125, 126, 65535, 65536, 16 * 1024 + 1];

  test('encodeFrame writes every byte (unmasked: same bytes as zero-filled buffers)', () => {
    for (const length of lengths) {
      for (const [fin, rsv1] of [[true, false], [false, true], [false, false]] as const) {
        const payload = pattern(length);
        const expected = concat(encodeFrame(0x2, payload, { fin, rsv1 }));
        const actual = concat(encodeFrame(0x2, payload, { fin, rsv1 }, dirty));
        assert.equal(toHex(actual), toHex(expected), `length ${length} fin ${fin} rsv1 ${rsv1}`);
      }
    }
  });
  test('encodeFrame writes every byte (masked: reads back exactly)', () => {
    for (const length of lengths) {
      const payload = pattern(length);
      const [frame] = readWireFrames(concat(encodeFrame(0x1, payload, { fin: false, mask: true }, dirty)));
      assert.equal(frame.fin, false);
      assert.equal(frame.rsv1 || frame.rsv2 || frame.rsv3, false);
      assert.equal(frame.opcode, 0x1);
      assert.equal(frame.headerLength, frameHeaderSize(length, true));
      assert.deepEqual(frame.payload, payload, `length ${length}`);
    }
  });
  test('prepareFrame writes every byte', () => {
    for (const length of lengths) {
      const payload = pattern(length);
      assert.equal(toHex(prepareFrame(payload, true, false, dirty).bytes), toHex(prepareFrame(payload, true).bytes), `length ${length}`);
    }
  });
});

describe('encodeFrameFromParts', () => {
  for (const size of [0, 5, 125, 126, 16 * 1024, 16 * 1024 + 1, 70_000]) {
    test(`a ${size}-byte payload in two parts equals encodeFrame of the joined payload`, () => {
      const payload = Uint8Array.from({ length: size }, (_, i) => (i * 13) & 0xff);
      const cut = Math.floor(size / 3);
      const fromParts = concatAll(encodeFrameFromParts(0x1, [payload.subarray(0, cut), payload.subarray(cut)]));
      assert.deepEqual(fromParts, concatAll(encodeFrame(0x1, payload)));
    });
  }
  test('large payload parts are passed through, not copied', () => {
    const big = new Uint8Array(20_000);
    const pieces = encodeFrameFromParts(0x2, [Uint8Array.of(1), big]);
    assert.equal(pieces.at(-1), big);
  });
});

function concatAll(pieces: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(pieces.reduce((sum, piece) => sum + piece.length, 0));
  let offset = 0;
  for (const piece of pieces) {
    out.set(piece, offset);
    offset += piece.length;
  }
  return out;
}
