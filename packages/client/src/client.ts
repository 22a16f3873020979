import { encodePacket, InboundSequence, StreamPositions, TRANSPORT_NAMES, type OpenInfo, type Packet, type SequencedPacket, type TransportName } from '@baro/protocol';
import { backoff, DEFAULT_RECONNECT } from './backoff.js';
import { guarded } from './guarded.js';
import { Outbox } from './outbox.js';
import { createTransport, type Failure, type Transport, type TransportContext, type TransportFactory } from './transports/index.js';
import {
  AckError,
  type AckFailure,
  type ClientOptions,
  type ClientState,
  type DataOf,
  type EventContract,
  type EventHandler,
  type EventName,
  type ReconnectOptions,
  type ReplyOf,
  type StateEvent,
  type UntypedEvents,
} from './types.js';

/**
 * Streaming transports receipt at most this often (ms) … Over SSE every receipt is a POST with a
 * whole HTTP head, so it waits longer: receipts only let the server trim its replay buffer.
 */
const RECEIPT_DELAY = { websocket: 100, sse: 5_000 } as const;
/** … or at once when this many packets wait for a receipt. */
const RECEIPT_BATCH = 100;
/** Streaming transports are dead after this many heartbeat intervals without a packet. */
const HEARTBEAT_TOLERANCE = 2.5;
/** A long-poll is held by the server up to its pollTimeout (25 s by default), which the client is not told. */
const LONG_POLL_ALLOWANCE = 30_000;

type Timer = ReturnType<typeof setTimeout>;
type Handler = (data: unknown, ack: (reply: unknown) => void) => void;

/** One transport the client started: the session's current one, a candidate or an upgrade probe. */
interface Link {
  name: TransportName;
  transport: Transport;
  /** Its open packet arrived. */
  open: boolean;
  /** Closed: whatever it still reports is ignored. */
  dead: boolean;
  /** The open timeout, then the liveness watchdog. */
  timer?: Timer;
}

interface PendingAck {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: Timer;
}

const rank = (name: TransportName): number => TRANSPORT_NAMES.indexOf(name);
const streaming = (name: TransportName): boolean => rank(name) < 2;
/** A WebSocket closed with 4500–4999 ends the client; other codes (1000 "transport replaced" too) are drops. */
export const terminal = (code: number | undefined): boolean => code !== undefined && code >= 4500 && code <= 4999;
/**
 * A close packet ends the client with 4500–4999 and the codes that mean "done" or "you are broken"
 * (1000, 1002, 1008): the codec's `closeCodeAllowsReconnect`, inlined to keep its CloseCode table
 * out of the browser bundle (client.test.ts checks that they agree).
 */
export const endsSession = (code: number): boolean => code === 1000 || code === 1002 || code === 1008 || terminal(code);
/** The object without its undefined values: `{ path: undefined }` keeps the default path. */
const defined = <T extends object>(object: T): Partial<T> =>
  Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as Partial<T>;
/** Whether a packet's text passes the server's maxPayload (bytes: counted exactly only when it matters). */
const tooLarge = (text: string, max: number): boolean =>
  text.length > max || (text.length * 3 > max && new TextEncoder().encode(text).length > max);

/**
 * A baro client: one session carried by whichever transport works, resumed after drops with
 * nothing lost, repeated or reordered. Typed by the app's event contract (`@baro/protocol`'s
 * `EventContract`), the same declaration the server is typed with.
 */
export class BaroClient<Events extends EventContract = UntypedEvents> {
  readonly #options: Required<Omit<ClientOptions, 'reconnect' | 'WebSocket' | 'query'>> & Pick<ClientOptions, 'WebSocket' | 'query'>;
  readonly #reconnect: ReconnectOptions | false;
  readonly #base: string;
  readonly #factory: TransportFactory;
  readonly #context: TransportContext;
  readonly #handlers = new Map<string, Set<Handler>>();
  readonly #listeners = new Set<(event: StateEvent) => void>();
  readonly #acks = new Map<number, PendingAck>();
  readonly #outbox: Outbox;
  /** Transports that failed in the current connect cycle (or as a probe since): not probed again. */
  readonly #blocked = new Set<TransportName>();
  #state: ClientState = 'connecting';
  #info: OpenInfo | null = null;
  #inbound = new InboundSequence();
  /** Where the client is in each stream it is in (rooms, everyone): broadcasts are handled once. */
  readonly #positions = new StreamPositions();
  /** Highest server sequence number receipted on a streaming transport. */
  #receipted = 0;
  #receiptTimer?: Timer;
  #ackId = 0;
  /** The session's transport (open), or the candidate being tried (not yet open). */
  #link: Link | null = null;
  /** An upgrade in progress: a better transport attaching to the session. */
  #probe: Link | null = null;
  /** Candidates left in the current connect cycle. */
  #candidates: TransportName[] = [];
  /** The transport that last carried the session: tried first on reconnect. */
  #preferred: TransportName | null = null;
  #attempt = 0;
  #retryAfter = 0;
  #reconnectTimer?: Timer;

  constructor(url: string | URL, options: ClientOptions = {}, factory: TransportFactory = createTransport) {
    const { reconnect, ...rest } = options;
    this.#options = {
      path: '/baro',
      transports: TRANSPORT_NAMES,
      maxQueued: 1000,
      openTimeout: 5000,
      pollInterval: 1000,
      ackTimeout: 10_000,
      WebSocket: globalThis.WebSocket,
      fetch: globalThis.fetch,
      ...defined(rest),
    };
    this.#reconnect = reconnect === false ? false : { ...DEFAULT_RECONNECT, ...defined(reconnect ?? {}) };
    this.#base = new URL(this.#options.path, new URL(url, globalThis.location?.href)).href.replace(/\/$/, '');
    this.#factory = factory;
    this.#outbox = new Outbox(this.#options.maxQueued);
    const fetch = this.#options.fetch;
    this.#context = {
      url: (endpoint, params) => this.#url(endpoint, params),
      // Called unbound: browsers refuse a fetch whose `this` is another object.
      fetch: (input, init) => fetch(input, init),
      WebSocket: this.#options.WebSocket,
      pollInterval: this.#options.pollInterval,
      paused: () => this.#probe !== null,
      attaching: () => this.#info !== null,
      maxBody: () => this.#info?.maxPayload ?? 1 << 20,
    };
    // Started a tick later, so that listeners added right after construction hear `connecting`.
    queueMicrotask(() => this.#cycle());
  }

  get state(): ClientState {
    return this.#state;
  }

  /** The transport carrying the session, or null while there is none. */
  get transport(): TransportName | null {
    return this.#link?.open ? this.#link.name : null;
  }

  /** The session id, once a session was opened. */
  get sessionId(): string | null {
    return this.#info?.sid ?? null;
  }

  /** Listens to a server event. The handler gets the payload and `ack` (a no-op unless the server asked for an answer). */
  on<K extends EventName<Events['serverToClient']>>(name: K, handler: EventHandler<Events['serverToClient'][K]>): this {
    let set = this.#handlers.get(name);
    if (!set) this.#handlers.set(name, (set = new Set()));
    set.add(handler as Handler);
    return this;
  }

  /** Removes one handler, or all handlers of the event. */
  off<K extends EventName<Events['serverToClient']>>(name: K, handler?: EventHandler<Events['serverToClient'][K]>): this {
    if (handler) this.#handlers.get(name)?.delete(handler as Handler);
    else this.#handlers.delete(name);
    return this;
  }

  /** Listens to state changes and session events (see `StateEvent`). Returns the unsubscribe function. */
  onState(listener: (event: StateEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Sends an event. While disconnected it waits in the outbox and goes out once the session is
   * back; it reaches the server exactly once. False when it was not taken: the client is closed,
   * the outbox is full, or the packet is larger than the server's maxPayload.
   */
  emit<K extends EventName<Events['clientToServer']>>(name: K, data: DataOf<Events['clientToServer'][K]>): boolean {
    return !this.#push((seq) => ({ type: 'event', seq, name, data }));
  }

  /** Sends an event and waits for the server's answer; rejects with an `AckError`. */
  emitWithAck<K extends EventName<Events['clientToServer']>>(
    name: K,
    data: DataOf<Events['clientToServer'][K]>,
    options: { timeout?: number } = {},
  ): Promise<ReplyOf<Events['clientToServer'][K]>> {
    return new Promise((resolve, reject) => {
      const ackId = ++this.#ackId;
      const failure = this.#push((seq) => ({ type: 'event', seq, name, data, ackId }));
      if (failure) return reject(new AckError(`"${name}" not sent: ${failure}`, failure));
      const timeout = options.timeout ?? this.#options.ackTimeout;
      const timer = setTimeout(() => {
        this.#acks.delete(ackId);
        reject(new AckError(`no answer to "${name}" within ${timeout} ms`, 'timeout'));
      }, timeout);
      this.#acks.set(ackId, { resolve: resolve as (value: unknown) => void, reject, timer });
    });
  }

  /** Leaves for good: tells the server, stops every transport and timer, rejects pending acks. */
  close(reason = 'client closed'): void {
    if (this.#link?.open) this.#link.transport.send([{ type: 'close', code: 1000, reason, retryAfterMs: null }]);
    this.#finish(1000, reason);
  }

  // --- connecting -------------------------------------------------------------------------------

  /** Tries the transports one after the other, the one that last worked first. */
  #cycle(): void {
    if (this.#state === 'closed') return;
    const preferred = this.#preferred;
    const order = this.#options.transports;
    this.#candidates = preferred ? [preferred, ...order.filter((name) => name !== preferred)] : [...order];
    this.#blocked.clear();
    this.#setState('connecting', { type: 'connecting' });
    this.#next();
  }

  #next(): void {
    const name = this.#candidates.shift();
    if (name) this.#link = this.#start(name);
    else this.#scheduleReconnect();
  }

  #start(name: TransportName): Link {
    const link = { name, open: false, dead: false } as Link;
    link.timer = setTimeout(() => this.#onClose(link, { reason: 'no open packet in time' }), this.#options.openTimeout);
    link.transport = this.#factory(name, this.#context, {
      packets: (list, upstream) => this.#onPackets(link, list, upstream),
      close: (failure) => this.#onClose(link, failure),
    });
    return link;
  }

  #kill(link: Link | null): void {
    if (!link || link.dead) return;
    link.dead = true;
    clearTimeout(link.timer);
    link.transport.close();
  }

  #onClose(link: Link, failure: Failure): void {
    if (link.dead) return;
    this.#kill(link);
    if (this.#state === 'closed') return;
    if (failure.retryAfter) this.#retryAfter = Math.max(this.#retryAfter, failure.retryAfter);
    if (link === this.#probe) {
      this.#probe = null;
      if (!link.open) this.#blocked.add(link.name);
      // The session's transport was replaced (or died) while the probe tried: nothing carries it now.
      if (this.#link) this.#upgrade();
      else this.#drop();
    } else if (link === this.#link) {
      this.#link = null;
      if (!link.open) {
        this.#blocked.add(link.name);
        this.#next();
      } else if (terminal(failure.code)) {
        this.#finish(failure.code!, failure.reason);
      } else if (!this.#probe) {
        // With a probe under way, it may still take the session over.
        this.#drop();
      }
    }
  }

  /** The session lost its transport: come back after the backoff. */
  #drop(): void {
    this.#kill(this.#probe);
    this.#kill(this.#link);
    this.#probe = this.#link = null;
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (!this.#reconnect) return this.#finish(1006, 'connection lost');
    const attempt = ++this.#attempt;
    const delay = backoff(attempt, this.#reconnect) + this.#retryAfter;
    this.#retryAfter = 0;
    this.#setState('reconnecting', { type: 'reconnecting', attempt, delay });
    this.#reconnectTimer = setTimeout(() => this.#cycle(), delay);
  }

  /** On an HTTP transport: try the best streaming transport not yet blocked in the background. */
  #upgrade(): void {
    const link = this.#link;
    if (this.#probe || !link?.open) return;
    // TRANSPORT_NAMES runs from best to worst: the first that fits is the best candidate.
    const better = TRANSPORT_NAMES.find(
      (name) => streaming(name) && rank(name) < rank(link.name) && this.#options.transports.includes(name) && !this.#blocked.has(name),
    );
    if (better) this.#probe = this.#start(better);
  }

  #finish(code: number, reason: string): void {
    if (this.#state === 'closed') return;
    this.#kill(this.#probe);
    this.#kill(this.#link);
    this.#probe = this.#link = null;
    clearTimeout(this.#reconnectTimer);
    clearTimeout(this.#receiptTimer);
    for (const pending of this.#acks.values()) {
      clearTimeout(pending.timer);
      pending.reject(new AckError(`the client closed: ${reason}`, 'closed'));
    }
    this.#acks.clear();
    this.#setState('closed', { type: 'closed', code, reason });
  }

  // --- receiving --------------------------------------------------------------------------------

  #onPackets(link: Link, list: Packet[], upstream: boolean): void {
    if (link.dead || this.#state === 'closed') return;
    if (!link.open && list[0]?.type !== 'open') {
      // A poll that continues the session may come without an open packet (the server need not
      // tell a new long-polling transport from the next request of the old one): it is one.
      if (streaming(link.name) || upstream || !this.#info) return this.#onClose(link, { reason: 'expected an open packet' });
      // It says nothing of the streams: the positions the client has stand.
      this.#onOpen(link, { ...this.#info, transport: link.name, resumed: true, cseq: this.#outbox.receipted, streams: undefined });
    }
    if (!upstream && link.open) this.#watch(link);
    for (const packet of list) {
      // A handler may have closed the client or the link.
      if (link.dead || (this.#state as ClientState) === 'closed') return;
      switch (packet.type) {
        case 'open':
          this.#onOpen(link, packet.info);
          break;
        case 'event':
        case 'ack': {
          const verdict = this.#inbound.accept(packet.seq);
          // A gap means something went missing on the way: resuming from what was processed fixes it.
          if (verdict === 'gap') return this.#onClose(link, { reason: `sequence gap at ${packet.seq}` });
          if (verdict === 'next') {
            if (packet.type === 'event') this.#dispatch(packet);
            else this.#answer(packet);
          }
          break;
        }
        case 'message':
          if (this.#positions.accept(packet.stream, packet.offset)) this.#dispatch({ type: 'event', seq: 0, name: packet.name, data: packet.data });
          break;
        case 'join':
          this.#positions.join(packet.stream, packet.epoch, packet.offset);
          break;
        case 'leave':
          this.#positions.leave(packet.stream);
          break;
        case 'receipt':
          this.#outbox.receipt(packet.seq);
          break;
        case 'ping':
          link.transport.send([{ type: 'pong', t: packet.t }]);
          break;
        case 'notice':
          this.#emitState({ type: 'notice', code: packet.code, message: packet.message });
          break;
        case 'close':
          if (endsSession(packet.code)) return this.#finish(packet.code, packet.reason);
          this.#retryAfter = packet.retryAfterMs ?? 0;
          return this.#drop();
      }
    }
    if (!link.dead && streaming(link.name)) this.#scheduleReceipt();
  }

  #onOpen(link: Link, info: OpenInfo): void {
    if (link === this.#probe) {
      this.#kill(this.#link);
      this.#link = link;
      this.#probe = null;
    }
    if (link !== this.#link) return;
    const resync = this.#info !== null && !info.resumed;
    const switched = this.#preferred !== null && this.#preferred !== link.name;
    link.open = true;
    this.#info = info;
    this.#watch(link);
    this.#attempt = 0;
    this.#preferred = link.name;
    // An open packet says where the session is in each of its streams.
    if (info.streams !== undefined) {
      this.#positions.clear();
      for (const [stream, [epoch, offset]] of Object.entries(info.streams)) this.#positions.join(stream, epoch, offset);
    }
    if (resync) {
      this.#inbound = new InboundSequence();
      this.#receipted = 0;
      this.#outbox.reset();
    }
    link.transport.send(this.#outbox.after(info.cseq));
    if (this.#state !== 'open') this.#setState('open', { type: 'open', sid: info.sid, transport: link.name, resumed: info.resumed });
    if (switched) this.#emitState({ type: 'transport', transport: link.name });
    if (resync) this.#emitState({ type: 'resync', sid: info.sid });
    this.#upgrade();
  }

  /** Arms the liveness watchdog of an open link: packets (or poll responses) must keep coming. */
  #watch(link: Link): void {
    clearTimeout(link.timer);
    const heartbeat = this.#info!.heartbeat;
    if (heartbeat > 0 || link.name === 'long-polling') {
      const limit = heartbeat * HEARTBEAT_TOLERANCE + (link.name === 'long-polling' ? LONG_POLL_ALLOWANCE : 0);
      link.timer = setTimeout(() => this.#onClose(link, { reason: 'heartbeat timeout' }), limit);
    }
  }

  #dispatch(packet: Extract<Packet, { type: 'event' }>): void {
    const { ackId } = packet;
    let answered = ackId === undefined;
    const ack = (reply: unknown): void => {
      if (answered) return;
      answered = true;
      this.#push((seq) => ({ type: 'ack', seq, ackId: ackId!, data: reply }));
    };
    for (const handler of [...(this.#handlers.get(packet.name) ?? [])]) guarded(() => handler(packet.data, ack));
  }

  #answer(packet: Extract<Packet, { type: 'ack' }>): void {
    const pending = this.#acks.get(packet.ackId);
    if (!pending) return;
    this.#acks.delete(packet.ackId);
    clearTimeout(pending.timer);
    if (packet.error === undefined) pending.resolve(packet.data);
    else pending.reject(new AckError(packet.error, 'error'));
  }

  #scheduleReceipt(): void {
    const waiting = this.#inbound.last - this.#receipted;
    if (waiting >= RECEIPT_BATCH) this.#sendReceipt();
    else if (waiting > 0) this.#receiptTimer ??= setTimeout(() => this.#sendReceipt(), this.#link?.name === 'sse' ? RECEIPT_DELAY.sse : RECEIPT_DELAY.websocket);
  }

  #sendReceipt(): void {
    clearTimeout(this.#receiptTimer);
    this.#receiptTimer = undefined;
    const link = this.#link;
    const seq = this.#inbound.last;
    if (!link?.open || !streaming(link.name) || seq <= this.#receipted) return;
    this.#receipted = seq;
    link.transport.send([{ type: 'receipt', seq }]);
  }

  // --- sending ----------------------------------------------------------------------------------

  /** Numbers a sequenced packet, keeps it until receipted and sends it if a transport is open. */
  #push(make: (seq: number) => SequencedPacket): AckFailure | undefined {
    if (this.#state === 'closed') return 'closed';
    // A packet the server refuses would be resent on every resume and stall everything behind it.
    // Encoded once, with its own number: the size check and the transport share the text.
    // The outbox numbers it `nextSeq`, the number it was built with.
    const packet = make(this.#outbox.nextSeq);
    const text = encodePacket(packet);
    const max = this.#info?.maxPayload;
    if (max && tooLarge(text, max)) return 'too-large';
    if (!this.#outbox.add(() => packet)) return 'full';
    if (this.#link?.open) this.#link.transport.send([packet], [text]);
  }

  #url(endpoint: string, params?: Record<string, string>): string {
    const query = new URLSearchParams({ ...params, ...this.#options.query });
    const info = this.#info;
    if (info) {
      query.set('sid', info.sid);
      query.set('token', info.token);
      if (endpoint !== 'send') {
        query.set('seq', String(this.#inbound.last));
        if (this.#positions.size > 0) query.set('pos', this.#positions.encode());
      }
    }
    return `${this.#base}/${endpoint}?${query}`;
  }

  #setState(state: ClientState, event: StateEvent): void {
    this.#state = state;
    this.#emitState(event);
  }

  #emitState(event: StateEvent): void {
    for (const listener of [...this.#listeners]) guarded(() => listener(event));
  }
}

/**
 * Connects to a baro server: `connect<MyEvents>('https://example.com', options)`, `MyEvents` the
 * app's event contract (`{ clientToServer: …; serverToClient: … }`), shared with the server.
 * The client starts connecting at once and reconnects by itself until `close()`.
 */
export function connect<Events extends EventContract = UntypedEvents>(url: string | URL, options?: ClientOptions): BaroClient<Events> {
  return new BaroClient<Events>(url, options);
}
