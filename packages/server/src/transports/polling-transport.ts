import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodePacket } from '@baro/protocol';
import type { Carrier } from '../session/carrier.js';
import type { OutboundPacket } from '../wire/outbound-packet.js';
import type { WireFormat } from '../wire/wire-format.js';
import type { AnySession } from './session-gateway.js';
import { readSessionParams } from '../session/gateway.js';
import { answerLines, isRefusal, refuse, type ExtraHeaders } from './http-reply.js';
import type { ResponseTracker } from './http-context.js';
import type { SessionGateway } from './session-gateway.js';

export type PollMode = 'long-polling' | 'polling';

const NOOP = Buffer.from(`${encodePacket({ type: 'noop' })}\n`);

interface Waiting {
  readonly response: ServerResponse;
  readonly headers: ExtraHeaders;
  timer: NodeJS.Timeout | null;
  answerScheduled: boolean;
}

/**
 * Carries a session over a series of GET requests; one carrier per session, kept across them.
 * It is writable only while a request waits: the first write answers that request (packets
 * written before the event loop turns go along), and the carrier stays unwritable until the next
 * one arrives. Between requests the session still counts as attached to it; the session's
 * heartbeat detaches it when requests stop coming.
 */
export class PollingCarrier implements Carrier {
  readonly transport: PollMode;
  readonly streaming = false;
  readonly duplex = false;
  #session: AnySession | null = null;
  #state: 'pending' | 'attached' | 'detached' = 'pending';
  #waiting: Waiting | null = null;
  /** ndjson lines, shared with every other member of a broadcast. */
  #batch: Buffer[] = [];
  readonly #format: WireFormat;

  constructor(mode: PollMode, format: WireFormat) {
    this.transport = mode;
    this.#format = format;
  }

  /** Whether the session holds this carrier (requests may re-arm it without a new open packet). */
  get attached(): boolean {
    return this.#state === 'attached';
  }

  get writable(): boolean {
    return this.#waiting !== null;
  }

  get bufferedBytes(): number {
    return 0;
  }

  /**
   * Gives the carrier a request to answer: after `holdMs` with nothing if nothing comes, or right
   * away (this tick's packets, possibly none) when `holdMs` is 0. An older request still waiting
   * is answered empty first.
   */
  arm(response: ServerResponse, headers: ExtraHeaders, holdMs: number): void {
    if (this.#waiting) this.#answer();
    const waiting: Waiting = { response, headers, timer: null, answerScheduled: false };
    this.#waiting = waiting;
    if (holdMs > 0) waiting.timer = setTimeout(() => this.#answer(waiting), holdMs);
    else this.#scheduleAnswer(waiting);
    response.once('close', () => {
      if (this.#waiting !== waiting) return;
      // The client gave up on the request before it was answered: the carrier is lost.
      this.#release();
      if (this.#state === 'attached') {
        this.#state = 'detached';
        this.#session?.carrierLost(this);
      }
    });
  }

  /** Takes back the waiting request unanswered (its session could not be resumed here). */
  disarm(): void {
    this.#release();
  }

  /** Called once the session holds the carrier. */
  bind(session: AnySession): void {
    this.#session = session;
    if (this.#state === 'pending') this.#state = 'attached';
  }

  write(packets: readonly OutboundPacket[]): void {
    const waiting = this.#waiting;
    // With no request waiting there is nobody to answer: sequenced packets stay in the session's
    // replay buffer and go out with the next request (which attaches with its seq); others are moot.
    if (!waiting) return;
    for (const packet of packets) this.#batch.push(packet.line(this.#format));
    if (this.#batch.length > 0) this.#scheduleAnswer(waiting);
  }

  /** The session moved to another carrier (the waiting request gets `["n"]`) or ended. */
  detach(): void {
    this.#state = 'detached';
    if (!this.#waiting) return;
    if (this.#session !== null && !this.#session.ended) this.#batch.push(NOOP);
    this.#answer();
  }

  #scheduleAnswer(waiting: Waiting): void {
    if (waiting.answerScheduled) return;
    waiting.answerScheduled = true;
    // Packets written before the event loop turns (an open packet, the replay, what handlers emit in
    // reaction, even from promise callbacks) leave in one response.
    setImmediate(() => this.#answer(waiting));
  }

  #answer(only?: Waiting): void {
    const waiting = this.#waiting;
    if (!waiting || (only !== undefined && only !== waiting)) return;
    const lines = this.#batch;
    this.#release();
    answerLines(waiting.response, lines, waiting.headers);
  }

  #release(): void {
    if (this.#waiting?.timer) clearTimeout(this.#waiting.timer);
    this.#waiting = null;
    this.#batch = [];
  }
}

export interface PollOptions {
  mode: PollMode;
  /** How long a long-poll is held without data, in ms. */
  pollTimeout: number;
}

/**
 * `GET <path>/poll?wait=1|0`. A request for a session whose polling carrier is still attached re-arms
 * that carrier and attaches with the request's `seq` (a receipt, and a replay of whatever a lost
 * response held); anything else connects a carrier, which announces itself with an open packet.
 */
export async function handlePoll(
  server: SessionGateway,
  request: IncomingMessage,
  response: ServerResponse,
  headers: ExtraHeaders,
  tracker: ResponseTracker,
  carriers: WeakMap<AnySession, PollingCarrier>,
  options: PollOptions,
): Promise<void> {
  const params = readSessionParams(request);
  if (isRefusal(params)) return refuse(response, params, headers);
  const admission = await server.admit(request, params);
  if (isRefusal(admission)) return refuse(response, admission, headers);
  if (tracker.gone(response)) return server.abandon(admission);
  const holdMs = options.mode === 'long-polling' ? options.pollTimeout : 0;

  if (admission.kind === 'attach') {
    const existing = carriers.get(admission.session);
    if (existing?.attached && existing.transport === options.mode) {
      existing.arm(response, headers, holdMs);
      if (admission.session.attach(existing, params.seq, { announce: false, resumed: true, positions: params.positions })) return;
      // The packets after `seq` are gone: the client gets a fresh session through `connect`.
      existing.disarm();
    }
  }

  const carrier = new PollingCarrier(options.mode, server.wireFormat);
  carrier.arm(response, headers, holdMs);
  const session = server.connect(admission, carrier);
  if (!session || session.ended) {
    carrier.disarm();
    // A session closed by its own handlers may have answered the request with its close packet.
    return refuse(response, session ? { status: 410, reason: 'session ended' } : { status: 503, reason: 'server is shutting down', headers: { 'Retry-After': '5' } }, headers);
  }
  carrier.bind(session);
  carriers.set(session, carrier);
}
