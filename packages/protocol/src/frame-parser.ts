import { ByteAccumulator, EMPTY } from './byte-accumulator.js';
import { ProtocolError, type ProtocolErrorKind } from './errors.js';
import { applyMask } from './masking.js';
import type { Role } from './types.js';
import { isValidUtf8, Utf8Validator, type Utf8Check } from './utf8.js';

export interface FrameParserOptions {
  role: Role;
  /** Largest message in bytes (all fragments; compressed size when compressed). Checked at each header. */
  maxPayload: number;
  /** Most frames one message may have, empty ones included. */
  maxFragments?: number;
  /** RSV1 is permitted on the first frame of a data message (permessage-deflate was negotiated). */
  rsv1Allowed?: boolean;
  /** Whole-message UTF-8 check for unfragmented text; the I/O layer may pass a native one. */
  isUtf8?: Utf8Check;
}

export interface FrameSink {
  /** A complete data message. Compressed payloads are left deflated (see `WsConnectionHandler`). */
  onMessage(data: Uint8Array, binary: boolean, compressed: boolean): void;
  /** A complete control frame: close (0x8), ping (0x9) or pong (0xA). */
  onControl(opcode: number, payload: Uint8Array): void;
  /** The peer broke the protocol. Called once; the parser ignores everything after it. */
  onError(error: ProtocolError): void;
}

export const DEFAULT_MAX_PAYLOAD = 64 * 1024 * 1024;
export const DEFAULT_MAX_FRAGMENTS = 100_000;

const enum State {
  Header,
  Payload,
  Failed,
}

const MAX_HEADER = 14;
const TWO_POW_32 = 0x1_0000_0000;

/**
 * RFC 6455 §5.2 frame parser: a flat state machine fed arbitrary chunks. It validates frames and
 * message structure, unmasks in place and assembles messages; it knows nothing of close semantics
 * (the connection does). A frame that sits in one chunk is delivered as a view, never copied.
 */
export class FrameParser {
  readonly #sink: FrameSink;
  readonly #expectMask: boolean;
  readonly #maxPayload: number;
  readonly #maxFragments: number;
  readonly #rsv1Allowed: boolean;
  readonly #isUtf8: Utf8Check;

  #state = State.Header;
  /** A header split across chunks, collected here (allocated on first need: most never are). */
  #head: Uint8Array | null = null;
  #headLength = 0;

  // The frame being read.
  #fin = false;
  #opcode = 0;
  #masked = false;
  #mask: Uint8Array | null = null;
  #frameLength = 0;
  #frameRemaining = 0;

  // The data message being assembled (it may span frames, with control frames in between).
  #inMessage = false;
  #messageBinary = false;
  #messageCompressed = false;
  #messageLength = 0;
  #fragments = 0;
  #utf8Streaming = false;
  #utf8: Utf8Validator | null = null;
  readonly #message = new ByteAccumulator();

  // A control frame split across chunks (≤ 125 bytes), allocated on first need.
  #control: Uint8Array | null = null;
  #controlLength = 0;

  constructor(options: FrameParserOptions, sink: FrameSink) {
    this.#sink = sink;
    this.#expectMask = options.role === 'server';
    this.#maxPayload = options.maxPayload;
    this.#maxFragments = options.maxFragments ?? DEFAULT_MAX_FRAGMENTS;
    this.#rsv1Allowed = options.rsv1Allowed ?? false;
    this.#isUtf8 = options.isUtf8 ?? isValidUtf8;
  }

  /** Bytes held for a message still in progress. */
  get bufferedBytes(): number {
    return this.#message.length + this.#controlLength + this.#headLength;
  }

  get failed(): boolean {
    return this.#state === State.Failed;
  }

  /** Stops parsing, even in the middle of a chunk: nothing more is reported. */
  halt(): void {
    this.#state = State.Failed;
    this.#message.take();
  }

  push(chunk: Uint8Array): void {
    let offset = 0;
    const end = chunk.length;
    while (offset < end) {
      if (this.#state === State.Header) {
        offset = this.#readHeader(chunk, offset, end);
      } else if (this.#state === State.Payload) {
        offset = this.#readPayload(chunk, offset, end);
      } else {
        return;
      }
    }
  }

  /** Returns the offset after the header bytes it used; completes the frame if it has no payload. */
  #readHeader(chunk: Uint8Array, offset: number, end: number): number {
    if (this.#headLength === 0 && end - offset >= 2) {
      const size = headerSize(chunk[offset + 1]);
      if (end - offset >= size) {
        if (!this.#acceptHeader(chunk, offset)) return end;
        return offset + size;
      }
    }
    // The header spans chunks: collect it byte by byte (at most 14).
    const head = (this.#head ??= new Uint8Array(MAX_HEADER));
    while (offset < end) {
      head[this.#headLength++] = chunk[offset++];
      if (this.#headLength === 2 && !this.#checkFirstBytes(head[0], head[1])) return end;
      if (this.#headLength >= 2 && this.#headLength === headerSize(head[1])) {
        this.#headLength = 0;
        if (!this.#acceptHeader(head, 0)) return end;
        return offset;
      }
    }
    return offset;
  }

  /** Checks what the first two bytes alone decide, so that a bad frame fails before its length arrives. */
  #checkFirstBytes(b0: number, b1: number): boolean {
    const fin = (b0 & 0x80) !== 0;
    const rsv1 = (b0 & 0x40) !== 0;
    const opcode = b0 & 0x0f;
    if ((b0 & 0x30) !== 0) return this.#fail('WS_ERR_UNEXPECTED_RSV', 'RSV2 and RSV3 must be clear');
    if (((b1 & 0x80) !== 0) !== this.#expectMask) {
      return this.#expectMask
        ? this.#fail('WS_ERR_EXPECTED_MASK', 'client frames must be masked (RFC 6455 §5.1)')
        : this.#fail('WS_ERR_UNEXPECTED_MASK', 'server frames must not be masked (RFC 6455 §5.1)');
    }
    if (opcode >= 0x8) {
      if (opcode > 0xa) return this.#fail('WS_ERR_INVALID_OPCODE', `invalid opcode ${opcode}`);
      if (!fin) return this.#fail('WS_ERR_FRAGMENTED_CONTROL', 'control frames must not be fragmented');
      if (rsv1) return this.#fail('WS_ERR_UNEXPECTED_RSV', 'RSV1 must be clear on control frames');
      if ((b1 & 0x7f) > 125) return this.#fail('WS_ERR_INVALID_CONTROL_LENGTH', 'control frame payload over 125 bytes');
      return true;
    }
    if (opcode === 0x0) {
      if (!this.#inMessage) return this.#fail('WS_ERR_UNEXPECTED_CONTINUATION', 'continuation frame without a message to continue');
      if (rsv1) return this.#fail('WS_ERR_UNEXPECTED_RSV', 'RSV1 must be clear on continuation frames');
      return true;
    }
    if (opcode > 0x2) return this.#fail('WS_ERR_INVALID_OPCODE', `invalid opcode ${opcode}`);
    if (this.#inMessage) return this.#fail('WS_ERR_EXPECTED_CONTINUATION', 'new message before the previous one finished');
    if (rsv1 && !this.#rsv1Allowed) return this.#fail('WS_ERR_UNEXPECTED_RSV', 'RSV1 set without a negotiated extension');
    return true;
  }

  #acceptHeader(bytes: Uint8Array, at: number): boolean {
    const b0 = bytes[at];
    const b1 = bytes[at + 1];
    if (!this.#checkFirstBytes(b0, b1)) return false;
    this.#fin = (b0 & 0x80) !== 0;
    this.#opcode = b0 & 0x0f;
    this.#masked = (b1 & 0x80) !== 0;
    let length = b1 & 0x7f;
    let pos = at + 2;
    if (length === 126) {
      length = (bytes[pos] << 8) | bytes[pos + 1];
      pos += 2;
    } else if (length === 127) {
      const high = ((bytes[pos] << 24) | (bytes[pos + 1] << 16) | (bytes[pos + 2] << 8) | bytes[pos + 3]) >>> 0;
      if (high >= 0x8000_0000) return this.#fail('WS_ERR_UNSUPPORTED_LENGTH', 'the most significant bit of a 64-bit length must be 0');
      const low = ((bytes[pos + 4] << 24) | (bytes[pos + 5] << 16) | (bytes[pos + 6] << 8) | bytes[pos + 7]) >>> 0;
      length = high * TWO_POW_32 + low;
      pos += 8;
    }
    if (this.#masked) {
      const mask = (this.#mask ??= new Uint8Array(4));
      mask[0] = bytes[pos];
      mask[1] = bytes[pos + 1];
      mask[2] = bytes[pos + 2];
      mask[3] = bytes[pos + 3];
    }
    this.#frameLength = length;
    this.#frameRemaining = length;

    if (this.#opcode < 0x8) {
      if (this.#messageLength + length > this.#maxPayload) {
        return this.#fail('WS_ERR_MESSAGE_TOO_BIG', `message exceeds maxPayload (${this.#maxPayload} bytes)`);
      }
      if (this.#opcode !== 0x0) this.#startMessage(b0);
      if (++this.#fragments > this.#maxFragments) {
        return this.#fail('WS_ERR_TOO_MANY_FRAGMENTS', `message exceeds maxFragments (${this.#maxFragments})`);
      }
      this.#messageLength += length;
    } else {
      this.#controlLength = 0;
    }

    if (length === 0) {
      this.#completeFrame(EMPTY);
    } else {
      this.#state = State.Payload;
    }
    return true;
  }

  #startMessage(b0: number): void {
    this.#inMessage = true;
    this.#messageBinary = this.#opcode === 0x2;
    this.#messageCompressed = (b0 & 0x40) !== 0;
    this.#messageLength = 0;
    this.#fragments = 0;
    // An unfragmented text frame that arrives whole is checked in one pass at the end; anything
    // else is checked as it arrives so bad bytes fail fast (RFC 6455 §8.1).
    this.#utf8Streaming = false;
    this.#utf8?.reset();
  }

  #readPayload(chunk: Uint8Array, offset: number, end: number): number {
    const available = end - offset;
    const take = available < this.#frameRemaining ? available : this.#frameRemaining;
    const piece = chunk.subarray(offset, offset + take);
    if (this.#masked) applyMask(piece, this.#mask!, this.#frameLength - this.#frameRemaining);
    this.#frameRemaining -= take;
    const wholeFrame = take === this.#frameLength;

    if (this.#opcode >= 0x8) {
      if (wholeFrame) {
        this.#completeFrame(piece);
      } else {
        const control = (this.#control ??= new Uint8Array(125));
        control.set(piece, this.#controlLength);
        this.#controlLength += take;
        if (this.#frameRemaining === 0) this.#completeFrame(control.subarray(0, this.#controlLength));
      }
      return offset + take;
    }

    if (!this.#messageBinary && !this.#messageCompressed) {
      const onlyFrameWhole = wholeFrame && this.#fin && this.#fragments === 1;
      if (!onlyFrameWhole) {
        this.#utf8Streaming = true;
        if (!(this.#utf8 ??= new Utf8Validator()).write(piece)) {
          this.#fail('WS_ERR_INVALID_UTF8', 'text message is not valid UTF-8');
          return end;
        }
      }
    }
    if (wholeFrame && this.#fin && this.#fragments === 1) {
      this.#completeFrame(piece);
    } else {
      this.#message.append(piece, this.#maxPayload);
      if (this.#frameRemaining === 0) this.#completeFrame(EMPTY);
    }
    return offset + take;
  }

  /** `lastPiece` is the frame's payload when it arrived whole and unfragmented, else EMPTY. */
  #completeFrame(lastPiece: Uint8Array): void {
    this.#state = State.Header;
    const opcode = this.#opcode;
    if (opcode >= 0x8) {
      this.#controlLength = 0;
      this.#sink.onControl(opcode, lastPiece);
      return;
    }
    if (!this.#fin) return;

    const data = lastPiece.length > 0 ? lastPiece : this.#message.take();
    const binary = this.#messageBinary;
    const compressed = this.#messageCompressed;
    this.#inMessage = false;
    this.#messageLength = 0;
    this.#fragments = 0;
    if (!binary && !compressed) {
      const valid = this.#utf8Streaming ? this.#utf8!.complete : this.#isUtf8(data);
      if (!valid) {
        this.#fail('WS_ERR_INVALID_UTF8', 'text message is not valid UTF-8');
        return;
      }
    }
    this.#sink.onMessage(data, binary, compressed);
  }

  #fail(kind: ProtocolErrorKind, message: string): false {
    this.#state = State.Failed;
    this.#message.take();
    this.#sink.onError(new ProtocolError(kind, message));
    return false;
  }
}

/** Header size from the second byte: 2, plus 2 or 8 length bytes, plus 4 mask bytes. */
function headerSize(b1: number): number {
  const length = b1 & 0x7f;
  return 2 + (length === 126 ? 2 : length === 127 ? 8 : 0) + ((b1 & 0x80) !== 0 ? 4 : 0);
}
