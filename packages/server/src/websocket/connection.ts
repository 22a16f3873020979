import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { isUtf8 } from 'node:buffer';
import {
  BaroCloseCode,
  CloseCode,
  Opcode,
  ProtocolError,
  WsConnection,
  type PreparedFrame,
  type Role,
  type WsConnectionHandler,
} from '@baro/protocol';
import type { PerMessageDeflate } from '../permessage-deflate.js';
import { ReadyState } from './ready-state.js';

export interface ConnectionLimits {
  /** Largest incoming message in bytes (after inflating, when compressed). */
  maxPayload: number;
  /** Most frames in one incoming message. */
  maxFragments?: number;
  /**
   * When bytes already waiting for the peer (data, pongs, close frames; messages waiting for
   * compression not included) pass this, the next write closes the connection as a slow
   * consumer (4001) and destroys the socket.
   */
  maxBufferedBytes: number;
  /**
   * Once this many bytes wait to be written (`bufferedAmount`), `send` returns false and the
   * connection stops reading from the peer until they drain below it ('drain').
   */
  highWaterMark: number;
  /** How long to wait for the peer's close frame, then for TCP to end, before destroying the socket. */
  closeTimeout: number;
}

export const DEFAULT_LIMITS: ConnectionLimits = {
  maxPayload: 64 * 1024 * 1024,
  maxBufferedBytes: 16 * 1024 * 1024,
  highWaterMark: 1024 * 1024,
  closeTimeout: 10_000,
};

export interface SendOptions {
  /** Send as binary even for a string. Default: strings are text, bytes are binary. */
  binary?: boolean;
  /** Compress when permessage-deflate was negotiated and the message reaches the threshold. Default true. */
  compress?: boolean;
}

export type SendData = string | Buffer | ArrayBuffer | ArrayBufferView;

export interface ConnectionEvents {
  message: [data: Buffer, isBinary: boolean];
  close: [code: number, reason: string];
  error: [error: Error];
  ping: [data: Buffer];
  pong: [data: Buffer];
  drain: [];
}

const kConnection = Symbol('baro.connection');
type OwnedSocket = Socket & { [kConnection]: WebSocketConnection };
type SocketListener = (this: OwnedSocket) => void;
let onSocketData: (this: OwnedSocket, chunk: Buffer) => void;
let onSocketEnd: SocketListener;
let onSocketClose: SocketListener;
let onSocketDrain: SocketListener;

/** The socket will emit 'close' next; a transport error is reported as 1006 there. */
function onSocketError(this: Socket): void {
  this.destroy();
}

type OutboundJob = { kind: 'frame'; opcode: number; payload: Buffer; compress: boolean } | { kind: 'prepared'; frame: PreparedFrame };

const EMPTY_BUFFER = Buffer.alloc(0);

/** Why reading from the socket is paused; reading resumes when no reason is left. */
const PAUSED_WHILE_INFLATING = 1;
const PAUSED_FOR_BACKPRESSURE = 2;
const PAUSED_TO_YIELD = 4;
const PAUSED_BY_OWNER = 8;

/**
 * Bytes of one connection parsed per event-loop turn, over all the chunks it read in that turn; the
 * rest waits for the next turn. libuv hands over up to 32 × 64 KiB from a ready socket at once, so
 * 100 peers flooding tiny messages made one turn last seconds, and accept, every other peer's reads
 * and timers waited behind them. Counted per turn, not per chunk: 32 chunks just under a per-chunk
 * cap would all pass in one turn. 64 KiB lets a 64 KiB message through in one turn.
 */
const READ_BYTES_PER_TURN = 64 * 1024;

/** The event-loop turn, advanced by one `setImmediate` per turn in which some connection read. */
let currentTurn = 0;
let turnAdvanceScheduled = false;
function readTurn(): number {
  if (!turnAdvanceScheduled) {
    turnAdvanceScheduled = true;
    setImmediate(() => {
      currentTurn++;
      turnAdvanceScheduled = false;
    });
  }
  return currentTurn;
}

/**
 * A WebSocket over a Node socket, with the API ws users know: `send`, `close`, `terminate`, `ping`,
 * events `message(data, isBinary)`, `close(code, reason)`, `error`, `ping`, `pong`, `drain`.
 * All protocol decisions are the codec's; this class moves bytes, runs zlib and keeps timers.
 */
export class WebSocketConnection extends EventEmitter<ConnectionEvents> {
  readonly protocol: string;
  readonly extensions: string;
  readonly role: Role;
  readonly #socket: Socket;
  readonly #codec: WsConnection;
  readonly #limits: ConnectionLimits;
  readonly #deflate: PerMessageDeflate | null;
  #readyState: ReadyState = ReadyState.OPEN;
  #closeCode: number = CloseCode.abnormal;
  #closeReason = '';
  #closeTimer: NodeJS.Timeout | null = null;
  #closeEmitted = false;
  /** Set when the socket's write buffer passed the high-water mark: `drain` follows. */
  #needDrain = false;
  /** Messages waiting behind one that is being inflated, so delivery keeps wire order. */
  #inbound: { data: Buffer; binary: boolean; compressed: boolean }[] | null = null;
  #inflating = false;
  /** Frames waiting behind one that is being compressed, so they go out in order. */
  #outbound: OutboundJob[] | null = null;
  #deflating = false;
  /** Bytes in `#outbound` that go out as they are (prepared frames, uncompressed messages). */
  #pendingOutboundBytes = 0;
  /** Bytes in `#outbound` waiting to be compressed: our CPU holds them, not the peer. */
  #pendingCompressionBytes = 0;
  /** Bit set of PAUSED_* reasons. */
  #readPauses = 0;
  /** Bytes read but not yet parsed: over this turn's share (`READ_BYTES_PER_TURN`). */
  #unparsed: Buffer[] = [];
  /** Bytes parsed in turn `#turn`. */
  #turnBytes = 0;
  #turn = -1;
  /** Set while `holdReading` keeps the socket paused. */
  #holdTimer: NodeJS.Timeout | null = null;
  /** Whether anything arrived since the last heartbeat check. */
  alive = true;

  constructor(socket: Socket, head: Buffer, options: { role: Role; protocol?: string; extensions?: string; deflate?: PerMessageDeflate | null; limits?: Partial<ConnectionLimits> }) {
    super();
    this.role = options.role;
    this.protocol = options.protocol ?? '';
    this.extensions = options.extensions ?? '';
    this.#socket = socket;
    this.#limits = withDefaults(options.limits);
    this.#deflate = options.deflate ?? null;
    this.#codec = new WsConnection(
      {
        role: options.role,
        maxPayload: this.#limits.maxPayload,
        maxFragments: this.#limits.maxFragments,
        rsv1Allowed: this.#deflate !== null,
        isUtf8,
        allocate: Buffer.allocUnsafe,
      },
      new WebSocketConnection.#CodecEvents(this),
    );

    // Listeners are shared functions that find their connection on the socket: a server holding
    // many connections should not pay for five closures each.
    (socket as OwnedSocket)[kConnection] = this;
    socket.setNoDelay(true);
    socket.setTimeout(0);
    socket.on('data', onSocketData);
    socket.on('end', onSocketEnd);
    socket.on('close', onSocketClose);
    socket.on('error', onSocketError);
    socket.on('drain', onSocketDrain);
    if (head.length > 0) this.#parseAfterListeners(head);
  }

  /** Bytes that came with the handshake are parsed once the caller has attached its listeners. */
  #parseAfterListeners(head: Buffer): void {
    process.nextTick(() => this.#onData(head));
  }

  /** The codec's handler, nested to reach private members with one object per connection. */
  static readonly #CodecEvents = class implements WsConnectionHandler {
    readonly #owner: WebSocketConnection;
    constructor(owner: WebSocketConnection) {
      this.#owner = owner;
    }
    onMessage(data: Uint8Array, binary: boolean, compressed: boolean): void {
      this.#owner.#onMessage(asBuffer(data), binary, compressed);
    }
    onPing(data: Uint8Array): void {
      this.#owner.emit('ping', asBuffer(data));
    }
    onPong(data: Uint8Array): void {
      this.#owner.emit('pong', asBuffer(data));
    }
    onClose(code: number, reason: string): void {
      this.#owner.#onCodecClose(code, reason);
    }
    onError(error: ProtocolError): void {
      this.#owner.#emitError(error);
    }
    onOutgoing(bytes: Uint8Array): void {
      this.#owner.#write(bytes);
    }
  };

  static {
    onSocketData = function (this: OwnedSocket, chunk: Buffer) {
      this[kConnection].#onData(chunk);
    };
    onSocketEnd = function (this: OwnedSocket) {
      this[kConnection].#onEnd();
    };
    onSocketClose = function (this: OwnedSocket) {
      this[kConnection].#onSocketClose();
    };
    onSocketDrain = function (this: OwnedSocket) {
      this[kConnection].#onDrain();
    };
  }

  get readyState(): ReadyState {
    return this.#readyState;
  }

  /**
   * Bytes accepted and not yet handed to the kernel: every frame written (data, ping, pong, close)
   * plus messages queued behind a compression, those waiting to be compressed at their
   * uncompressed size.
   */
  get bufferedAmount(): number {
    return this.#socket.writableLength + this.#pendingOutboundBytes + this.#pendingCompressionBytes;
  }

  /** Bytes of `bufferedAmount` still waiting to be compressed (they don't count as slow consumption). */
  get pendingCompressionBytes(): number {
    return this.#pendingCompressionBytes;
  }

  get remoteAddress(): string | undefined {
    return this.#socket.remoteAddress;
  }

  /**
   * Queues a message. Returns false when it was not sent (not open) or when the write buffer is
   * above the high-water mark: wait for `drain` before sending more.
   */
  send(data: SendData, options: SendOptions = {}): boolean {
    if (this.#readyState !== ReadyState.OPEN) return false;
    const isString = typeof data === 'string';
    const payload = isString ? Buffer.from(data, 'utf8') : toBuffer(data);
    const opcode = (options.binary ?? !isString) ? Opcode.binary : Opcode.text;
    const compress = this.#deflate !== null && options.compress !== false && this.#deflate.shouldCompress(payload.length);
    if (compress || this.#deflating) {
      this.#enqueue({ kind: 'frame', opcode, payload, compress });
    } else {
      this.#codec.sendFrame(opcode, payload);
    }
    return this.#checkBackpressure();
  }

  /**
   * Sends one text message made of pieces (a per-connection prefix and bytes shared by many
   * connections) without joining them. Servers only; compressed connections join and deflate.
   */
  sendTextParts(parts: readonly Buffer[]): boolean {
    if (this.#readyState !== ReadyState.OPEN) return false;
    if (this.#deflate !== null || this.#deflating) return this.send(Buffer.concat(parts), { binary: false });
    this.#codec.sendFrameParts(Opcode.text, parts);
    return this.#checkBackpressure();
  }

  /** Sends a frame encoded once for many connections (see `prepareFrame`). Servers only. */
  sendPrepared(frame: PreparedFrame): boolean {
    if (this.#readyState !== ReadyState.OPEN) return false;
    if (this.#deflating) this.#enqueue({ kind: 'prepared', frame });
    else this.#codec.sendPrepared(frame);
    return this.#checkBackpressure();
  }

  ping(data: SendData = Buffer.alloc(0)): boolean {
    if (this.#readyState !== ReadyState.OPEN) return false;
    return this.#codec.sendPing(typeof data === 'string' ? Buffer.from(data) : toBuffer(data));
  }

  pong(data: SendData = Buffer.alloc(0)): boolean {
    if (this.#readyState !== ReadyState.OPEN) return false;
    return this.#codec.sendPong(typeof data === 'string' ? Buffer.from(data) : toBuffer(data));
  }

  /** Holds writes until `uncork`, so several messages leave in one system call. */
  cork(): void {
    this.#socket.cork();
  }

  uncork(): void {
    this.#socket.uncork();
  }

  /** Starts the close handshake; the socket is destroyed if the peer doesn't finish it in time. */
  close(code?: number, reason?: string): void {
    if (this.#readyState === ReadyState.CLOSED) return;
    if (this.#readyState === ReadyState.CLOSING) return;
    this.#readyState = ReadyState.CLOSING;
    this.#flushOutboundThen(() => {
      this.#codec.sendClose(code, reason);
      this.#armCloseTimer();
    });
  }

  /** Fails the connection now with `code` (sent if the socket can still take it) and ends it. */
  fail(code: number, reason = ''): void {
    if (this.#readyState === ReadyState.CLOSED) return;
    this.#codec.fail(code, reason);
  }

  /** Destroys the socket at once, without a close handshake. */
  terminate(): void {
    if (this.#closeEmitted) return;
    this.#readyState = ReadyState.CLOSING;
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.alive = true;
    // Bytes that arrive while a yield is pending (the stream's own buffer) queue behind it.
    if (this.#unparsed.length > 0) this.#unparsed.push(chunk);
    else this.#parse(chunk);
  }

  #parse(chunk: Buffer): void {
    const turn = readTurn();
    if (turn !== this.#turn) {
      this.#turn = turn;
      this.#turnBytes = 0;
    }
    const share = READ_BYTES_PER_TURN - this.#turnBytes;
    const now = chunk.length > share ? chunk.subarray(0, share) : chunk;
    this.#turnBytes += now.length;
    if (now.length > 0) {
      // Everything the handlers send while this chunk is parsed goes out in one writev.
      this.#socket.cork();
      try {
        this.#codec.receiveData(now);
      } finally {
        this.#socket.uncork();
      }
    }
    if (now === chunk) return;
    this.#unparsed.push(chunk.subarray(now.length));
    this.#pauseReading(PAUSED_TO_YIELD);
    setImmediate(() => this.#parseNextTurn());
  }

  #parseNextTurn(): void {
    if (this.#socket.destroyed && this.#readyState === ReadyState.CLOSED) {
      this.#unparsed = [];
      return;
    }
    const chunk = this.#unparsed.length === 1 ? this.#unparsed[0]! : Buffer.concat(this.#unparsed);
    this.#unparsed = [];
    this.#parse(chunk);
    if (this.#unparsed.length === 0) this.#resumeReading(PAUSED_TO_YIELD);
  }

  #onEnd(): void {
    this.#codec.receiveEof();
    this.#socket.end();
  }

  #onDrain(): void {
    // The socket flushed everything: a pong held meanwhile answers the newest ping now.
    this.#codec.pongsHeld = false;
    this.#relieve();
  }

  /**
   * Below the high-water mark again: read from the peer, and tell a sender that waited. Still above
   * it, the wait goes on only if a socket 'drain' or a compression will call here again (see
   * `#watchForDrain`).
   */
  #relieve(): void {
    if (this.bufferedAmount >= this.#limits.highWaterMark && (this.#deflating || this.#socket.writableNeedDrain)) return;
    this.#resumeReading(PAUSED_FOR_BACKPRESSURE);
    if (this.#needDrain) {
      this.#needDrain = false;
      this.emit('drain');
    }
  }

  /**
   * Reads nothing from the peer for `ms` (what it sends waits in TCP, which pushes back on it): for a
   * layer above that sees the peer send faster than it may, so a flood costs the server no parsing.
   */
  holdReading(ms: number): void {
    if (this.#readyState === ReadyState.CLOSED || this.#holdTimer) return;
    this.#pauseReading(PAUSED_BY_OWNER);
    this.#holdTimer = setTimeout(() => {
      this.#holdTimer = null;
      this.#resumeReading(PAUSED_BY_OWNER);
    }, ms);
    this.#holdTimer.unref();
  }

  #pauseReading(reason: number): void {
    if (this.#readPauses === 0) this.#socket.pause();
    this.#readPauses |= reason;
  }

  #resumeReading(reason: number): void {
    if ((this.#readPauses & reason) === 0) return;
    this.#readPauses &= ~reason;
    if (this.#readPauses === 0 && !this.#socket.destroyed) this.#socket.resume();
  }

  #onSocketClose(): void {
    if (this.#closeTimer) clearTimeout(this.#closeTimer);
    if (this.#holdTimer) clearTimeout(this.#holdTimer);
    this.#codec.receiveEof();
    this.#readyState = ReadyState.CLOSED;
    this.#deflate?.close();
    if (this.#closeEmitted) return;
    this.#closeEmitted = true;
    this.emit('close', this.#closeCode, this.#closeReason);
  }

  #onMessage(data: Buffer, binary: boolean, compressed: boolean): void {
    if (this.#inflating || compressed) {
      (this.#inbound ??= []).push({ data, binary, compressed });
      if (!this.#inflating) void this.#drainInbound();
      return;
    }
    this.emit('message', data, binary);
  }

  /** Inflates queued messages one by one; reading pauses meanwhile so the queue stays short. */
  async #drainInbound(): Promise<void> {
    this.#inflating = true;
    this.#pauseReading(PAUSED_WHILE_INFLATING);
    const inbound = (this.#inbound ??= []);
    while (inbound.length > 0) {
      const next = inbound.shift()!;
      let data = next.data;
      if (next.compressed) {
        try {
          data = asBuffer(await this.#deflate!.decompress(next.data));
        } catch (error) {
          this.#failWith(error);
          return;
        }
        if (!next.binary && !isUtf8(data)) {
          this.#failWith(new ProtocolError('WS_ERR_INVALID_UTF8', 'text message is not valid UTF-8'));
          return;
        }
      }
      if (this.#readyState === ReadyState.CLOSED) return;
      this.emit('message', data, next.binary);
    }
    this.#inflating = false;
    this.#resumeReading(PAUSED_WHILE_INFLATING);
  }

  #failWith(error: unknown): void {
    this.#inbound = null;
    const protocolError = error instanceof ProtocolError ? error : new ProtocolError('WS_ERR_INTERNAL', 'internal error');
    const code = (error as { closeCode?: number }).closeCode ?? protocolError.closeCode;
    this.#emitError(error instanceof Error ? error : protocolError);
    this.#codec.fail(code);
    // Read on to the peer's close frame or EOF, whatever paused reading.
    this.#readPauses = 0;
    if (!this.#socket.destroyed) this.#socket.resume();
  }

  #enqueue(job: OutboundJob): void {
    (this.#outbound ??= []).push(job);
    if (job.kind === 'prepared') this.#pendingOutboundBytes += job.frame.bytes.length;
    else if (job.compress) this.#pendingCompressionBytes += job.payload.length;
    else this.#pendingOutboundBytes += job.payload.length;
    // A peer whose messages we answer faster than we compress must wait for the compressor.
    if (this.bufferedAmount >= this.#limits.highWaterMark) this.#pauseReading(PAUSED_FOR_BACKPRESSURE);
    if (!this.#deflating) void this.#drainOutbound();
  }

  async #drainOutbound(): Promise<void> {
    this.#deflating = true;
    const outbound = (this.#outbound ??= []);
    while (outbound.length > 0) {
      const job = outbound.shift()!;
      if (job.kind === 'prepared') {
        this.#pendingOutboundBytes -= job.frame.bytes.length;
        this.#codec.sendPrepared(job.frame);
        continue;
      }
      let payload: Uint8Array = job.payload;
      if (job.compress) {
        try {
          payload = await this.#deflate!.compress(job.payload);
        } catch (error) {
          this.#pendingOutboundBytes = 0;
          this.#pendingCompressionBytes = 0;
          outbound.length = 0;
          this.#failWith(error);
          return;
        }
        this.#pendingCompressionBytes -= job.payload.length;
      } else {
        this.#pendingOutboundBytes -= job.payload.length;
      }
      this.#codec.sendFrame(job.opcode, payload, { rsv1: job.compress });
      this.#relieve();
    }
    this.#deflating = false;
    this.#relieve();
    const after = this.#afterOutbound;
    this.#afterOutbound = null;
    after?.();
  }

  #afterOutbound: (() => void) | null = null;

  #flushOutboundThen(action: () => void): void {
    if (this.#deflating) this.#afterOutbound = action;
    else action();
  }

  /** What `send` returns: false when the write failed the connection or passed the high-water mark. */
  #checkBackpressure(): boolean {
    if (this.#readyState !== ReadyState.OPEN) return false;
    if (this.bufferedAmount >= this.#limits.highWaterMark) {
      if (!this.#needDrain) this.#watchForDrain();
      this.#needDrain = true;
      return false;
    }
    return true;
  }

  /**
   * 'drain' comes from the socket's 'drain' or from compression progress. Neither comes when a
   * `highWaterMark` under the socket's own (16 KiB) was passed with nothing compressing: an empty
   * write then calls back once everything before it is flushed.
   */
  #watchForDrain(): void {
    if (this.#deflating || this.#socket.writableNeedDrain || !this.#socket.writable) return;
    this.#socket.write(EMPTY_BUFFER, (this.#onFlushed ??= () => this.#relieve()));
  }

  #onFlushed: (() => void) | null = null;

  /**
   * Every byte for the peer passes here (data, pings, pongs, close frames). A peer is a slow
   * consumer when bytes were already waiting past the cap before this write: one large message to
   * a peer that reads is not (the kernel takes it in pieces), as in uWebSockets.
   */
  #write(bytes: Uint8Array): void {
    const socket = this.#socket;
    if (!socket.writable) return;
    if (socket.writableLength + this.#pendingOutboundBytes > this.#limits.maxBufferedBytes) {
      this.#failSlowConsumer();
      return;
    }
    // write() is false once the socket buffers its high-water mark; 'drain' follows.
    if (!socket.write(bytes)) this.#onSocketBackpressure();
  }

  #onSocketBackpressure(): void {
    // Until 'drain', automatic pongs wait and the newest ping replaces the waiting one.
    this.#codec.pongsHeld = true;
    if (this.bufferedAmount >= this.#limits.highWaterMark) this.#pauseReading(PAUSED_FOR_BACKPRESSURE);
  }

  #failSlowConsumer(): void {
    const buffered = this.#socket.writableLength + this.#pendingOutboundBytes;
    this.#emitError(new Error(`slow consumer: ${buffered} bytes buffered, over maxBufferedBytes (${this.#limits.maxBufferedBytes})`));
    // Its close frame would wait behind everything it isn't reading: don't hold the memory. The
    // socket goes first, so the codec's close frame below is not written.
    this.#socket.destroy();
    this.#codec.fail(BaroCloseCode.slowConsumer, 'slow consumer');
  }

  /** The close handshake finished, failed or the transport ended: settle the code and end TCP. */
  #onCodecClose(code: number, reason: string): void {
    this.#closeCode = code;
    this.#closeReason = reason;
    if (this.#readyState === ReadyState.OPEN) this.#readyState = ReadyState.CLOSING;
    if (this.#socket.destroyed) return;
    // RFC 6455 §7.1.1: the server closes TCP first; a client waits for it, then gives up.
    if (this.role === 'server') this.#socket.end();
    this.#armCloseTimer();
  }

  #armCloseTimer(): void {
    if (this.#closeTimer) clearTimeout(this.#closeTimer);
    this.#closeTimer = setTimeout(() => this.#socket.destroy(), this.#limits.closeTimeout);
    this.#closeTimer.unref();
  }

  #emitError(error: Error): void {
    // An 'error' without a listener would crash the process: a peer's bad bytes must never do that.
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function toBuffer(data: Buffer | ArrayBuffer | ArrayBufferView): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Options left undefined (not just absent) keep their defaults. */
function withDefaults(limits: Partial<ConnectionLimits> = {}): ConnectionLimits {
  const merged: ConnectionLimits = { ...DEFAULT_LIMITS };
  for (const [name, value] of Object.entries(limits) as [keyof ConnectionLimits, number | undefined][]) {
    if (value !== undefined) merged[name] = value;
  }
  return merged;
}
