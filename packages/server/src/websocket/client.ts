import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { buildDeflateOffer, createClientHandshake, serializeExtensions, verifyServerResponse, type ClientDeflateOptions } from '@baro/protocol';
import { DEFAULT_DEFLATE_MAX_PAYLOAD, PerMessageDeflate } from '../permessage-deflate.js';
import type { InflateBudget } from '../inflate-budget.js';
import { CloseEvent, ErrorEvent } from './client-events.js';
import { WebSocketConnection, type ConnectionLimits } from './connection.js';
import { ReadyState } from './ready-state.js';

export type BinaryType = 'blob' | 'arraybuffer' | 'nodebuffer';

export interface WebSocketClientOptions extends Partial<ConnectionLimits> {
  /** Extra request headers (e.g. Authorization, Cookie). */
  headers?: Record<string, string>;
  /** Sent as the Origin header, as a browser would. */
  origin?: string;
  /**
   * Offer permessage-deflate (default true, as browsers do). Once agreed, `maxPayload` defaults to
   * 4 MiB and inflated bytes count against `inflateBudget` (default: the process-wide one), as on
   * the server: a malicious server can send inflation bombs too.
   */
  perMessageDeflate?: boolean | (ClientDeflateOptions & { threshold?: number; memLevel?: number; inflateBudget?: InflateBudget });
  /** Give up when there is no 101 within this time. Default 10 s. */
  handshakeTimeout?: number;
}

type Handler<E extends Event> = ((event: E) => void) | null;

/**
 * A WebSocket client for Node with the browser's API: `new WebSocket(url, protocols)`,
 * `onopen/onmessage/onclose/onerror`, `addEventListener`, `binaryType`, `readyState`, `send`, `close`.
 */
export class WebSocket extends EventTarget {
  static readonly CONNECTING = ReadyState.CONNECTING;
  static readonly OPEN = ReadyState.OPEN;
  static readonly CLOSING = ReadyState.CLOSING;
  static readonly CLOSED = ReadyState.CLOSED;
  readonly CONNECTING = ReadyState.CONNECTING;
  readonly OPEN = ReadyState.OPEN;
  readonly CLOSING = ReadyState.CLOSING;
  readonly CLOSED = ReadyState.CLOSED;

  readonly url: string;
  binaryType: BinaryType = 'blob';
  #protocol = '';
  #extensions = '';
  #readyState: ReadyState = ReadyState.CONNECTING;
  #connection: WebSocketConnection | null = null;
  #request: ClientRequest | null = null;
  #handlers = new Map<string, (event: Event) => void>();

  constructor(url: string | URL, protocols: string | readonly string[] = [], options: WebSocketClientOptions = {}) {
    super();
    const target = new URL(url);
    if (target.protocol === 'http:') target.protocol = 'ws:';
    if (target.protocol === 'https:') target.protocol = 'wss:';
    if (target.protocol !== 'ws:' && target.protocol !== 'wss:') throw new SyntaxError(`unsupported URL scheme ${target.protocol}`);
    if (target.hash) throw new SyntaxError('a WebSocket URL may not have a fragment');
    this.url = target.href;
    const offered = typeof protocols === 'string' ? [protocols] : [...protocols];
    if (new Set(offered).size !== offered.length) throw new SyntaxError('duplicate subprotocols');
    this.#connect(target, offered, options);
  }

  get readyState(): ReadyState {
    return this.#readyState;
  }
  get protocol(): string {
    return this.#protocol;
  }
  get extensions(): string {
    return this.#extensions;
  }
  get bufferedAmount(): number {
    return this.#connection?.bufferedAmount ?? 0;
  }

  get onopen(): Handler<Event> {
    return this.#getHandler('open');
  }
  set onopen(handler: Handler<Event>) {
    this.#setHandler('open', handler);
  }
  get onmessage(): Handler<MessageEvent> {
    return this.#getHandler('message');
  }
  set onmessage(handler: Handler<MessageEvent>) {
    this.#setHandler('message', handler);
  }
  get onclose(): Handler<CloseEvent> {
    return this.#getHandler('close');
  }
  set onclose(handler: Handler<CloseEvent>) {
    this.#setHandler('close', handler);
  }
  get onerror(): Handler<ErrorEvent> {
    return this.#getHandler('error');
  }
  set onerror(handler: Handler<ErrorEvent>) {
    this.#setHandler('error', handler);
  }

  send(data: string | ArrayBuffer | ArrayBufferView): void {
    if (this.#readyState === ReadyState.CONNECTING) throw new DOMException('the connection is not open yet', 'InvalidStateError');
    if (this.#readyState !== ReadyState.OPEN) return;
    this.#connection!.send(data);
  }

  close(code?: number, reason?: string): void {
    if (code !== undefined && code !== 1000 && (code < 3000 || code > 4999)) {
      throw new DOMException(`close code must be 1000 or 3000–4999, got ${code}`, 'InvalidAccessError');
    }
    if (reason !== undefined && Buffer.byteLength(reason) > 123) throw new DOMException('close reason over 123 bytes', 'SyntaxError');
    if (this.#readyState === ReadyState.CLOSING || this.#readyState === ReadyState.CLOSED) return;
    if (this.#readyState === ReadyState.CONNECTING) {
      this.#fail(new Error('closed before the connection was established'));
      return;
    }
    this.#readyState = ReadyState.CLOSING;
    this.#connection!.close(code, reason);
  }

  #connect(target: URL, protocols: string[], options: WebSocketClientOptions): void {
    const deflateOptions = options.perMessageDeflate === false ? null : options.perMessageDeflate === true || options.perMessageDeflate === undefined ? {} : options.perMessageDeflate;
    const handshake = createClientHandshake({
      url: target.href,
      protocols,
      extensions: deflateOptions ? buildDeflateOffer(deflateOptions) : undefined,
      headers: { ...options.headers, ...(options.origin ? { Origin: options.origin } : {}) },
    });
    const secure = target.protocol === 'wss:';
    const request = (secure ? httpsRequest : httpRequest)({
      host: target.hostname.replace(/^\[|\]$/g, ''),
      port: target.port || (secure ? 443 : 80),
      path: target.pathname + target.search,
      method: 'GET',
      headers: headersOf(handshake.requestHead),
      timeout: options.handshakeTimeout ?? 10_000,
    });
    this.#request = request;
    request.on('timeout', () => {
      request.destroy(new Error('WebSocket handshake timed out'));
    });
    request.on('error', (error) => this.#fail(error));
    request.on('response', (response: IncomingMessage) => {
      response.resume();
      this.#fail(new Error(`server answered ${response.statusCode} instead of 101 Switching Protocols`));
    });
    request.on('upgrade', (response: IncomingMessage, socket: Socket, head: Buffer) => {
      this.#request = null;
      const verified = verifyServerResponse({ status: response.statusCode ?? 0, headers: response.headers }, handshake);
      // RFC 6455 lets a server choose no subprotocol; the WHATWG WebSocket, whose API this is, then
      // fails the connection, as browsers and ws do, rather than talk a protocol nobody agreed on.
      const reason = !verified.ok ? verified.reason : protocols.length > 0 && verified.protocol === null ? 'the server confirmed none of the offered subprotocols' : null;
      if (reason !== null || !verified.ok) {
        socket.destroy();
        this.#fail(new Error(`invalid handshake response: ${reason}`));
        return;
      }
      if (this.#readyState !== ReadyState.CONNECTING) {
        socket.destroy();
        return;
      }
      const deflate = verified.deflate
        ? new PerMessageDeflate({
            params: verified.deflate,
            role: 'client',
            threshold: deflateOptions?.threshold,
            memLevel: deflateOptions?.memLevel,
            maxInflatedBytes: options.maxPayload ?? DEFAULT_DEFLATE_MAX_PAYLOAD,
            inflateBudget: deflateOptions?.inflateBudget,
          })
        : null;
      this.#protocol = verified.protocol ?? '';
      this.#extensions = serializeExtensions(verified.extensions);
      const connection = new WebSocketConnection(socket, head, {
        role: 'client',
        protocol: this.#protocol,
        extensions: this.#extensions,
        deflate,
        limits: { ...options, maxPayload: options.maxPayload ?? (deflate ? DEFAULT_DEFLATE_MAX_PAYLOAD : undefined) },
      });
      this.#connection = connection;
      this.#readyState = ReadyState.OPEN;
      connection.on('message', (data, isBinary) => this.dispatchEvent(new MessageEvent('message', { data: isBinary ? this.#binary(data) : data.toString('utf8') })));
      connection.on('error', (error) => this.dispatchEvent(new ErrorEvent(error)));
      connection.on('close', (code, reason) => {
        this.#readyState = ReadyState.CLOSED;
        this.dispatchEvent(new CloseEvent('close', { code, reason, wasClean: code !== 1006 }));
      });
      this.dispatchEvent(new Event('open'));
    });
    request.end();
  }

  #binary(data: Buffer): Buffer | ArrayBuffer | Blob {
    if (this.binaryType === 'nodebuffer') return data;
    const copy = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
    return this.binaryType === 'arraybuffer' ? copy : new Blob([copy]);
  }

  /** The connection could not be established: 'error', then 'close' with 1006, as browsers do. */
  #fail(error: Error): void {
    if (this.#readyState === ReadyState.CLOSED) return;
    this.#request?.destroy();
    this.#request = null;
    this.#readyState = ReadyState.CLOSED;
    this.dispatchEvent(new ErrorEvent(error));
    this.dispatchEvent(new CloseEvent('close', { code: 1006, reason: '', wasClean: false }));
  }

  #getHandler<E extends Event>(type: string): Handler<E> {
    return (this.#handlers.get(type) as Handler<E> | undefined) ?? null;
  }

  #setHandler<E extends Event>(type: string, handler: Handler<E>): void {
    const previous = this.#handlers.get(type);
    if (previous) this.removeEventListener(type, previous);
    if (typeof handler === 'function') {
      const listener = handler as (event: Event) => void;
      this.#handlers.set(type, listener);
      this.addEventListener(type, listener);
    } else {
      this.#handlers.delete(type);
    }
  }
}

/** The request head the codec built, as the header object `http.request` wants (it writes the request line itself). */
function headersOf(requestHead: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of requestHead.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon)] = line.slice(colon + 1).trim();
  }
  return headers;
}
