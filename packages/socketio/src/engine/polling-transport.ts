import { closeLingering } from 'baro';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeEnginePayload, encodeEnginePayload, type EnginePacket } from '../codec/index.js';
import { EngineTransport } from './transport.js';

export interface PollingLimits {
  maxPayload: number;
  maxPacketsPerPayload: number;
  /** Time for a POST body to arrive. */
  bodyTimeout: number;
  /** How long a close waits for the GET that carries the close packet. */
  closeTimeout: number;
}

/**
 * HTTP long-polling: the client keeps one GET waiting, answered with the packets queued for it,
 * and POSTs what it sends. Status codes and headers are the reference server's.
 */
export class PollingTransport extends EngineTransport {
  readonly name = 'polling';
  readonly #limits: PollingLimits;
  #poll: { response: ServerResponse; headers: Record<string, string> } | null = null;
  #dataRequest: IncomingMessage | null = null;
  /** Set by a close while no poll waits: the next poll carries the close packet. */
  #pendingClose: (() => void) | null = null;
  #closeTimer: NodeJS.Timeout | null = null;

  constructor(limits: PollingLimits) {
    super();
    this.#limits = limits;
  }

  /** Takes one request of the session; `headers` go on its answer (CORS). */
  onRequest(request: IncomingMessage, response: ServerResponse, headers: Record<string, string>): void {
    if (request.method === 'GET') this.#onPoll(request, response, headers);
    else if (request.method === 'POST') this.#onData(request, response, headers);
    else {
      response.writeHead(500, headers);
      response.end();
    }
  }

  #onPoll(request: IncomingMessage, response: ServerResponse, headers: Record<string, string>): void {
    if (this.#poll) {
      // As the reference: the session ends (its waiting poll gets the close packet), this one gets 400.
      this.fail('overlap from client');
      response.writeHead(400, headers);
      response.end();
      return;
    }
    this.#poll = { response, headers };
    response.on('close', () => {
      if (this.#poll?.response === response) {
        this.#poll = null;
        this.writable = false;
        this.fail('poll connection closed prematurely');
      }
    });
    request.resume();
    this.writable = true;
    this.emit('ready');
    if (this.writable && this.#pendingClose) this.send([{ type: 'noop' }]);
  }

  #onData(request: IncomingMessage, response: ServerResponse, headers: Record<string, string>): void {
    if (this.#dataRequest) {
      this.fail('data request overlap from client');
      response.writeHead(400, headers);
      response.end();
      return;
    }
    if (request.headers['content-type'] === 'application/octet-stream') {
      // Protocol v4 sends binary as base64 text over polling.
      this.fail('invalid content');
      response.writeHead(400, headers);
      response.end();
      return;
    }
    this.#dataRequest = request;
    const chunks: Buffer[] = [];
    let size = 0;
    const refuse = (status: number, description: string): void => {
      cleanup();
      response.writeHead(status, { ...headers, Connection: 'close' });
      // The connection ends with the answer; meanwhile the rest of the body is read and dropped
      // (lingering), so a client still sending it reads the answer instead of failing with EPIPE.
      closeLingering(request.socket);
      request.resume();
      response.end();
      this.fail(description);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > this.#limits.maxPayload) refuse(413, 'payload too large');
      else chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      response.writeHead(200, { ...headers, 'Content-Type': 'text/html', 'Content-Length': '2', 'cache-control': 'no-store' });
      response.end('ok');
      const decoded = decodeEnginePayload(Buffer.concat(chunks, size).toString('utf8'), this.#limits.maxPacketsPerPayload);
      for (const packet of decoded.ok ? decoded.value : decoded.before) {
        if (this.closed) return;
        if (packet.type === 'close') {
          this.finishClose();
          return;
        }
        this.emit('packet', packet);
      }
      if (!decoded.ok && !this.closed) this.emit('parseError', decoded.error);
    };
    const onClose = (): void => {
      cleanup();
      this.fail('data request connection closed prematurely');
    };
    const timer = setTimeout(() => refuse(408, 'http request timeout'), this.#limits.bodyTimeout);
    const cleanup = (): void => {
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('close', onClose);
      this.#dataRequest = null;
    };
    const declared = Number(request.headers['content-length']);
    if (declared > this.#limits.maxPayload) {
      refuse(413, 'payload too large');
      return;
    }
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('close', onClose);
  }

  send(packets: EnginePacket[]): void {
    const poll = this.#poll;
    if (!poll) return;
    this.#poll = null;
    this.writable = false;
    const pendingClose = this.#pendingClose;
    if (pendingClose) packets.push({ type: 'close' });
    const payload = encodeEnginePayload(packets);
    poll.response.writeHead(200, {
      ...poll.headers,
      'Content-Type': 'text/plain; charset=UTF-8',
      'Content-Length': Buffer.byteLength(payload),
      'cache-control': 'no-store',
    });
    poll.response.end(payload);
    if (pendingClose) {
      this.#pendingClose = null;
      pendingClose();
    }
  }

  close(onClosed: () => void = () => {}): void {
    if (this.closed || this.#pendingClose) return;
    this.#dataRequest?.destroy();
    const finish = (): void => {
      if (this.#closeTimer) clearTimeout(this.#closeTimer);
      this.#closeTimer = null;
      this.#pendingClose = null;
      onClosed();
      this.finishClose();
    };
    if (this.writable) {
      this.send([{ type: 'close' }]);
      finish();
    } else if (this.discarded) {
      finish();
    } else {
      this.#pendingClose = finish;
      this.#closeTimer = setTimeout(finish, this.#limits.closeTimeout);
    }
  }
}
