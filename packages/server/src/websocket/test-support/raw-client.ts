/**
 * A WebSocket client made of a bare TCP socket: it writes exactly the bytes a test gives it (broken
 * handshakes, unmasked frames, lying lengths) and reads the server's answer byte by byte, so the
 * tests see what is on the wire, not what a client library makes of it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { buildFrame, type RawFrame } from '@baro/testing';
import { withTimeout } from './wait.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export interface HttpResponseHead {
  status: number;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The body, when the response had a Content-Length. */
  body: string;
}

export interface ServerFrame {
  fin: boolean;
  rsv1: boolean;
  opcode: number;
  masked: boolean;
  payload: Buffer;
}

export interface UpgradeHeadOptions {
  path?: string;
  method?: string;
  host?: string;
  key?: string;
  /** Extra or replacement headers; `null` leaves a default header out. */
  headers?: Record<string, string | null>;
}

/** A fresh Sec-WebSocket-Key: base64 of 16 random bytes. */
export function newKey(): string {
  return randomBytes(16).toString('base64');
}

export function acceptFor(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** The text of an upgrade request head, with the usual headers unless overridden. */
export function upgradeHead(port: number, options: UpgradeHeadOptions = {}): string {
  const defaults: Record<string, string | null> = {
    Host: options.host ?? `127.0.0.1:${port}`,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': options.key ?? newKey(),
    'Sec-WebSocket-Version': '13',
  };
  const merged = { ...defaults, ...options.headers };
  let head = `${options.method ?? 'GET'} ${options.path ?? '/'} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(merged)) if (value !== null) head += `${name}: ${value}\r\n`;
  return head + '\r\n';
}

/** Reads the frames a server sent from `bytes`; `rest` is an incomplete frame at the end, if any. */
export function parseFrames(bytes: Buffer): { frames: ServerFrame[]; rest: Buffer } {
  const frames: ServerFrame[] = [];
  let at = 0;
  for (;;) {
    if (bytes.length - at < 2) break;
    const b0 = bytes[at];
    const b1 = bytes[at + 1];
    let length = b1 & 0x7f;
    let pos = at + 2;
    if (length === 126) {
      if (bytes.length - pos < 2) break;
      length = bytes.readUInt16BE(pos);
      pos += 2;
    } else if (length === 127) {
      if (bytes.length - pos < 8) break;
      length = Number(bytes.readBigUInt64BE(pos));
      pos += 8;
    }
    const masked = (b1 & 0x80) !== 0;
    let mask: Buffer | null = null;
    if (masked) {
      if (bytes.length - pos < 4) break;
      mask = bytes.subarray(pos, pos + 4);
      pos += 4;
    }
    if (bytes.length - pos < length) break;
    const payload = Buffer.from(bytes.subarray(pos, pos + length));
    if (mask) for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
    frames.push({ fin: (b0 & 0x80) !== 0, rsv1: (b0 & 0x40) !== 0, opcode: b0 & 0x0f, masked, payload });
    at = pos + length;
  }
  return { frames, rest: bytes.subarray(at) };
}

/** The code and reason of a close frame's payload (1005 when it has none). */
export function closeBody(payload: Buffer): { code: number; reason: string } {
  if (payload.length < 2) return { code: 1005, reason: '' };
  return { code: payload.readUInt16BE(0), reason: payload.subarray(2).toString('utf8') };
}

export class RawClient {
  readonly socket: Socket;
  readonly port: number;
  /** Everything received and not yet consumed by `readResponse`/`nextFrame`. */
  #buffer: Buffer = Buffer.alloc(0);
  #received = 0;
  #ended = false;
  #closed = false;
  #discard = false;
  #wake: (() => void)[] = [];

  private constructor(socket: Socket, port: number) {
    this.socket = socket;
    this.port = port;
    socket.on('data', (chunk: Buffer) => {
      this.#received += chunk.length;
      if (this.#discard) return this.#notify();
      this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
      this.#notify();
    });
    socket.on('end', () => {
      this.#ended = true;
      this.#notify();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#notify();
    });
    // A reset from the server is an outcome the tests look at, not a crash.
    socket.on('error', () => {});
  }

  static async connect(port: number, ms = 2000): Promise<RawClient> {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    const client = new RawClient(socket, port);
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      }),
      ms,
      `TCP connect to port ${port}`,
    );
    return client;
  }

  /** True once the server ended its side (FIN) or the socket closed. */
  get ended(): boolean {
    return this.#ended || this.#closed;
  }
  get closed(): boolean {
    return this.#closed;
  }
  /** Total bytes received so far. */
  get received(): number {
    return this.#received;
  }
  /** Bytes received and not yet consumed. */
  get pending(): Buffer {
    return this.#buffer;
  }

  /** From now on, count incoming bytes but drop them (for streams of megabytes nobody inspects). */
  discardIncoming(): void {
    this.#discard = true;
    this.#buffer = Buffer.alloc(0);
  }

  write(bytes: Uint8Array | string): void {
    this.socket.write(bytes);
  }

  /** Writes one frame, masked with a random key unless the frame says otherwise. */
  sendFrame(frame: RawFrame): void {
    const mask = 'mask' in frame ? frame.mask : randomBytes(4);
    this.socket.write(buildFrame({ ...frame, mask }));
  }

  /** Sends an upgrade request and reads the 101; throws if the answer is anything else. */
  async handshake(options: UpgradeHeadOptions = {}, ms = 2000): Promise<HttpResponseHead> {
    const key = options.key ?? newKey();
    this.write(upgradeHead(this.port, { ...options, key }));
    const response = await this.readResponse(ms);
    if (response.status !== 101) throw new Error(`expected 101, got ${response.status} ${response.body}`);
    if (response.headers['sec-websocket-accept'] !== acceptFor(key)) throw new Error('wrong Sec-WebSocket-Accept');
    return response;
  }

  /** Reads one HTTP response head (and its Content-Length body); leaves what follows buffered. */
  async readResponse(ms = 2000): Promise<HttpResponseHead> {
    let head = -1;
    await this.#waitFor(() => (head = this.#buffer.indexOf('\r\n\r\n')) !== -1, ms, 'an HTTP response head');
    const lines = this.#buffer.subarray(0, head).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1] ?? NaN);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
    }
    const bodyLength = Number(headers['content-length'] ?? 0);
    const start = head + 4;
    if (status !== 101 && bodyLength > 0) {
      await this.#waitFor(() => this.#buffer.length >= start + bodyLength, ms, 'the response body');
    }
    const end = status === 101 ? start : start + bodyLength;
    const body = this.#buffer.subarray(start, end).toString('utf8');
    this.#buffer = this.#buffer.subarray(end);
    return { status, headers, body };
  }

  /** The next frame from the server, consumed from the buffer. */
  async nextFrame(ms = 2000): Promise<ServerFrame> {
    let frame: ServerFrame | undefined;
    await this.#waitFor(
      () => {
        const { frames } = parseFrames(this.#buffer);
        frame = frames[0];
        return frame !== undefined;
      },
      ms,
      'a frame from the server',
    );
    const size = frameSize(this.#buffer);
    this.#buffer = this.#buffer.subarray(size);
    return frame!;
  }

  /** Skips data, ping and pong frames until a close frame; returns its code and reason. */
  async closeFrame(ms = 2000): Promise<{ code: number; reason: string; skipped: ServerFrame[] }> {
    const deadline = Date.now() + ms;
    const skipped: ServerFrame[] = [];
    for (;;) {
      const frame = await this.nextFrame(Math.max(1, deadline - Date.now()));
      if (frame.opcode === 0x8) return { ...closeBody(frame.payload), skipped };
      skipped.push(frame);
    }
  }

  /** Resolves when the server has ended the TCP connection (FIN or close). */
  async waitEnded(ms = 2000): Promise<void> {
    await this.#waitFor(() => this.ended, ms, 'the server to end the TCP connection');
  }

  async waitClosed(ms = 2000): Promise<void> {
    await this.#waitFor(() => this.#closed, ms, 'the socket to close', false);
  }

  destroy(): void {
    this.socket.destroy();
  }

  #notify(): void {
    const waiters = this.#wake;
    this.#wake = [];
    for (const wake of waiters) wake();
  }

  async #waitFor(condition: () => boolean, ms: number, what: string, failOnEnd = true): Promise<void> {
    const deadline = Date.now() + ms;
    while (!condition()) {
      if (this.#closed || (failOnEnd && this.#ended)) {
        // One last look: the bytes that came with the FIN are already buffered.
        if (condition()) return;
        throw new Error(`connection ended while waiting for ${what} (${this.#buffer.length} bytes unread: ${preview(this.#buffer)})`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${ms} ms waiting for ${what} (${this.#buffer.length} bytes unread: ${preview(this.#buffer)})`);
      await withTimeout(new Promise<void>((resolve) => this.#wake.push(resolve)), left, what).catch(() => {});
    }
  }
}

function frameSize(bytes: Buffer): number {
  const b1 = bytes[1];
  let length = b1 & 0x7f;
  let pos = 2;
  if (length === 126) {
    length = bytes.readUInt16BE(2);
    pos = 4;
  } else if (length === 127) {
    length = Number(bytes.readBigUInt64BE(2));
    pos = 10;
  }
  if (b1 & 0x80) pos += 4;
  return pos + length;
}

function preview(bytes: Buffer): string {
  return bytes.length === 0 ? '-' : bytes.subarray(0, 32).toString('hex');
}
