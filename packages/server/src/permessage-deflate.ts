/**
 * permessage-deflate (RFC 7692) on Node's zlib: compresses whole outgoing message payloads and
 * inflates whole incoming ones. Negotiation happens elsewhere; this class only applies its result.
 *
 * One instance per connection. Each direction keeps one long-lived zlib stream (the LZ77 window is
 * the "context" of RFC 7692 §7.1.1), every job goes through a process-wide `ZlibLimiter`, and every
 * inflated byte is charged to a process-wide `InflateBudget` until its message is delivered.
 */
import { constants as zlibConstants, createDeflateRaw, createInflateRaw } from 'node:zlib';
import type { DeflateRaw, InflateRaw, ZlibOptions } from 'node:zlib';
import { ProtocolError } from '@baro/protocol';
import type { DeflateParams, Role } from '@baro/protocol';
import { defaultZlibLimiter } from './zlib-limiter.js';
import type { ZlibLimiter } from './zlib-limiter.js';
import { defaultInflateBudget, type InflateBudget, type InflateBudgetHolder } from './inflate-budget.js';

/**
 * Memory-bounded defaults. With zlib's own (15-bit windows, memLevel 8) a server holds about 265 KiB
 * per connection once both directions have run, with 12-bit windows and memLevel 5 about 150 KiB
 * (bench/deflate-memory.mjs; 20 KiB without deflate). Messages of a few KiB, what real-time apps
 * send, compress just as well (3.5 KiB of JSON to 23% either way).
 */
export const DEFAULT_DEFLATE_WINDOW_BITS = 12;
export const DEFAULT_DEFLATE_MEM_LEVEL = 5;
/**
 * `maxPayload` of a connection that negotiated permessage-deflate, unless set: a message that
 * inflates is a message the peer can make 1,000 times bigger than what it sent.
 */
export const DEFAULT_DEFLATE_MAX_PAYLOAD = 4 * 1024 * 1024;

export interface PerMessageDeflateOptions {
  params: DeflateParams;
  /** Which end we are: decides which half of `params` is ours and which is the peer's. */
  role: Role;
  /** Messages shorter than this many bytes are sent uncompressed (see `shouldCompress`). Default 1024. */
  threshold?: number;
  /** The largest inflated message accepted; one byte more fails with close code 1009. */
  maxInflatedBytes: number;
  /** zlib memLevel of our compressor, 1..9 (default `DEFAULT_DEFLATE_MEM_LEVEL`, 5): memory against speed. */
  memLevel?: number;
  /** zlib compression level, -1..9 (default -1, zlib's default). */
  level?: number;
  /** Shared bound on concurrent zlib jobs. Default: the process-wide `defaultZlibLimiter`. */
  limiter?: ZlibLimiter;
  /** Shared bound on inflated bytes in flight. Default: the process-wide `defaultInflateBudget`. */
  inflateBudget?: InflateBudget;
}

/** The empty stored block a sync flush ends with (RFC 7692 §7.2.1 removes it, §7.2.2 adds it back). */
const TRAILER: Buffer = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/**
 * Below this size an incoming payload is copied next to a trailer so zlib gets one write (one trip to
 * the thread pool) instead of two. `Buffer.allocUnsafe` serves sizes under 4 KiB from its shared pool.
 */
const JOIN_TRAILER_BELOW = 4096 - TRAILER.byteLength;

/** The message zlib is working on in one direction: output so far, and how to settle. */
interface ZlibJob {
  chunks: Buffer[];
  byteLength: number;
  /** Inflate only: `bytesWritten` once zlib has read the whole payload and the trailer. */
  expectedBytesWritten: number;
  resolve: (bytes: Uint8Array) => void;
  reject: (error: Error) => void;
}

export class PerMessageDeflate {
  readonly #threshold: number;
  readonly #maxInflatedBytes: number;
  readonly #limiter: ZlibLimiter;
  readonly #inflateBudget: InflateBudget;
  /** What this connection's inflations are charged as; made on the first inflation. */
  #budgetHolder: InflateBudgetHolder | null = null;
  readonly #deflateOptions: ZlibOptions;
  readonly #inflateOptions: ZlibOptions;
  /** RFC 7692 §7.1.1.1/§7.1.1.2: our side's no_context_takeover, our compressor forgets each message. */
  readonly #resetDeflateAfterMessage: boolean;
  /** The peer's no_context_takeover: it compresses each message alone, so we may forget too. */
  readonly #resetInflateAfterMessage: boolean;

  #deflate: DeflateRaw | null = null;
  #inflate: InflateRaw | null = null;
  #deflateJob: ZlibJob | null = null;
  #inflateJob: ZlibJob | null = null;
  readonly #deflateQueue = new SerialQueue();
  readonly #inflateQueue = new SerialQueue();
  /** The first failure (or `close()`); once set, every call rejects with it. */
  #failure: ProtocolError | null = null;

  constructor(options: PerMessageDeflateOptions) {
    const { params, role } = options;
    if (role !== 'server' && role !== 'client') throw new TypeError(`role must be 'server' or 'client'`);
    checkWindowBits('serverMaxWindowBits', params.serverMaxWindowBits);
    checkWindowBits('clientMaxWindowBits', params.clientMaxWindowBits);
    const threshold = options.threshold ?? 1024;
    if (!(threshold >= 0)) throw new RangeError(`threshold must be >= 0, got ${threshold}`);
    const maxInflatedBytes = options.maxInflatedBytes;
    if (!(maxInflatedBytes === Infinity || (Number.isSafeInteger(maxInflatedBytes) && maxInflatedBytes >= 0))) {
      throw new RangeError(`maxInflatedBytes must be a non-negative integer, got ${maxInflatedBytes}`);
    }
    if (options.memLevel !== undefined) checkInteger('memLevel', options.memLevel, 1, 9);
    if (options.level !== undefined) checkInteger('level', options.level, -1, 9);

    const isServer = role === 'server';
    const ownWindowBits = isServer ? params.serverMaxWindowBits : params.clientMaxWindowBits;
    const peerWindowBits = isServer ? params.clientMaxWindowBits : params.serverMaxWindowBits;
    this.#resetDeflateAfterMessage = isServer ? params.serverNoContextTakeover : params.clientNoContextTakeover;
    this.#resetInflateAfterMessage = isServer ? params.clientNoContextTakeover : params.serverNoContextTakeover;
    this.#threshold = threshold;
    this.#maxInflatedBytes = maxInflatedBytes;
    this.#limiter = options.limiter ?? defaultZlibLimiter;
    this.#inflateBudget = options.inflateBudget ?? defaultInflateBudget;

    this.#deflateOptions = {
      // zlib refuses a raw deflate window of 8 bits (madler/zlib#171; Node quietly bumps it to 9).
      // That still honours a 256-byte limit: zlib never emits a match farther back than the window
      // minus 262 bytes (MAX_DIST in deflate.h), i.e. 250 bytes with 9 bits, so a peer inflating
      // with exactly 8 bits reads every stream we make. ws gets the same through Node.
      windowBits: Math.max(ownWindowBits, 9),
      // Every write ends with a sync flush: the message is complete and byte-aligned when its
      // write callback runs (RFC 7692 §7.2.1), without a second, empty flush write.
      flush: zlibConstants.Z_SYNC_FLUSH,
      memLevel: options.memLevel ?? DEFAULT_DEFLATE_MEM_LEVEL,
      ...(options.level === undefined ? {} : { level: options.level }),
    };
    // Inflate raw accepts 8 bits. The peer promised not to look further back than its window.
    this.#inflateOptions = { windowBits: peerWindowBits, flush: zlibConstants.Z_SYNC_FLUSH };
  }

  /** Whether a message of `byteLength` bytes is worth compressing: at least `threshold` bytes. */
  shouldCompress(byteLength: number): boolean {
    return byteLength >= this.#threshold;
  }

  /**
   * Compresses one whole message payload; the caller sends the result with RSV1 set on the first
   * frame. Results come back in call order. `data` must not change until the promise settles.
   */
  compress(data: Uint8Array): Promise<Uint8Array> {
    return this.#deflateQueue.push(() => {
      if (this.#failure) throw this.#failure;
      // RFC 7692 §7.2.3.6: an empty DEFLATE block with no compression, the single octet 0x00.
      // zlib would emit nothing at all for empty input right after a sync flush.
      if (data.byteLength === 0) return Uint8Array.of(0x00);
      return this.#limiter.run(() => this.#compressNow(data));
    });
  }

  /**
   * Inflates one whole compressed message (all fragments' payloads, concatenated). Results come back
   * in call order. Rejects with closeCode 1009 past `maxInflatedBytes`, 1013 when the inflate budget
   * took its bytes back (see `InflateBudget`), 1002 for corrupt data; after any failure the instance
   * is dead and every call rejects. `data` must not change until it settles.
   */
  decompress(data: Uint8Array): Promise<Uint8Array> {
    return this.#inflateQueue.push(() => {
      if (this.#failure) throw this.#failure;
      // Not a DEFLATE block at all; fed to zlib with the trailer (`00 00 ff ff` alone) it would leave
      // the inflater halfway through a stored-block header and garble the next message. An empty
      // message is what the peer meant, and skipping zlib leaves the context as it was.
      if (data.byteLength === 0) return new Uint8Array(0);
      return this.#limiter.run(() => this.#decompressNow(data));
    });
  }

  /** Releases both zlib streams. Calls in flight or queued reject (closeCode 1011); later calls too. */
  close(): void {
    this.#fail(new ProtocolError('WS_ERR_INTERNAL', 'permessage-deflate is closed'));
  }

  #compressNow(data: Uint8Array): Promise<Uint8Array> {
    if (this.#failure) return Promise.reject(this.#failure);
    const deflate = (this.#deflate ??= this.#openDeflate());
    return new Promise<Uint8Array>((resolve, reject) => {
      this.#deflateJob = { chunks: [], byteLength: 0, expectedBytesWritten: 0, resolve, reject };
      deflate.write(data, this.#onDeflateWritten);
    });
  }

  #decompressNow(data: Uint8Array): Promise<Uint8Array> {
    if (this.#failure) return Promise.reject(this.#failure);
    const inflate = (this.#inflate ??= this.#openInflate());
    return new Promise<Uint8Array>((resolve, reject) => {
      const expectedBytesWritten = inflate.bytesWritten + data.byteLength + TRAILER.byteLength;
      this.#inflateJob = { chunks: [], byteLength: 0, expectedBytesWritten, resolve, reject };
      // RFC 7692 §7.2.2: append 0x00 0x00 0xff 0xff to the payload, then inflate.
      if (data.byteLength < JOIN_TRAILER_BELOW) {
        const joined = Buffer.allocUnsafe(data.byteLength + TRAILER.byteLength);
        joined.set(data, 0);
        joined.set(TRAILER, data.byteLength);
        inflate.write(joined, this.#onInflateWritten);
      } else {
        inflate.write(data);
        inflate.write(TRAILER, this.#onInflateWritten);
      }
    });
  }

  #openDeflate(): DeflateRaw {
    const deflate = createDeflateRaw(this.#deflateOptions);
    deflate.on('data', this.#onDeflateData);
    // Stays attached after a failure or close, so a late error never goes unhandled.
    deflate.on('error', (error: Error) => {
      this.#fail(new ProtocolError('WS_ERR_INTERNAL', `deflate failed: ${error.message}`));
    });
    return deflate;
  }

  #openInflate(): InflateRaw {
    const inflate = createInflateRaw(this.#inflateOptions);
    inflate.on('data', this.#onInflateData);
    inflate.on('error', (error: Error) => {
      this.#fail(new ProtocolError('WS_ERR_INFLATE_FAILED', `invalid compressed data: ${error.message}`));
    });
    return inflate;
  }

  // zlib emits output synchronously from its thread-pool callback, before the write callback runs,
  // so by then a job has all its chunks (the same ordering ws relies on).
  readonly #onDeflateData = (chunk: Buffer): void => {
    const job = this.#deflateJob;
    if (job === null) return;
    job.chunks.push(chunk);
    job.byteLength += chunk.byteLength;
  };

  readonly #onInflateData = (chunk: Buffer): void => {
    const job = this.#inflateJob;
    if (job === null) return;
    job.byteLength += chunk.byteLength;
    if (job.byteLength > this.#maxInflatedBytes) {
      // A zip bomb stops here: this chunk is dropped, zlib is closed before it makes the next one,
      // so we never hold more than the limit (plus the one zlib output chunk, 16 KiB, in hand).
      this.#fail(
        new ProtocolError('WS_ERR_INFLATE_TOO_BIG', `inflated message exceeds ${this.#maxInflatedBytes} bytes`),
      );
      return;
    }
    if (!this.#inflateBudget.charge((this.#budgetHolder ??= this.#newBudgetHolder()), chunk.byteLength)) {
      this.#failOverBudget();
      return;
    }
    job.chunks.push(chunk);
  };

  #newBudgetHolder(): InflateBudgetHolder {
    return { heldBytes: 0, evict: () => this.#failOverBudget() };
  }

  #failOverBudget(): void {
    this.#fail(new ProtocolError('WS_ERR_INFLATE_BUDGET', `the inflate budget (${this.#inflateBudget.limitBytes} bytes in flight) is spent`));
  }

  readonly #onDeflateWritten = (error?: Error | null): void => {
    const job = this.#deflateJob;
    if (job === null) return; // already settled by a failure or close()
    if (error) {
      this.#fail(new ProtocolError('WS_ERR_INTERNAL', `deflate failed: ${error.message}`));
      return;
    }
    if (job.byteLength < TRAILER.byteLength) {
      // Cannot happen with zlib's sync flush on non-empty input; refuse rather than send garbage.
      this.#fail(new ProtocolError('WS_ERR_INTERNAL', 'deflate produced no sync-flush trailer'));
      return;
    }
    this.#deflateJob = null;
    // RFC 7692 §7.2.1: the sync flush ended the output with 00 00 ff ff; remove those 4 octets.
    const payload = joinChunks(job.chunks, job.byteLength - TRAILER.byteLength);
    // RFC 7692 §7.1.1.1: with no_context_takeover each message starts from an empty window. reset()
    // keeps the stream and its buffers; only the LZ77 state goes.
    if (this.#resetDeflateAfterMessage) this.#deflate!.reset();
    job.resolve(payload);
  };

  readonly #onInflateWritten = (error?: Error | null): void => {
    const job = this.#inflateJob;
    if (job === null) return;
    if (error) {
      this.#fail(new ProtocolError('WS_ERR_INFLATE_FAILED', `invalid compressed data: ${error.message}`));
      return;
    }
    this.#inflateJob = null;
    if (this.#budgetHolder !== null) this.#inflateBudget.release(this.#budgetHolder);
    const inflate = this.#inflate!;
    if (inflate.bytesWritten !== job.expectedBytesWritten) {
      // zlib stopped reading early: the peer ended its DEFLATE stream with a BFINAL block (RFC 7692
      // §7.2.3.4), and what follows (a 0x00 padding block and our trailer) is left unread. An ended
      // inflater takes no more input, so the next message gets a fresh one; the peer's own
      // compressor started over too.
      this.#inflate = null;
      inflate.close();
    } else if (this.#resetInflateAfterMessage) {
      inflate.reset();
    }
    job.resolve(joinChunks(job.chunks, job.byteLength));
  };

  /** Kills the instance: remembers the first failure, rejects jobs in flight, closes both streams. */
  #fail(error: ProtocolError): void {
    this.#failure ??= error;
    const failure = this.#failure;
    const deflateJob = this.#deflateJob;
    const inflateJob = this.#inflateJob;
    this.#deflateJob = null;
    this.#inflateJob = null;
    if (this.#budgetHolder !== null) this.#inflateBudget.release(this.#budgetHolder);
    // close() stops zlib between output chunks; Node defers the native close if a chunk is in work.
    this.#deflate?.close();
    this.#inflate?.close();
    this.#deflate = null;
    this.#inflate = null;
    deflateJob?.reject(failure);
    inflateJob?.reject(failure);
  }
}

/** Runs jobs one after another, in call order, however long each takes. */
class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  push<T>(job: () => T | Promise<T>): Promise<T> {
    const result = this.#tail.then(job);
    this.#tail = result.then(ignore, ignore);
    return result;
  }
}

/** The first `byteLength` bytes of `chunks`, copied only when there is more than one chunk. */
function joinChunks(chunks: Buffer[], byteLength: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!.subarray(0, byteLength);
  if (chunks.length === 0) return new Uint8Array(0);
  return Buffer.concat(chunks, byteLength);
}

function checkWindowBits(name: string, value: number): void {
  checkInteger(name, value, 8, 15);
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

function ignore(): void {}
