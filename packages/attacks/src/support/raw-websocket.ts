/**
 * An attacker's WebSocket: a plain TCP socket that writes exactly the bytes a test chooses (frames
 * from @baro/testing's builder, masked as a client must) and reads the server's frames itself, so
 * it can stop reading, send what no client would, and still learn the close code it was given.
 */
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { buildFrame } from '@baro/testing';
import { within } from './wait.js';

export interface UpgradeOptions {
  path?: string;
  headers?: Record<string, string>;
  /** Bind the client side to this loopback address (127.0.0.2, …): another "address" for per-address limits. */
  localAddress?: string;
  /** Called with every frame the server sends (the list in `frames` keeps only recent ones). */
  onFrame?: (frame: ServerFrame) => void;
}

export interface RawWebSocket {
  readonly socket: Socket;
  /** The client side's port: the target reports each close by it. */
  readonly localPort: number;
  /** The handshake's status (101 when upgraded). */
  readonly status: number;
  readonly responseHead: string;
  /** Frames received so far (only while reading). */
  readonly frames: ServerFrame[];
  /** Resolves when the TCP connection ends, from either side. */
  readonly ended: Promise<void>;
  /** The first close frame's code, once one arrived. */
  closeCode(): number | undefined;
}

export interface ServerFrame {
  fin: boolean;
  rsv1: boolean;
  opcode: number;
  payload: Buffer;
}

const HANDSHAKE_MS = 5000;

/** A client frame as a browser would send it (masked), unless `mask: false` says otherwise. */
export function clientFrame(opcode: number, payload: Uint8Array | string = new Uint8Array(0), options: { fin?: boolean; rsv1?: boolean; declaredLength?: number | bigint } = {}): Buffer {
  return Buffer.from(buildFrame({ opcode, payload, mask: true, ...options }));
}

export const Opcode = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

/** Opens a TCP connection and sends an upgrade request; resolves once the response head arrived. */
export function rawUpgrade(port: number, options: UpgradeOptions = {}): Promise<RawWebSocket> {
  const socket = connect({ host: '127.0.0.1', port, ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
  socket.setNoDelay(true);
  const headers = {
    Host: `127.0.0.1:${port}`,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    'Sec-WebSocket-Version': '13',
    ...options.headers,
  };
  const head = `GET ${options.path ?? '/'} HTTP/1.1\r\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
  socket.write(head);
  const frames: ServerFrame[] = [];
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {}); // resets are part of being refused; `ended` reports them
  return within(
    new Promise<RawWebSocket>((resolve, reject) => {
      let buffered: Buffer = Buffer.alloc(0);
      let upgraded: { status: number; responseHead: string } | null = null;
      const onData = (chunk: Buffer): void => {
        buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
        if (!upgraded) {
          const end = buffered.indexOf('\r\n\r\n');
          if (end < 0) return;
          const responseHead = buffered.subarray(0, end).toString('latin1');
          upgraded = { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(responseHead)?.[1] ?? 0), responseHead };
          buffered = buffered.subarray(end + 4);
          resolve({ socket, localPort: socket.localPort!, ...upgraded, frames, ended, closeCode: () => closeCodeOf(frames) });
        }
        buffered = parseFrames(buffered, frames, options.onFrame);
      };
      socket.on('data', onData);
      socket.once('close', () => {
        if (!upgraded) reject(new Error('the connection ended before a response head'));
      });
    }),
    HANDSHAKE_MS,
    'the upgrade is answered',
  );
}

function closeCodeOf(frames: ServerFrame[]): number | undefined {
  const close = frames.find((frame) => frame.opcode === Opcode.close);
  if (!close) return undefined;
  return close.payload.length >= 2 ? close.payload.readUInt16BE(0) : 1005;
}

/** Parses whole server frames (unmasked) off the front of `bytes`; returns what is left. */
function parseFrames(bytes: Buffer, into: ServerFrame[], onFrame?: (frame: ServerFrame) => void): Buffer {
  let offset = 0;
  for (;;) {
    if (bytes.length - offset < 2) break;
    const first = bytes[offset];
    let length = bytes[offset + 1] & 0x7f;
    let header = 2;
    if (length === 126) {
      if (bytes.length - offset < 4) break;
      length = bytes.readUInt16BE(offset + 2);
      header = 4;
    } else if (length === 127) {
      if (bytes.length - offset < 10) break;
      length = Number(bytes.readBigUInt64BE(offset + 2));
      header = 10;
    }
    if (bytes.length - offset < header + length) break;
    const payload = bytes.subarray(offset + header, offset + header + length);
    // Keep control frames and small messages; a flood of echoes is counted, not kept.
    const frame = { fin: (first & 0x80) !== 0, rsv1: (first & 0x40) !== 0, opcode: first & 0x0f, payload: payload.length <= 4096 ? Buffer.from(payload) : Buffer.alloc(0) };
    into.push(frame);
    onFrame?.(frame);
    if (into.length > 10_000) into.splice(0, into.length - 1000);
    offset += header + length;
  }
  return offset === 0 ? bytes : Buffer.from(bytes.subarray(offset));
}

/**
 * Writes `chunk` again and again until `total` bytes went out, the connection ends, `stopWhen()`
 * holds or `maxMs` passes; waits for 'drain' (bounded) when the socket's buffer is full. Returns
 * the bytes written.
 */
export async function flood(socket: Socket, chunk: Buffer, { total, maxMs, stopWhen = () => false }: { total: number; maxMs: number; stopWhen?: () => boolean }): Promise<number> {
  const deadline = Date.now() + maxMs;
  let written = 0;
  while (written < total && Date.now() < deadline && !socket.destroyed && !stopWhen()) {
    written += chunk.length;
    if (!socket.write(chunk)) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(1, Math.min(200, deadline - Date.now())));
        socket.once('drain', done);
        socket.once('close', done);
        function done(): void {
          clearTimeout(timer);
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        }
      });
    }
  }
  return written;
}
