import { encodeClosePayload, parseClosePayload } from './close-frame.js';
import { CloseCode } from './close-codes.js';
import type { ProtocolError } from './errors.js';
import { encodeFrame, encodeFrameFromParts, type Allocate, type FrameOptions, type PreparedFrame } from './frame-encoder.js';
import { DEFAULT_MAX_PAYLOAD, FrameParser, type FrameParserOptions, type FrameSink } from './frame-parser.js';
import { EMPTY } from './byte-accumulator.js';
import { Opcode, type WsConnectionHandler } from './types.js';

export interface WsConnectionOptions extends Omit<FrameParserOptions, 'maxPayload'> {
  maxPayload?: number;
  /** Answer pings with pongs automatically (RFC 6455 §5.5.2). Default true. */
  autoPong?: boolean;
  /** Allocator for outgoing frames (see `Allocate`). */
  allocate?: Allocate;
}

export type ConnectionState = 'open' | 'closing' | 'closed';

/**
 * One WebSocket connection after the handshake, without I/O (the shape of python-websockets'
 * Protocol): feed it bytes with `receiveData`, call `send*`; it reports events and the bytes to
 * write through its handler. It owns the close handshake (RFC 6455 §7) and failure handling.
 */
export class WsConnection {
  readonly #handler: WsConnectionHandler;
  readonly #parser: FrameParser;
  readonly #maskOutgoing: boolean;
  readonly #autoPong: boolean;
  readonly #allocate: Allocate | undefined;
  #state: ConnectionState = 'open';
  #closeSent = false;
  #closeReceived = false;
  /** See `pongsHeld`. */
  #pongsHeld = false;
  /** The newest held ping's payload, copied (the parser reuses its control buffer); allocated on first need. */
  #pongBuffer: Uint8Array | null = null;
  /** Length of the held pong's payload in `#pongBuffer`, or -1 when no pong waits. */
  #pendingPongLength = -1;

  constructor(options: WsConnectionOptions, handler: WsConnectionHandler) {
    this.#handler = handler;
    this.#maskOutgoing = options.role === 'client';
    this.#autoPong = options.autoPong ?? true;
    this.#allocate = options.allocate;
    this.#parser = new FrameParser({ ...options, maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD }, new WsConnection.#ParserSink(this));
  }

  /**
   * The parser's sink: a class nested here so it may call private members, and so each connection
   * pays for one small object instead of three closures (servers hold tens of thousands).
   */
  static readonly #ParserSink = class implements FrameSink {
    readonly #connection: WsConnection;
    constructor(connection: WsConnection) {
      this.#connection = connection;
    }
    onMessage(data: Uint8Array, binary: boolean, compressed: boolean): void {
      this.#connection.#handler.onMessage(data, binary, compressed);
    }
    onControl(opcode: number, payload: Uint8Array): void {
      this.#connection.#onControl(opcode, payload);
    }
    onError(error: ProtocolError): void {
      this.#connection.#failFromPeer(error);
    }
  };

  get state(): ConnectionState {
    return this.#state;
  }

  /** True once we sent a close frame: no more data may be sent. */
  get closeSent(): boolean {
    return this.#closeSent;
  }

  /**
   * While true, automatic pongs wait instead of being written, and a newer ping replaces the one
   * waiting (RFC 6455 §5.5.3 lets an endpoint answer only the most recent ping). The I/O layer holds
   * pongs while the transport's write buffer is full, so a peer that floods pings and never reads
   * costs one pending pong, not a pong per ping. Setting it false writes the waiting pong.
   */
  get pongsHeld(): boolean {
    return this.#pongsHeld;
  }

  set pongsHeld(held: boolean) {
    this.#pongsHeld = held;
    if (!held && this.#pendingPongLength >= 0) this.#writePendingPong();
  }

  /** Whether an automatic pong waits for `pongsHeld` to turn false. */
  get pongPending(): boolean {
    return this.#pendingPongLength >= 0;
  }

  /** Bytes held by the parser for a message still arriving. */
  get bufferedIncoming(): number {
    return this.#parser.bufferedBytes;
  }

  receiveData(chunk: Uint8Array): void {
    // After the peer's close frame nothing more is read (RFC 6455 §5.5.1).
    if (this.#closeReceived || this.#state === 'closed') return;
    this.#parser.push(chunk);
  }

  /** The transport ended. Without a finished close handshake that is an abnormal closure (1006). */
  receiveEof(): void {
    if (this.#state === 'closed') return;
    this.#parser.halt();
    this.#state = 'closed';
    this.#handler.onClose(CloseCode.abnormal, '');
  }

  sendText(utf8: Uint8Array, options?: FrameOptions): boolean {
    return this.sendFrame(Opcode.text, utf8, options);
  }

  sendBinary(data: Uint8Array, options?: FrameOptions): boolean {
    return this.sendFrame(Opcode.binary, data, options);
  }

  /** Any data frame; use `fin: false` and then `Opcode.continuation` frames to stream a message. */
  sendFrame(opcode: number, payload: Uint8Array, options?: FrameOptions): boolean {
    if (this.#closeSent) return false;
    this.#write(opcode, payload, options);
    return true;
  }

  /** One data frame from several pieces (see `encodeFrameFromParts`). Servers only. */
  sendFrameParts(opcode: number, parts: readonly Uint8Array[], options?: Omit<FrameOptions, 'mask'>): boolean {
    if (this.#maskOutgoing) throw new Error('frames from parts are unmasked: only the server role may send them');
    if (this.#closeSent) return false;
    for (const bytes of encodeFrameFromParts(opcode, parts, options, this.#allocate)) this.#handler.onOutgoing(bytes);
    return true;
  }

  /** Sends a frame encoded once for many connections. Servers only: client frames need their own mask. */
  sendPrepared(frame: PreparedFrame): boolean {
    if (this.#maskOutgoing) throw new Error('prepared frames are unmasked: only the server role may send them');
    if (this.#closeSent) return false;
    this.#handler.onOutgoing(frame.bytes);
    return true;
  }

  sendPing(data: Uint8Array = EMPTY): boolean {
    if (data.length > 125) throw new RangeError('ping payload must be at most 125 bytes');
    if (this.#closeSent) return false;
    this.#write(Opcode.ping, data);
    return true;
  }

  sendPong(data: Uint8Array = EMPTY): boolean {
    if (data.length > 125) throw new RangeError('pong payload must be at most 125 bytes');
    if (this.#closeSent) return false;
    this.#write(Opcode.pong, data);
    return true;
  }

  /** Starts the close handshake; `onClose` follows when the peer answers (or the transport ends). */
  sendClose(code?: number, reason?: string): boolean {
    const body = encodeClosePayload(code, reason);
    if (this.#closeSent) return false;
    this.#closeSent = true;
    this.#pendingPongLength = -1;
    if (this.#state === 'open') this.#state = 'closing';
    this.#write(Opcode.close, body);
    return true;
  }

  /**
   * Fails the connection for a local reason (an inflated message too big, invalid UTF-8 after
   * inflating, a slow consumer): sends the close code if still possible and reports closure now.
   */
  fail(code: number, reason = ''): void {
    if (this.#state === 'closed') return;
    this.#parser.halt();
    this.#closeWith(encodeClosePayload(code));
    this.#handler.onClose(code, reason);
  }

  /**
   * The last step before `onClose`: the connection is closed first and the close frame (if not sent
   * yet) written after, so a transport that fails the connection while writing it (a slow
   * consumer) finds it closed already and `onClose` runs once.
   */
  #closeWith(closeBody: Uint8Array): void {
    this.#state = 'closed';
    this.#pendingPongLength = -1;
    if (this.#closeSent) return;
    this.#closeSent = true;
    this.#write(Opcode.close, closeBody);
  }

  #onControl(opcode: number, payload: Uint8Array): void {
    if (opcode === Opcode.ping) {
      if (this.#autoPong && !this.#closeSent) {
        if (this.#pongsHeld) this.#holdPong(payload);
        else this.#write(Opcode.pong, payload);
      }
      this.#handler.onPing(payload);
    } else if (opcode === Opcode.pong) {
      this.#handler.onPong(payload);
    } else {
      this.#onCloseFrame(payload);
    }
  }

  #onCloseFrame(payload: Uint8Array): void {
    const close = parseClosePayload(payload);
    if (!('code' in close)) {
      this.#failFromPeer(close);
      return;
    }
    this.#closeReceived = true;
    // Frames after a close frame are not read, not even the rest of this chunk (RFC 6455 §5.5.1).
    this.#parser.halt();
    // Echo the peer's code (RFC 6455 §5.5.1); an empty close is answered with an empty close.
    this.#closeWith(close.code === CloseCode.noStatus ? EMPTY : payload.subarray(0, 2));
    this.#handler.onClose(close.code, close.reason);
  }

  #failFromPeer(error: ProtocolError): void {
    if (this.#state === 'closed') return;
    this.#parser.halt();
    this.#closeWith(encodeClosePayload(error.closeCode));
    this.#handler.onError(error);
    this.#handler.onClose(error.closeCode, error.message);
  }

  #holdPong(payload: Uint8Array): void {
    // One 125-byte buffer per connection, allocated by its first held ping: a flood reuses it.
    const buffer = (this.#pongBuffer ??= new Uint8Array(125));
    buffer.set(payload);
    this.#pendingPongLength = payload.length;
  }

  #writePendingPong(): void {
    const length = this.#pendingPongLength;
    this.#pendingPongLength = -1;
    // The encoder copies payloads this small behind their header, so the buffer is free again after.
    if (!this.#closeSent) this.#write(Opcode.pong, this.#pongBuffer!.subarray(0, length));
  }

  #write(opcode: number, payload: Uint8Array, options?: FrameOptions): void {
    const frames = encodeFrame(opcode, payload, this.#maskOutgoing ? { ...options, mask: true } : options, this.#allocate);
    for (const bytes of frames) this.#handler.onOutgoing(bytes);
  }
}
