import { createHash } from 'node:crypto';

/**
 * The hixie-76 WebSocket draft (2010), which the reference server still answers for old browsers
 * and proxies: keys in two headers, 8 more key bytes after the request head ("key3", which may
 * come in a later TCP write), text frames 0x00 <utf8> 0xFF, and 0xFF 0x00 to close.
 */

export const HIXIE76_KEY3_BYTES = 8;

export interface Hixie76Request {
  headers: Record<string, string | string[] | undefined>;
  url: string;
  secure: boolean;
}

function headerOf(headers: Hixie76Request['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A hixie-76 request has both key headers and no Sec-WebSocket-Version. */
export function isHixie76(headers: Hixie76Request['headers']): boolean {
  return headerOf(headers, 'sec-websocket-version') === undefined && headerOf(headers, 'sec-websocket-key1') !== undefined && headerOf(headers, 'sec-websocket-key2') !== undefined;
}

function keyValue(key: string): number | null {
  const digits = key.replace(/[^0-9]/g, '');
  const spaces = (key.match(/ /g) ?? []).length;
  if (digits === '' || spaces === 0) return null;
  const number = Number.parseInt(digits, 10);
  if (number % spaces !== 0) return null;
  const value = number / spaces;
  return value <= 0xffffffff ? value : null;
}

export type Hixie76Handshake = { ok: true; head: string; keys: [number, number] } | { ok: false; reason: string };

/** The 101 head (answered at once); the 16-byte body follows once key3 is in. */
export function hixie76Handshake(request: Hixie76Request): Hixie76Handshake {
  const key1 = keyValue(headerOf(request.headers, 'sec-websocket-key1') ?? '');
  const key2 = keyValue(headerOf(request.headers, 'sec-websocket-key2') ?? '');
  if (key1 === null || key2 === null) return { ok: false, reason: 'Client sent invalid Sec-WebSocket-Key headers' };
  const origin = headerOf(request.headers, 'origin');
  const host = headerOf(request.headers, 'host') ?? '';
  const lines = ['HTTP/1.1 101 WebSocket Protocol Handshake', 'Upgrade: WebSocket', 'Connection: Upgrade'];
  if (origin !== undefined) lines.push(`Sec-WebSocket-Origin: ${origin}`);
  lines.push(`Sec-WebSocket-Location: ${request.secure ? 'wss' : 'ws'}://${host}${request.url}`);
  return { ok: true, head: lines.join('\r\n') + '\r\n\r\n', keys: [key1, key2] };
}

export function hixie76Signature(keys: [number, number], key3: Buffer): Buffer {
  const input = Buffer.alloc(8 + HIXIE76_KEY3_BYTES);
  input.writeUInt32BE(keys[0], 0);
  input.writeUInt32BE(keys[1], 4);
  key3.copy(input, 8, 0, HIXIE76_KEY3_BYTES);
  return createHash('md5').update(input).digest();
}

export function hixie76TextFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const frame = Buffer.allocUnsafe(length + 2);
  frame[0] = 0x00;
  frame.write(text, 1);
  frame[length + 1] = 0xff;
  return frame;
}

export const HIXIE76_CLOSE_FRAME = Buffer.from([0xff, 0x00]);

export type Hixie76Event = { type: 'message'; text: string } | { type: 'close' } | { type: 'error'; reason: string };

/**
 * Reads frames from bytes in any split. Text frames end at 0xFF; length-prefixed (binary) frames
 * are skipped as the draft says; 0xFF 0x00 is the close. A frame over `maxLength` is an error.
 */
export class Hixie76Decoder {
  readonly #maxLength: number;
  #parts: Buffer[] = [];
  #partBytes = 0;
  #state: 'start' | 'text' | 'length' | 'skip' | 'closing' | 'done' = 'start';
  #skipLength = 0;

  constructor(maxLength: number) {
    this.#maxLength = maxLength;
  }

  push(chunk: Buffer): Hixie76Event[] {
    const events: Hixie76Event[] = [];
    let index = 0;
    while (index < chunk.length && this.#state !== 'done') {
      const byte = chunk[index];
      switch (this.#state) {
        case 'start':
          index++;
          if (byte === 0xff) this.#state = 'closing';
          else if (byte & 0x80) {
            this.#skipLength = 0;
            this.#state = 'length';
          } else this.#state = 'text';
          break;
        case 'text': {
          const end = chunk.indexOf(0xff, index);
          const stop = end === -1 ? chunk.length : end;
          this.#partBytes += stop - index;
          if (this.#partBytes > this.#maxLength) return this.#fail(events, 'message too big');
          this.#parts.push(chunk.subarray(index, stop));
          index = stop;
          if (end !== -1) {
            index++;
            events.push({ type: 'message', text: Buffer.concat(this.#parts).toString('utf8') });
            this.#parts = [];
            this.#partBytes = 0;
            this.#state = 'start';
          }
          break;
        }
        case 'length':
          index++;
          this.#skipLength = this.#skipLength * 128 + (byte & 0x7f);
          if (this.#skipLength > this.#maxLength) return this.#fail(events, 'message too big');
          if (!(byte & 0x80)) this.#state = this.#skipLength === 0 ? 'start' : 'skip';
          break;
        case 'skip': {
          const take = Math.min(this.#skipLength, chunk.length - index);
          index += take;
          this.#skipLength -= take;
          if (this.#skipLength === 0) this.#state = 'start';
          break;
        }
        case 'closing':
          index++;
          if (byte === 0x00) {
            this.#state = 'done';
            events.push({ type: 'close' });
          } else return this.#fail(events, 'invalid close frame');
          break;
      }
    }
    return events;
  }

  #fail(events: Hixie76Event[], reason: string): Hixie76Event[] {
    this.#state = 'done';
    events.push({ type: 'error', reason });
    return events;
  }
}
