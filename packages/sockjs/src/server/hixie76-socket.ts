import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { EventEmitter } from 'node:events';
import { HIXIE76_CLOSE_FRAME, HIXIE76_KEY3_BYTES, Hixie76Decoder, hixie76Handshake, hixie76Signature, hixie76TextFrame } from '../protocol/index.js';
import type { MessageSocket } from './message-socket.js';
import { writeRawResponse } from './http-answers.js';

/**
 * Server side of a hixie-76 WebSocket. The 101 head goes out at once; the signature only once the
 * 8 key3 bytes arrived, which a proxy such as haproxy may forward in a later TCP write than the
 * request head. Resolves to null when the handshake fails (the socket is then answered or gone).
 */
export function acceptHixie76(request: IncomingMessage, socket: Duplex, head: Buffer, options: { maxMessageBytes: number; handshakeTimeout: number }): Promise<MessageSocket | null> {
  const handshake = hixie76Handshake({ headers: request.headers, url: request.url ?? '/', secure: 'encrypted' in socket && socket.encrypted === true });
  if (!handshake.ok) {
    writeRawResponse(socket, request.httpVersion, 400, {}, handshake.reason);
    return Promise.resolve(null);
  }
  socket.write(handshake.head);
  return new Promise((resolve) => {
    let received = head;
    const timer = setTimeout(() => {
      cleanUp();
      socket.destroy();
      resolve(null);
    }, options.handshakeTimeout);
    const onData = (chunk: Buffer): void => {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      tryOpen();
    };
    const onGone = (): void => {
      cleanUp();
      resolve(null);
    };
    const cleanUp = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onGone);
      socket.off('error', onGone);
    };
    const tryOpen = (): void => {
      if (received.length < HIXIE76_KEY3_BYTES) return;
      cleanUp();
      socket.write(hixie76Signature(handshake.keys, received.subarray(0, HIXIE76_KEY3_BYTES)));
      const hixie = new Hixie76Socket(socket, options.maxMessageBytes);
      resolve(hixie);
      // Frames that came with key3 are read once the caller listens.
      const rest = received.subarray(HIXIE76_KEY3_BYTES);
      if (rest.length > 0) setImmediate(() => hixie.read(rest));
    };
    socket.on('data', onData);
    socket.on('close', onGone);
    socket.on('error', onGone);
    tryOpen();
  });
}

class Hixie76Socket implements MessageSocket {
  readonly #socket: Duplex;
  readonly #decoder: Hixie76Decoder;
  readonly #events = new EventEmitter<{ message: [string]; close: [] }>();
  #open = true;

  constructor(socket: Duplex, maxMessageBytes: number) {
    this.#socket = socket;
    this.#decoder = new Hixie76Decoder(maxMessageBytes);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('close', () => this.#closed());
    socket.on('error', () => socket.destroy());
  }

  get remoteAddress(): string | undefined {
    return 'remoteAddress' in this.#socket ? (this.#socket.remoteAddress as string | undefined) : undefined;
  }

  read(chunk: Buffer): void {
    if (!this.#open) return;
    for (const event of this.#decoder.push(chunk)) {
      if (event.type === 'message') this.#events.emit('message', event.text);
      else {
        // Close frame or broken input: hixie-76 has no close codes, so both just end the socket.
        this.close();
        return;
      }
    }
  }

  send(text: string): void {
    if (this.#open) this.#socket.write(hixie76TextFrame(text));
  }

  close(): void {
    if (!this.#open) return;
    this.#socket.end(HIXIE76_CLOSE_FRAME);
    this.#closed();
  }

  onMessage(listener: (text: string) => void): void {
    this.#events.on('message', listener);
  }

  onClose(listener: () => void): void {
    this.#events.once('close', listener);
  }

  #closed(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#events.emit('close');
  }
}
