import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { InflateRaw, constants as zlibConstants, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { DeflateParams, Role } from '@baro/protocol';
import { PerMessageDeflate } from './permessage-deflate.js';
import type { PerMessageDeflateOptions } from './permessage-deflate.js';
import { ZlibLimiter } from './zlib-limiter.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);

function params(overrides: Partial<DeflateParams> = {}): DeflateParams {
  return {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: 15,
    clientMaxWindowBits: 15,
    ...overrides,
  };
}

type Extra = Omit<PerMessageDeflateOptions, 'params' | 'role' | 'maxInflatedBytes'> & { maxInflatedBytes?: number };

/** Every instance a test opens; closed after each test so no zlib stream outlives it. */
const opened: PerMessageDeflate[] = [];
afterEach(() => {
  for (const instance of opened.splice(0)) instance.close();
});

function endpoint(role: Role, negotiated: DeflateParams, extra: Extra = {}): PerMessageDeflate {
  const instance = new PerMessageDeflate({ maxInflatedBytes: 16 * MiB, ...extra, params: negotiated, role });
  opened.push(instance);
  return instance;
}

/** Both ends of one connection, as separate instances that share nothing but the negotiated params. */
function connection(negotiated: DeflateParams, extra: Extra = {}) {
  return { server: endpoint('server', negotiated, extra), client: endpoint('client', negotiated, extra) };
}

function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function assertBytes(actual: Uint8Array, expected: Uint8Array, what = 'bytes'): void {
  if (!asBuffer(actual).equals(asBuffer(expected))) {
    const show = (b: Uint8Array) => (b.byteLength <= 64 ? asBuffer(b).toString('hex') : `${b.byteLength} bytes`);
    assert.fail(`${what} differ: got ${show(actual)}, want ${show(expected)}`);
  }
}

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce. */
function randomBytes(length: number, seed = 0x9e3779b9): Buffer {
  const out = Buffer.allocUnsafe(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}

const WORDS = ['quiz', 'answer', 'room', 'socket', 'frame', 'deflate', 'é', 'ünïcode', '🎲', 'score', '{"id":', '},'];

/** Text that compresses like real JSON chatter: words from a small vocabulary, in a random order. */
function textOf(length: number, seed = 7): Buffer {
  const picks = randomBytes(Math.ceil(length / 2) + 16, seed);
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < length; i++) {
    const word = WORDS[picks[i % picks.length]! % WORDS.length]! + ' ';
    parts.push(word);
    size += Buffer.byteLength(word);
  }
  // Cut at a byte boundary: the codec does not care about UTF-8, only about bytes.
  return Buffer.from(parts.join('')).subarray(0, length);
}

/** Binary that is half noise, half repeats, so both literal and match paths run. */
function binaryOf(length: number, seed = 11): Buffer {
  const out = randomBytes(length, seed);
  for (let start = 0; start + 512 <= length; start += 1024) out.copy(out, start + 256, start, start + 256);
  return out;
}

/** What a plain zlib produces for `data` as one RFC 7692 message (sync flush, trailer removed). */
function referenceCompress(data: Uint8Array, windowBits = 15): Buffer {
  const flushed = deflateRawSync(data, { windowBits, finishFlush: zlibConstants.Z_SYNC_FLUSH });
  return flushed.subarray(0, flushed.byteLength - TRAILER.byteLength);
}

/** What a plain zlib makes of one RFC 7692 message: trailer appended, inflated, no final block needed. */
function referenceInflate(payload: Uint8Array, windowBits = 15): Buffer {
  return inflateRawSync(Buffer.concat([payload, TRAILER]), { windowBits, finishFlush: zlibConstants.Z_SYNC_FLUSH });
}

/** Counts the bytes every InflateRaw stream emits while `body` runs: what zlib really produced. */
async function countInflatedBytes(body: () => Promise<void>): Promise<number> {
  const proto = InflateRaw.prototype as unknown as { emit(event: string | symbol, ...args: unknown[]): boolean };
  const original = proto.emit;
  const hadOwnEmit = Object.hasOwn(proto, 'emit');
  let emitted = 0;
  proto.emit = function (this: unknown, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'data') emitted += (args[0] as Buffer).byteLength;
    return original.call(this, event, ...args);
  };
  try {
    await body();
  } finally {
    if (hadOwnEmit) proto.emit = original;
    else delete (proto as { emit?: unknown }).emit;
  }
  return emitted;
}

describe('PerMessageDeflate: threshold', () => {
  test('messages shorter than the threshold (default 1024) stay uncompressed', () => {
    const server = endpoint('server', params());
    assert.equal(server.shouldCompress(0), false);
    assert.equal(server.shouldCompress(1023), false);
    assert.equal(server.shouldCompress(1024), true);
    assert.equal(server.shouldCompress(1025), true);
    const eager = endpoint('server', params(), { threshold: 0 });
    assert.equal(eager.shouldCompress(0), true);
  });
});

describe('PerMessageDeflate: round trips', () => {
  const sizes = [0, 1, 1023, 1024, 1025, 64 * KiB, 16 * MiB];
  for (const [kind, make] of [
    ['text', textOf],
    ['binary', binaryOf],
  ] as const) {
    for (const [from, to] of [
      ['server', 'client'],
      ['client', 'server'],
    ] as const) {
      test(`${kind} ${from} → ${to}, sizes ${sizes.join(', ')}`, async () => {
        const ends = connection(params());
        for (const size of sizes) {
          const message = make(size);
          const compressed = await ends[from].compress(message);
          assertBytes(await ends[to].decompress(compressed), message, `${kind} of ${size} bytes`);
          if (size >= 64 * KiB && kind === 'text') assert.ok(compressed.byteLength < size / 2, 'text compresses');
        }
      });
    }
  }

  test('many messages in a row on one context, both directions at once', async () => {
    const ends = connection(params());
    for (let i = 0; i < 200; i++) {
      const message = i % 3 === 0 ? binaryOf(i * 37, i + 1) : textOf(i * 53, i + 1);
      const [toClient, toServer] = await Promise.all([ends.server.compress(message), ends.client.compress(message)]);
      const [atClient, atServer] = await Promise.all([ends.client.decompress(toClient), ends.server.decompress(toServer)]);
      assertBytes(atClient, message, `message ${i} to client`);
      assertBytes(atServer, message, `message ${i} to server`);
    }
  });

  test('the compressed form is plain RFC 7692 DEFLATE: a plain zlib inflater reads it', async () => {
    const ends = connection(params());
    const message = textOf(10 * KiB);
    const compressed = await ends.server.compress(message);
    assertBytes(referenceInflate(compressed), message);
    assertBytes(compressed, referenceCompress(message), 'same bytes as zlib');
  });
});

describe('PerMessageDeflate: context takeover (RFC 7692 §7.1.1)', () => {
  const message = textOf(4 * KiB, 3);

  for (const sender of ['server', 'client'] as const) {
    const receiver = sender === 'server' ? 'client' : 'server';
    const flag = sender === 'server' ? 'serverNoContextTakeover' : 'clientNoContextTakeover';

    test(`${sender} with takeover: the repeat is smaller and needs the shared window`, async () => {
      const ends = connection(params());
      const first = await ends[sender].compress(message);
      const second = await ends[sender].compress(message);
      assert.ok(second.byteLength < first.byteLength / 4, `${second.byteLength} vs ${first.byteLength}`);
      assertBytes(await ends[receiver].decompress(first), message);
      assertBytes(await ends[receiver].decompress(second), message);
      // Alone, the second message refers to bytes the reader never saw.
      const fresh = connection(params());
      await assert.rejects(fresh[receiver].decompress(second), { closeCode: 1002, kind: 'WS_ERR_INFLATE_FAILED' });
    });

    test(`${sender} with ${flag}: every message is compressed alone`, async () => {
      const ends = connection(params({ [flag]: true }));
      const first = await ends[sender].compress(message);
      const second = await ends[sender].compress(message);
      assertBytes(second, first, 'same bytes each time');
      assertBytes(await ends[receiver].decompress(first), message);
      assertBytes(await ends[receiver].decompress(second), message);
      // Each one decodes on its own, with a brand-new reader of the opposite role.
      const fresh = connection(params({ [flag]: true }));
      assertBytes(await fresh[receiver].decompress(second), message);
    });

    test(`${receiver} honours ${flag} by resetting its inflater after each message`, async () => {
      // The sender keeps its context although it promised not to: a reader that resets (as the
      // params say it may) can no longer follow, which shows the reset happens.
      const liar = connection(params());
      const first = await liar[sender].compress(message);
      const second = await liar[sender].compress(message);
      const reader = connection(params({ [flag]: true }));
      assertBytes(await reader[receiver].decompress(first), message);
      await assert.rejects(reader[receiver].decompress(second), { closeCode: 1002 });
    });
  }

  test('only our own flag resets our compressor', async () => {
    // server_no_context_takeover binds the server; the client may keep its context.
    const ends = connection(params({ serverNoContextTakeover: true }));
    const fromClient1 = await ends.client.compress(message);
    const fromClient2 = await ends.client.compress(message);
    assert.ok(fromClient2.byteLength < fromClient1.byteLength / 4);
    const fromServer1 = await ends.server.compress(message);
    const fromServer2 = await ends.server.compress(message);
    assertBytes(fromServer2, fromServer1);
  });
});

describe('PerMessageDeflate: window bits (RFC 7692 §7.1.2)', () => {
  for (let bits = 8; bits <= 15; bits++) {
    test(`window bits ${bits}: round trip both ways, readable with exactly ${bits} bits`, async () => {
      // Repeats at distances around the window size, so a too-large window would show.
      const block = randomBytes(1 << bits, bits);
      const message = Buffer.concat([block, block.subarray(0, 300), textOf(3000, bits), block, block]);
      // The other direction gets a different window, to catch a mix-up of ours and the peer's.
      const otherBits = 23 - bits;
      for (const negotiated of [
        params({ serverMaxWindowBits: bits, clientMaxWindowBits: otherBits }),
        params({ serverMaxWindowBits: otherBits, clientMaxWindowBits: bits }),
      ]) {
        const ends = connection(negotiated);
        for (const sender of ['server', 'client'] as const) {
          const receiver = sender === 'server' ? 'client' : 'server';
          const senderBits = sender === 'server' ? negotiated.serverMaxWindowBits : negotiated.clientMaxWindowBits;
          for (let round = 0; round < 2; round++) {
            const compressed = await ends[sender].compress(message);
            assertBytes(await ends[receiver].decompress(compressed), message, `${sender} round ${round}`);
            if (round === 0) {
              // A strict reader with exactly the negotiated window (zlib has no 8-bit compressor;
              // its 9-bit one never reaches further back than 250 bytes, so 8 holds).
              const strict = referenceInflate(compressed, senderBits);
              assertBytes(strict, message, `strict ${senderBits}-bit reader`);
            }
          }
        }
      }
    });
  }

  test('a stream reaching further back than the peer window is corrupt (1002)', async () => {
    // zlib checks distances against the window only across calls (inside one output buffer it can
    // look back freely), so the far reference goes into the previous message.
    const block = randomBytes(300, 5);
    const wide = connection(params({ serverMaxWindowBits: 15 }));
    const first = await wide.server.compress(block);
    const second = await wide.server.compress(block);
    assert.ok(second.byteLength < 20, 'the second message is one long match 300 bytes back');
    const narrow = connection(params({ serverMaxWindowBits: 8 }));
    assertBytes(await narrow.client.decompress(first), block);
    await assert.rejects(narrow.client.decompress(second), { closeCode: 1002, kind: 'WS_ERR_INFLATE_FAILED' });
  });

  test('window bits outside 8..15 are refused at construction', () => {
    for (const bits of [7, 16, 9.5]) {
      assert.throws(() => endpoint('server', params({ clientMaxWindowBits: bits })), RangeError);
      assert.throws(() => endpoint('client', params({ serverMaxWindowBits: bits })), RangeError);
    }
  });
});

describe('PerMessageDeflate: RFC 7692 §7.2.3 examples', () => {
  const hello = Buffer.from('Hello');

  test('§7.2.3.1: "Hello" compresses to f2 48 cd c9 c9 07 00 and back', async () => {
    const ends = connection(params());
    assertBytes(await ends.server.compress(hello), hex('f2 48 cd c9 c9 07 00'));
    assertBytes(await ends.client.decompress(hex('f2 48 cd c9 c9 07 00')), hello);
  });

  test('§7.2.3.1: the fragmented form (f2 48 cd | c9 c9 07 00) is the same message once joined', async () => {
    const ends = connection(params());
    const joined = Buffer.concat([hex('f2 48 cd'), hex('c9 c9 07 00')]);
    assertBytes(await ends.client.decompress(joined), hello);
  });

  test('§7.2.3.2: a second "Hello" on the shared window is f2 00 11 00 00', async () => {
    const ends = connection(params());
    assertBytes(await ends.client.compress(hello), hex('f2 48 cd c9 c9 07 00'));
    assertBytes(await ends.client.compress(hello), hex('f2 00 11 00 00'));
    assertBytes(await ends.server.decompress(hex('f2 48 cd c9 c9 07 00')), hello);
    assertBytes(await ends.server.decompress(hex('f2 00 11 00 00')), hello);
  });

  test('§7.2.3.3: a DEFLATE block with no compression', async () => {
    const ends = connection(params());
    assertBytes(await ends.client.decompress(hex('00 05 00 fa ff 48 65 6c 6c 6f 00')), hello);
  });

  test('§7.2.3.4: a block with BFINAL set; the next message still decodes', async () => {
    const ends = connection(params());
    assertBytes(await ends.client.decompress(hex('f3 48 cd c9 c9 07 00 00')), hello);
    assertBytes(await ends.client.decompress(hex('f2 48 cd c9 c9 07 00')), hello);
    assertBytes(await ends.client.decompress(hex('f3 48 cd c9 c9 07 00 00')), hello);
    // A large one too (payload and trailer written separately), then a normal message.
    const big = binaryOf(64 * KiB, 3);
    const finalBlock = Buffer.concat([deflateRawSync(big), hex('00')]);
    assert.ok(finalBlock.byteLength > 4096);
    assertBytes(await ends.client.decompress(finalBlock), big);
    const next = textOf(5000);
    assertBytes(await ends.client.decompress(await ends.server.compress(next)), next);
  });

  test('§7.2.3.6: an empty message is the single octet 00, and leaves the context alone', async () => {
    const ends = connection(params(), { threshold: 0 });
    const before = await ends.server.compress(hello);
    const empty = await ends.server.compress(new Uint8Array(0));
    const after = await ends.server.compress(hello);
    assertBytes(empty, hex('00'));
    assertBytes(after, hex('f2 00 11 00 00'), 'context survives the empty message');
    assertBytes(await ends.client.decompress(before), hello);
    assertBytes(await ends.client.decompress(empty), new Uint8Array(0));
    assertBytes(await ends.client.decompress(after), hello);
  });

  test('an empty compressed payload is an empty message and does not disturb the inflater', async () => {
    const ends = connection(params());
    assertBytes(await ends.client.decompress(hex('f2 48 cd c9 c9 07 00')), hello);
    assertBytes(await ends.client.decompress(new Uint8Array(0)), new Uint8Array(0));
    assertBytes(await ends.client.decompress(hex('f2 00 11 00 00')), hello);
  });
});

describe('PerMessageDeflate: inflate limit', () => {
  test('a zip bomb (64 MiB of zeros in ~64 KiB) stops at 1 MiB with 1009', async () => {
    const bomb = referenceCompress(Buffer.alloc(64 * MiB));
    assert.ok(bomb.byteLength < 128 * KiB, `bomb is ${bomb.byteLength} bytes`);
    const limit = 1 * MiB;
    const ends = connection(params(), { maxInflatedBytes: limit });
    const arrayBuffersBefore = process.memoryUsage().arrayBuffers;
    let peakArrayBuffers = arrayBuffersBefore;
    const sampler = setInterval(() => {
      peakArrayBuffers = Math.max(peakArrayBuffers, process.memoryUsage().arrayBuffers);
    }, 1);
    const emitted = await countInflatedBytes(async () => {
      await assert.rejects(ends.server.decompress(bomb), { closeCode: 1009, kind: 'WS_ERR_INFLATE_TOO_BIG' });
      // Keep counting for a while: a zlib left running would go on inflating after the rejection.
      await sleep(300);
    });
    clearInterval(sampler);
    peakArrayBuffers = Math.max(peakArrayBuffers, process.memoryUsage().arrayBuffers);
    // zlib hands out 16 KiB chunks; we stop at the first one past the limit.
    assert.ok(emitted > limit, `emitted ${emitted}`);
    assert.ok(emitted <= limit + zlibConstants.Z_DEFAULT_CHUNK, `emitted ${emitted} bytes for a ${limit} limit`);
    const growth = peakArrayBuffers - arrayBuffersBefore;
    assert.ok(growth < 8 * MiB, `arrayBuffers grew by ${growth} bytes`);
  });

  for (const limit of [0, 1, 64 * KiB, 100_000]) {
    test(`maxInflatedBytes ${limit}: ${limit} bytes pass, ${limit + 1} fail with 1009`, async () => {
      const exact = textOf(limit, limit);
      const over = textOf(limit + 1, limit);
      const sender = connection(params({ serverNoContextTakeover: true }), { threshold: 0 });
      const ok = connection(params(), { maxInflatedBytes: limit });
      assertBytes(await ok.client.decompress(await sender.server.compress(exact)), exact);
      const tooBig = connection(params(), { maxInflatedBytes: limit });
      await assert.rejects(tooBig.client.decompress(await sender.server.compress(over)), {
        closeCode: 1009,
        kind: 'WS_ERR_INFLATE_TOO_BIG',
      });
    });
  }

  test('the limit is per message, not per connection', async () => {
    const ends = connection(params(), { maxInflatedBytes: 10_000 });
    for (let i = 0; i < 20; i++) {
      const message = textOf(10_000, i);
      assertBytes(await ends.client.decompress(await ends.server.compress(message)), message);
    }
  });
});

describe('PerMessageDeflate: failures', () => {
  test('corrupt data rejects with 1002 WS_ERR_INFLATE_FAILED', async () => {
    for (const corrupt of [
      hex('ff'), // BTYPE 11 is reserved
      hex('00 05 00 00 00 48 65 6c 6c 6f'), // stored block whose NLEN is not ~LEN
      hex('f2 00 11 00 00'), // refers back to a "Hello" this reader never saw
    ]) {
      const ends = connection(params());
      await assert.rejects(ends.server.decompress(corrupt), { closeCode: 1002, kind: 'WS_ERR_INFLATE_FAILED' });
    }
  });

  test('after a failure every call rejects with that failure, queued ones too', async () => {
    const ends = connection(params());
    const good = hex('f2 48 cd c9 c9 07 00');
    const broken = ends.server.decompress(hex('ff ff'));
    const queuedInflate = ends.server.decompress(good);
    const queuedDeflate = ends.server.compress(textOf(2000));
    const failure = await broken.then(
      () => assert.fail('corrupt data was accepted'),
      (error: unknown) => error,
    );
    assert.equal((failure as { closeCode: number }).closeCode, 1002);
    await assert.rejects(queuedInflate, (error) => error === failure);
    // The compress queue is separate: its first job may already have been running in zlib's thread
    // pool when the inflate failed, so it either finished or was rejected with that same failure.
    await queuedDeflate.then(
      (bytes) => assert.ok(bytes.length > 0),
      (error: unknown) => assert.equal(error, failure),
    );
    await assert.rejects(ends.server.decompress(good), (error) => error === failure);
    await assert.rejects(ends.server.compress(textOf(2000)), (error) => error === failure);
    await assert.rejects(ends.server.compress(new Uint8Array(0)), (error) => error === failure);
  });

  test('after a 1009 the instance stays dead', async () => {
    const limited = connection(params(), { maxInflatedBytes: 3 });
    await assert.rejects(limited.client.decompress(hex('f2 48 cd c9 c9 07 00')), { closeCode: 1009 });
    await assert.rejects(limited.client.decompress(hex('00')), { closeCode: 1009 });
  });

  test('close() rejects calls in flight and later calls with 1011', async () => {
    const ends = connection(params());
    const inFlight = ends.server.compress(binaryOf(4 * MiB));
    const queued = ends.server.compress(textOf(2000));
    const inflating = ends.client.decompress(referenceCompress(binaryOf(4 * MiB)));
    await new Promise((resolve) => setImmediate(resolve)); // let zlib start on them
    ends.server.close();
    ends.client.close();
    for (const pending of [inFlight, queued, inflating]) {
      await assert.rejects(pending, { closeCode: 1011, kind: 'WS_ERR_INTERNAL' });
    }
    await assert.rejects(ends.server.compress(textOf(10)), { closeCode: 1011 });
    await assert.rejects(ends.client.decompress(hex('00')), { closeCode: 1011 });
    ends.server.close(); // twice is fine
  });

  test('bad options are refused at construction', () => {
    assert.throws(() => endpoint('server', params(), { maxInflatedBytes: -1 }), RangeError);
    assert.throws(() => endpoint('server', params(), { maxInflatedBytes: 1.5 }), RangeError);
    assert.throws(() => endpoint('server', params(), { threshold: -1 }), RangeError);
    assert.throws(() => endpoint('server', params(), { memLevel: 10 }), RangeError);
    assert.throws(() => endpoint('server', params(), { level: 10 }), RangeError);
    assert.throws(() => endpoint('other' as Role, params()), TypeError);
  });
});

describe('PerMessageDeflate: ordering and concurrency', () => {
  test('overlapping calls come back in call order, on a shared context', async () => {
    const ends = connection(params());
    // Big and small mixed, so a small one would finish first if calls were not queued.
    const messages = Array.from({ length: 60 }, (_, i) => (i % 4 === 0 ? binaryOf(256 * KiB, i) : textOf(i * 31, i)));
    const compressed = await Promise.all(messages.map((message) => ends.server.compress(message)));
    const settleOrder: number[] = [];
    const inflated = await Promise.all(
      compressed.map((bytes, index) =>
        ends.client.decompress(bytes).then((result) => {
          settleOrder.push(index);
          return result;
        }),
      ),
    );
    assert.deepEqual(
      settleOrder,
      messages.map((_, i) => i),
    );
    inflated.forEach((result, i) => assertBytes(result, messages[i]!, `message ${i}`));
  });

  test('the limiter bounds zlib jobs across connections, and all of them finish', async () => {
    class MeasuredLimiter extends ZlibLimiter {
      active = 0;
      peak = 0;
      jobs = 0;
      override run<T>(job: () => Promise<T> | T): Promise<T> {
        return super.run(async () => {
          this.active++;
          this.jobs++;
          this.peak = Math.max(this.peak, this.active);
          try {
            return await job();
          } finally {
            this.active--;
          }
        });
      }
    }
    const limiter = new MeasuredLimiter(3);
    const connections = Array.from({ length: 12 }, () => connection(params(), { limiter }));
    const message = binaryOf(128 * KiB);
    await Promise.all(
      connections.map(async (ends) => {
        const sent = await Promise.all([0, 1, 2].map(() => ends.server.compress(message)));
        for (const bytes of sent) assertBytes(await ends.client.decompress(bytes), message);
      }),
    );
    assert.equal(limiter.peak, 3);
    assert.equal(limiter.jobs, 12 * 6);
    assert.equal(limiter.running, 0);
    assert.equal(limiter.waiting, 0);
  });
});
