import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildFrame, concatBytes, seededRandom, toHex } from '@baro/testing';
import { FrameParser, DEFAULT_MAX_FRAGMENTS } from './frame-parser.js';
import { ProtocolError, closeCodeFor } from './errors.js';
import type { Role } from './types.js';
import { recordConnection, type ConnectionEvent } from './test-support/connection-recorder.js';
import type { ParserEvent } from './test-support/recorder.js';

/**
 * Property tests of the codec against arbitrary input (ARCHITECTURE.md, "Habits"): any input yields
 * events or one documented protocol error; nothing is thrown; buffered bytes never pass the limits;
 * valid streams give back what was encoded, however they are split.
 */

/** Fixed so runs replay; fast-check prints the seed and path of a failure. Override with FC_SEED. */
const runs = (numRuns: number) => ({ seed: Number(process.env.FC_SEED ?? 0xba20), numRuns, includeErrorInReport: true });

const MAX_PAYLOAD = 1024;
/** A message in progress, plus at most a header and a control frame in progress. */
const BUFFER_BOUND = MAX_PAYLOAD + 14 + 125;
const FAILURE_CODES = new Set([1002, 1007, 1009]);
const roles: Role[] = ['server', 'client'];

// ---------------------------------------------------------------------------------------------
// Valid streams: a model, its frames, and the events it must produce.

interface ControlItem {
  kind: 'control';
  opcode: 9 | 10;
  payload: Uint8Array;
}
interface MessageItem {
  kind: 'message';
  binary: boolean;
  payload: Uint8Array;
  /** Cut points (taken modulo length + 1, repeats give empty fragments). */
  cuts: number[];
  /** Control frames sent between fragments, each after fragment `at % fragments`. */
  interleaved: { at: number; control: ControlItem }[];
}
type Item = ControlItem | MessageItem;
interface ValidStream {
  items: Item[];
  close: { code: number; reason: string } | null;
  /** Seeds masking keys and length forms. */
  seed: number;
}

const controlArb: fc.Arbitrary<ControlItem> = fc.record({
  kind: fc.constant('control' as const),
  opcode: fc.constantFrom(9 as const, 10 as const),
  payload: fc.oneof(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ minLength: 120, maxLength: 125 })),
});
const textPayload = fc.string({ unit: 'binary', maxLength: 120 }).map((s) => new TextEncoder().encode(s));
const binaryPayload = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 40 }), weight: 4 },
  { arbitrary: fc.uint8Array({ minLength: 120, maxLength: 300 }), weight: 2 },
  { arbitrary: fc.uint8Array({ minLength: MAX_PAYLOAD - 4, maxLength: MAX_PAYLOAD }), weight: 1 },
);
const messageArb: fc.Arbitrary<MessageItem> = fc
  .record({
    binary: fc.boolean(),
    text: textPayload,
    bytes: binaryPayload,
    cuts: fc.array(fc.nat(), { maxLength: 4 }),
    interleaved: fc.array(fc.record({ at: fc.nat(), control: controlArb }), { maxLength: 2 }),
  })
  .map(({ binary, text, bytes, cuts, interleaved }) => ({ kind: 'message' as const, binary, payload: binary ? bytes : text, cuts, interleaved }));
const validStreamArb: fc.Arbitrary<ValidStream> = fc.record({
  items: fc.array(fc.oneof({ arbitrary: messageArb, weight: 3 }, { arbitrary: controlArb, weight: 1 }), { maxLength: 6 }),
  close: fc.option(
    fc.record({
      code: fc.constantFrom(1000, 1001, 1003, 1008, 1011, 3000, 4999),
      reason: fc.string({ unit: 'grapheme-ascii', maxLength: 20 }),
    }),
  ),
  seed: fc.nat(),
});

function fragmentsOf(message: MessageItem): Uint8Array[] {
  const length = message.payload.length;
  const points = message.cuts.map((c) => c % (length + 1)).sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const to of [...points, length]) {
    pieces.push(message.payload.subarray(from, to));
    from = to;
  }
  return pieces;
}

/** The frames of the stream as the peer of a `role` endpoint writes them (clients mask). */
function encodeStream(stream: ValidStream, role: Role): Uint8Array {
  const random = seededRandom(stream.seed);
  const frames: Uint8Array[] = [];
  const frame = (opcode: number, payload: Uint8Array, fin = true) => {
    // Sometimes a longer length form than needed: legal, and it exercises the 16/64-bit paths.
    const r = random();
    const lengthForm = r < 0.1 ? 64 : r < 0.2 ? 16 : undefined;
    const mask = role === 'server' ? Uint8Array.from({ length: 4 }, () => Math.floor(random() * 256)) : undefined;
    const isControl = opcode >= 8;
    frames.push(buildFrame({ opcode, payload, fin, mask, lengthForm: isControl ? undefined : lengthForm }));
  };
  for (const item of stream.items) {
    if (item.kind === 'control') {
      frame(item.opcode, item.payload);
      continue;
    }
    const pieces = fragmentsOf(item);
    pieces.forEach((piece, i) => {
      frame(i === 0 ? (item.binary ? 2 : 1) : 0, piece, i === pieces.length - 1);
      if (i < pieces.length - 1) {
        for (const { at, control } of item.interleaved) if (at % (pieces.length - 1) === i) frame(control.opcode, control.payload);
      }
    });
  }
  if (stream.close) {
    const reason = new TextEncoder().encode(stream.close.reason);
    frame(8, concatBytes(Uint8Array.of(stream.close.code >> 8, stream.close.code & 0xff), reason));
  }
  return concatBytes(...frames);
}

/** What a parser reports for the stream, in order. */
function expectedParserEvents(stream: ValidStream): ParserEvent[] {
  const events: ParserEvent[] = [];
  for (const item of stream.items) {
    if (item.kind === 'control') {
      events.push({ type: 'control', opcode: item.opcode, hex: toHex(item.payload) });
      continue;
    }
    const fragments = fragmentsOf(item).length;
    for (let i = 0; i < fragments - 1; i++) {
      for (const { at, control } of item.interleaved) {
        if (at % (fragments - 1) === i) events.push({ type: 'control', opcode: control.opcode, hex: toHex(control.payload) });
      }
    }
    events.push({ type: 'message', binary: item.binary, compressed: false, hex: toHex(item.payload) });
  }
  if (stream.close) {
    const body = concatBytes(Uint8Array.of(stream.close.code >> 8, stream.close.code & 0xff), new TextEncoder().encode(stream.close.reason));
    events.push({ type: 'control', opcode: 8, hex: toHex(body) });
  }
  return events;
}

/** What a connection reports, and what it writes back (pongs, the close echo), as peer-parser events. */
function expectedConnection(stream: ValidStream): { events: ConnectionEvent[]; sent: ParserEvent[] } {
  const events: ConnectionEvent[] = [];
  const sent: ParserEvent[] = [];
  for (const event of expectedParserEvents(stream)) {
    if (event.type === 'message') events.push(event);
    else if (event.type === 'control' && event.opcode === 9) {
      events.push({ type: 'ping', hex: event.hex });
      sent.push({ type: 'control', opcode: 10, hex: event.hex });
    } else if (event.type === 'control' && event.opcode === 10) events.push({ type: 'pong', hex: event.hex });
  }
  if (stream.close) {
    events.push({ type: 'close', code: stream.close.code, reason: stream.close.reason });
    sent.push({ type: 'control', opcode: 8, hex: toHex(Uint8Array.of(stream.close.code >> 8, stream.close.code & 0xff)) });
  } else {
    events.push({ type: 'close', code: 1006, reason: '' });
  }
  return { events, sent };
}

// ---------------------------------------------------------------------------------------------
// Splitting and mutating.

const cutsArb = fc.oneof(
  { arbitrary: fc.array(fc.nat(), { maxLength: 12 }), weight: 4 },
  { arbitrary: fc.constant('bytes' as const), weight: 1 },
);

/** Fresh copies (the parser unmasks in place), cut at the points given, or byte by byte. */
function split(bytes: Uint8Array, cuts: number[] | 'bytes'): Uint8Array[] {
  if (cuts === 'bytes') return Array.from(bytes, (_, i) => bytes.slice(i, i + 1));
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const to of [...points, bytes.length]) {
    chunks.push(bytes.slice(from, to));
    from = to;
  }
  return chunks;
}

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; byte: number }
  | { op: 'truncate'; at: number }
  | { op: 'duplicate'; at: number; length: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; length: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }), weight: 1 },
);

function mutate(bytes: Uint8Array, mutations: Mutation[]): Uint8Array {
  let out: Uint8Array = bytes.slice();
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    if (m.op === 'flip') {
      if (out.length > 0) out[at] ^= 1 << m.bit;
    } else if (m.op === 'set') {
      if (out.length > 0) out[at] = m.byte;
    } else if (m.op === 'truncate') {
      out = out.slice(0, at);
    } else if (m.op === 'duplicate') {
      const piece = out.slice(at, at + m.length);
      out = concatBytes(out.subarray(0, at + piece.length), piece, out.subarray(at + piece.length));
    } else if (m.op === 'insert') {
      out = concatBytes(out.subarray(0, at), m.bytes, out.subarray(at));
    } else {
      out = concatBytes(out.subarray(0, at), out.subarray(at + m.length));
    }
  }
  return out;
}

/** Arbitrary bytes, biased towards frame-like input: plausible first bytes, masked/unmasked lengths. */
const randomStreamArb = fc.oneof(
  fc.uint8Array({ maxLength: 256 }),
  fc
    .array(
      fc.tuple(
        fc.constantFrom(0x00, 0x01, 0x02, 0x08, 0x09, 0x0a, 0x80, 0x81, 0x82, 0x88, 0x89, 0x8a, 0xc1, 0x83, 0x8b, 0x91),
        fc.constantFrom(0x00, 0x01, 0x02, 0x05, 0x7d, 0x7e, 0x7f, 0x80, 0x81, 0x82, 0x85, 0xfd, 0xfe, 0xff),
        fc.uint8Array({ maxLength: 24 }),
      ),
      { maxLength: 12 },
    )
    .map((parts) => concatBytes(...parts.map(([b0, b1, rest]) => concatBytes(Uint8Array.of(b0, b1), rest)))),
);

// ---------------------------------------------------------------------------------------------
// Running the codec with every invariant checked as it goes.

function checkError(error: unknown): asserts error is ProtocolError {
  assert.ok(error instanceof ProtocolError, `not a ProtocolError: ${String(error)}`);
  assert.equal(typeof error.kind, 'string');
  assert.ok(error.kind.startsWith('WS_ERR_'), error.kind);
  assert.equal(error.closeCode, closeCodeFor(error.kind), `close code of ${error.kind}`);
  assert.ok(FAILURE_CODES.has(error.closeCode), `close code ${error.closeCode} for ${error.kind}`);
}

/** Feeds a FrameParser; asserts the invariants; returns its events. Anything thrown by the parser fails the property. */
function runParser(role: Role, chunks: Uint8Array[]): ParserEvent[] {
  const events: ParserEvent[] = [];
  let failed = false;
  const parser = new FrameParser(
    { role, maxPayload: MAX_PAYLOAD },
    {
      onMessage: (data, binary, compressed) => {
        assert.ok(!failed, 'a message reported after the error');
        assert.ok(data.length <= MAX_PAYLOAD, `a message of ${data.length} bytes passed maxPayload`);
        events.push({ type: 'message', binary, compressed, hex: toHex(data) });
      },
      onControl: (opcode, payload) => {
        assert.ok(!failed, 'a control frame reported after the error');
        assert.ok(opcode === 8 || opcode === 9 || opcode === 10, `opcode ${opcode}`);
        assert.ok(payload.length <= 125);
        events.push({ type: 'control', opcode, hex: toHex(payload) });
      },
      onError: (error) => {
        assert.ok(!failed, 'a second error');
        checkError(error);
        failed = true;
        events.push({ type: 'error', kind: error.kind, closeCode: error.closeCode });
      },
    },
  );
  for (const chunk of chunks) {
    parser.push(chunk);
    assert.ok(parser.bufferedBytes <= BUFFER_BOUND, `bufferedBytes ${parser.bufferedBytes} > ${BUFFER_BOUND}`);
    assert.equal(parser.failed, failed);
  }
  return events;
}

/** Feeds a WsConnection then ends the transport; asserts the invariants; returns its events and what it wrote. */
function runConnection(role: Role, chunks: Uint8Array[]): { events: ConnectionEvent[]; sent: ParserEvent[] } {
  const rec = recordConnection({ role, maxPayload: MAX_PAYLOAD });
  for (const chunk of chunks) {
    rec.conn.receiveData(chunk);
    assert.ok(rec.conn.bufferedIncoming <= BUFFER_BOUND, `bufferedIncoming ${rec.conn.bufferedIncoming} > ${BUFFER_BOUND}`);
  }
  rec.conn.receiveEof();
  const { events, errors } = rec;

  // onClose exactly once, and last: nothing is reported after it.
  const closes = events.filter((e) => e.type === 'close');
  assert.equal(closes.length, 1, `onClose ${closes.length} times: ${JSON.stringify(events)}`);
  assert.equal(events.at(-1)?.type, 'close', `events after onClose: ${JSON.stringify(events)}`);
  const close = events.at(-1) as Extract<ConnectionEvent, { type: 'close' }>;
  assert.equal(rec.conn.state, 'closed');

  // At most one error, right before onClose, with the same code.
  assert.ok(errors.length <= 1, `${errors.length} errors`);
  if (errors.length === 1) {
    checkError(errors[0]);
    assert.equal(events.at(-2)?.type, 'error');
    assert.equal(close.code, errors[0].closeCode);
  }

  // What we wrote is well-formed for the peer (masked iff client), with one close frame at most, last.
  for (const frame of rec.sentFrames()) assert.equal(frame.key !== null, role === 'client');
  const sent = rec.sentEvents();
  assert.ok(!sent.some((e) => e.type === 'error'), `we wrote frames our peer rejects: ${JSON.stringify(sent)}`);
  const sentCloses = sent.filter((e) => e.type === 'control' && e.opcode === 8);
  assert.ok(sentCloses.length <= 1, 'more than one close frame written');
  if (sentCloses.length === 1) assert.equal(sent.at(-1), sentCloses[0], 'frames written after the close frame');
  if (errors.length === 1) {
    assert.equal(sentCloses.length, 1);
    assert.equal((sentCloses[0] as { hex: string }).hex, toHex(Uint8Array.of(errors[0].closeCode >> 8, errors[0].closeCode & 0xff)));
  }
  // Every pong written echoes a ping reported, in order.
  const pongs = sent.filter((e) => e.type === 'control' && e.opcode === 10).map((e) => (e as { hex: string }).hex);
  const pings = events.filter((e) => e.type === 'ping').map((e) => (e as { hex: string }).hex);
  assert.deepEqual(pongs, pings.slice(0, pongs.length));
  return { events, sent };
}

// ---------------------------------------------------------------------------------------------

for (const role of roles) {
  describe(`fuzz (${role} role)`, () => {
    test('random byte streams: no throw, at most one documented error, bounded buffering', () => {
      fc.assert(
        fc.property(randomStreamArb, cutsArb, (bytes, cuts) => {
          // The split never changes the outcome.
          assert.deepEqual(runParser(role, split(bytes, cuts)), runParser(role, split(bytes, [])));
          assert.deepEqual(runConnection(role, split(bytes, cuts)), runConnection(role, split(bytes, [])));
        }),
        runs(600),
      );
    });

    test('valid streams split at random points give back exactly what was encoded', () => {
      fc.assert(
        fc.property(validStreamArb, cutsArb, (stream, cuts) => {
          const bytes = encodeStream(stream, role);
          assert.deepEqual(runParser(role, split(bytes, cuts)), expectedParserEvents(stream));
          assert.deepEqual(runConnection(role, split(bytes, cuts)), expectedConnection(stream));
        }),
        runs(200),
      );
    });

    test('mutated valid streams (bit flips, truncation, duplication, insertion): no throw, at most one documented error, bounded buffering', () => {
      fc.assert(
        fc.property(validStreamArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }), cutsArb, (stream, mutations, cuts) => {
          const bytes = mutate(encodeStream(stream, role), mutations);
          // The split never changes the outcome.
          assert.deepEqual(runParser(role, split(bytes, cuts)), runParser(role, split(bytes, [])));
          assert.deepEqual(runConnection(role, split(bytes, cuts)), runConnection(role, split(bytes, [])));
        }),
        runs(400),
      );
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The many-tiny-fragments attack (ws, 2026): piece limits, and no quadratic buffering.

const KEY = [0x37, 0xfa, 0x21, 0x3d];

/** `count` masked frames of one message, each carrying `size` bytes of 0x61 ('a'). */
function fragmentedMessage(count: number, size: number): Uint8Array {
  const frameLength = 2 + 4 + size;
  if (size > 125) throw new Error('short frames only');
  const out = new Uint8Array(count * frameLength);
  for (let i = 0; i < count; i++) {
    const at = i * frameLength;
    out[at] = (i === count - 1 ? 0x80 : 0) | (i === 0 ? 0x2 : 0x0);
    out[at + 1] = 0x80 | size;
    out.set(KEY, at + 2);
    for (let j = 0; j < size; j++) out[at + 6 + j] = 0x61 ^ KEY[j & 3];
  }
  return out;
}

/** Parses a copy of `bytes` (the parser unmasks in place) in chunks of `chunkSize`, timing the pushes. */
function parseTimed(original: Uint8Array, chunkSize: number, maxPayload: number) {
  const bytes = original.slice();
  const messages: Uint8Array[] = [];
  const errors: ProtocolError[] = [];
  let maxBuffered = 0;
  const parser = new FrameParser(
    { role: 'server', maxPayload },
    {
      onMessage: (data) => messages.push(data.slice()),
      onControl: () => assert.fail('no control frames here'),
      onError: (error) => errors.push(error),
    },
  );
  const start = performance.now();
  for (let at = 0; at < bytes.length; at += chunkSize) {
    parser.push(bytes.subarray(at, at + chunkSize));
    if (parser.bufferedBytes > maxBuffered) maxBuffered = parser.bufferedBytes;
  }
  return { messages, errors, maxBuffered, ms: performance.now() - start };
}

/** Counts the Uint8Arrays allocated with a length while `run` runs (views made by subarray are not). */
function countAllocations<T>(run: () => T): { result: T; allocations: number } {
  const Original = globalThis.Uint8Array;
  let allocations = 0;
  class Counting extends Original {
    constructor(...args: unknown[]) {
      super(...(args as [number]));
      if (typeof args[0] === 'number') allocations++;
    }
  }
  globalThis.Uint8Array = Counting as Uint8ArrayConstructor;
  try {
    return { result: run(), allocations };
  } finally {
    globalThis.Uint8Array = Original;
  }
}

describe('many tiny fragments', () => {
  test('50,000 one-byte fragments under maxPayload 1 MiB: one message, the buffer grown by doubling', () => {
    const bytes = fragmentedMessage(50_000, 1);
    for (const chunkSize of [bytes.length, 4096, 7]) {
      const { result, allocations } = countAllocations(() => parseTimed(bytes, chunkSize, 1024 * 1024));
      assert.deepEqual(result.errors, []);
      assert.equal(result.messages.length, 1);
      assert.equal(result.messages[0].length, 50_000);
      assert.ok(result.messages[0].every((b) => b === 0x61));
      assert.ok(result.maxBuffered <= 50_000 + 14, `buffered ${result.maxBuffered}`);
      // Doubling from 256 bytes to 50,000 is 9 allocations; growing piece by piece would be thousands.
      assert.ok(allocations <= 32, `${allocations} buffer allocations for one message (chunks of ${chunkSize})`);
      // A sanity bound, not a benchmark: quadratic copying would take far longer.
      assert.ok(result.ms < 1000, `${result.ms.toFixed(0)} ms (chunks of ${chunkSize})`);
    }
  });

  test('100,000 ten-byte fragments (1,000,000 bytes) at the default maxFragments still finish fast', () => {
    assert.equal(DEFAULT_MAX_FRAGMENTS, 100_000);
    const bytes = fragmentedMessage(DEFAULT_MAX_FRAGMENTS, 10);
    const { result, allocations } = countAllocations(() => parseTimed(bytes, 64 * 1024, 1024 * 1024));
    assert.deepEqual(result.errors, []);
    assert.equal(result.messages[0]?.length, 1_000_000);
    assert.ok(allocations <= 32, `${allocations} buffer allocations`);
    assert.ok(result.ms < 2000, `${result.ms.toFixed(0)} ms`);
  });

  test('100,000 empty fragments are one (empty) message; 100,001 fail with WS_ERR_TOO_MANY_FRAGMENTS', () => {
    const ok = parseTimed(fragmentedMessage(DEFAULT_MAX_FRAGMENTS, 0), 64 * 1024, 1024 * 1024);
    assert.deepEqual(ok.errors, []);
    assert.equal(ok.messages.length, 1);
    assert.equal(ok.messages[0].length, 0);

    const tooMany = parseTimed(fragmentedMessage(DEFAULT_MAX_FRAGMENTS + 1, 0), 64 * 1024, 1024 * 1024);
    assert.equal(tooMany.messages.length, 0);
    assert.equal(tooMany.errors.length, 1);
    assert.equal(tooMany.errors[0].kind, 'WS_ERR_TOO_MANY_FRAGMENTS');
    assert.equal(tooMany.errors[0].closeCode, 1009);
    assert.ok(tooMany.ms < 1000, `${tooMany.ms.toFixed(0)} ms`);
  });

  test('the fragment limit fails at the header of the frame past it, through WsConnection too', () => {
    const rec = recordConnection({ role: 'server', maxFragments: 3 });
    const frames = fragmentedMessage(4, 1);
    rec.conn.receiveData(frames.subarray(0, 3 * 7 + 2)); // three frames, then only the fourth's first two bytes
    assert.equal(rec.events.length, 0);
    rec.conn.receiveData(frames.subarray(3 * 7 + 2, 3 * 7 + 6)); // the rest of its header
    assert.deepEqual(rec.events.map((e) => e.type), ['error', 'close']);
    assert.equal(rec.errors[0]?.kind, 'WS_ERR_TOO_MANY_FRAGMENTS');
    assert.deepEqual(rec.sentEvents(), [{ type: 'control', opcode: 8, hex: '03f1' }]);
  });
});
