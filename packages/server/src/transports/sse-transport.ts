import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TransportName } from '@baro/protocol';
import type { Carrier } from '../session/carrier.js';
import type { OutboundPacket } from '../wire/outbound-packet.js';
import type { WireFormat } from '../wire/wire-format.js';
import type { AnySession } from './session-gateway.js';
import { readSessionParams } from '../session/gateway.js';
import { isRefusal, refuse, type ExtraHeaders } from './http-reply.js';
import type { ResponseTracker } from './http-context.js';
import type { SessionGateway } from './session-gateway.js';

/** Bytes the socket may hold before the stream stops taking packets (the session queues them). */
export const SSE_HIGH_WATER_MARK = 1024 * 1024;

/** An SSE field from a value that may not be trusted: CR and LF would start a new field. */
export function sseField(name: string, value: string): string {
  if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) throw new TypeError(`SSE field ${JSON.stringify(name)} may not contain CR or LF`);
  return `${name}: ${value}\n`;
}

/** Carries a session to the client over one `text/event-stream` response. */
export class SseCarrier implements Carrier {
  readonly transport: TransportName = 'sse';
  readonly streaming = true;
  readonly duplex = false;
  readonly #response: ServerResponse;
  readonly #highWaterMark: number;
  readonly #format: WireFormat;
  #open = true;

  constructor(response: ServerResponse, headers: ExtraHeaders, format: WireFormat, highWaterMark = SSE_HIGH_WATER_MARK) {
    this.#response = response;
    this.#highWaterMark = highWaterMark;
    this.#format = format;
    response.writeHead(200, {
      ...headers,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
    });
    // A first comment sends the headers now and makes buffering proxies commit the response.
    response.write(':ok\n\n');
  }

  get open(): boolean {
    return this.#open && !this.#response.writableEnded && !this.#response.destroyed;
  }

  get writable(): boolean {
    return this.open && this.#response.writableLength < this.#highWaterMark;
  }

  get bufferedBytes(): number {
    return this.open ? this.#response.writableLength : 0;
  }

  /**
   * One packet as one server-sent event (the format's `id:` for the session's own packets, so
   * `Last-Event-ID` resumes; one `data:` line), its bytes made once and shared by every member of a
   * broadcast. Packet texts are JSON, which never holds a raw CR or LF, so a packet cannot end its
   * event early or forge a field.
   */
  write(packets: readonly OutboundPacket[]): void {
    if (!this.open || packets.length === 0) return;
    const response = this.#response;
    if (packets.length > 1) response.cork();
    for (const packet of packets) response.write(packet.sse(this.#format));
    if (packets.length > 1) response.uncork();
  }

  /** A comment line, so proxies and the browser see the stream alive. */
  keepAlive(): void {
    if (this.writable) this.#response.write(':\n\n');
  }

  detach(dropBacklog = false): void {
    if (!this.#open) return;
    this.#open = false;
    // A stream still holding a backlog its client will not read (it resumed elsewhere) goes now.
    if (dropBacklog && this.#response.writableLength > this.#highWaterMark) this.#response.destroy();
    else this.#response.end();
  }

  bind(session: AnySession, onGone: () => void): void {
    this.#response.on('drain', () => session.flush());
    this.#response.once('close', () => {
      this.#open = false;
      onGone();
      session.carrierLost(this);
    });
  }
}

/** `GET <path>/sse`: opens or attaches a session and streams its packets. */
export async function handleSse(server: SessionGateway, request: IncomingMessage, response: ServerResponse, headers: ExtraHeaders, tracker: ResponseTracker): Promise<void> {
  const params = readSessionParams(request);
  if (isRefusal(params)) return refuse(response, params, headers);
  const admission = await server.admit(request, params);
  if (isRefusal(admission)) return refuse(response, admission, headers);
  if (tracker.gone(response)) return server.abandon(admission);
  const carrier = new SseCarrier(response, headers, server.wireFormat);
  tracker.keepAlive(carrier);
  const session = server.connect(admission, carrier);
  if (!session || session.ended) {
    tracker.forgetKeepAlive(carrier);
    carrier.detach();
    return;
  }
  carrier.bind(session, () => tracker.forgetKeepAlive(carrier));
}
