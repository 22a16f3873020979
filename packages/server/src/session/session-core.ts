import {
  BaroCloseCode,
  EVERYONE,
  InboundSequence,
  ReplayBuffer,
  type OpenInfo,
  type Packet,
  type TransportName,
} from '@baro/protocol';
import type { Carrier } from './carrier.js';
import { LIFECYCLE_EVENTS, type EmitOptions } from './events.js';
import { control, pendingAck, pendingEvent, restoredPacket, type PendingPacket } from './outbound.js';
import type { CommitResult, CommittedChange, OwnPacket, SessionChange } from '../hub/session-store.js';
import { OutboundPacket } from '../wire/outbound-packet.js';
import type { StreamPacket } from '../streams/stream-packet.js';
import type { StreamMember, StreamReplay } from '../streams/room-streams.js';
import { TokenBucket } from './token-bucket.js';

export interface SessionLimits {
  /** Bytes queued for a client (unsent plus unflushed) before it is closed as a slow consumer (4001). */
  maxQueuedBytes: number;
  /**
   * Sent packets kept for replay until the client receipts them, in packets and bytes (each counted
   * as its UTF-8 bytes plus PACKET_OVERHEAD_BYTES). A session whose unreceipted packets would pass
   * either is closed as a slow consumer (4001): dropping the oldest would only break its resume.
   */
  replayCount: number;
  replayBytes: number;
  /** How long a session without transport waits for its client, in ms. */
  resumeWindow: number;
  /** Heartbeat interval in ms. */
  heartbeat: number;
  /**
   * Events a client may send per second, and in a burst. Refused events (over the rate, or with a
   * reserved name) take from it too. Refusals are answered (an ack with an error, or a notice) at
   * the same rate and burst, from a budget of their own; past it they are dropped unanswered.
   */
  eventsPerSecond: number;
  eventBurst: number;
  /**
   * Attaches that replay packets (a resume, or a poll repeating a lost answer) per minute and in a
   * burst; past them the request is refused with 429 and Retry-After (on WebSocket, before the 101).
   */
  resumesPerMinute: number;
  resumeBurst: number;
  /** Default timeout for `emitWithAck`, in ms. */
  ackTimeout: number;
  /** Largest packet accepted from a client, in bytes. */
  maxPayload: number;
}

/** Queued bytes past which volatile events are dropped. */
const VOLATILE_BACKLOG = 64 * 1024;
/**
 * A duplex client (WebSocket) is receipted at once when this many of its packets wait for a
 * receipt; otherwise the receipt rides along with what the server writes next once RECEIPT_DELAY_MS
 * have passed since the last one, and a client that goes quiet gets it by timer at the latest
 * 2 × RECEIPT_DELAY_MS after its last packet. A receipt only lets the client forget what it keeps
 * for a resend: one per packet (a second frame with every echo) bought nothing, and one by timer
 * while the client is busy would be a write of its own.
 */
export const RECEIPT_BATCH = 100;
export const RECEIPT_DELAY_MS = 100;
/** Batches up to this many packets leave their array for the next queue (see `#recycle`). */
const SPARE_MAX = 64;
/** How long a flooding client (past its events' and its refusals' budgets) goes unread. */
export const FLOOD_HOLD_MS = 1000;

export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  maxQueuedBytes: 4 * 1024 * 1024,
  replayCount: 10_000,
  replayBytes: 8 * 1024 * 1024,
  resumeWindow: 120_000,
  heartbeat: 25_000,
  eventsPerSecond: 200,
  eventBurst: 400,
  resumesPerMinute: 12,
  resumeBurst: 5,
  ackTimeout: 10_000,
  maxPayload: 1024 * 1024,
};

/**
 * Where a session's state lives beyond this node (a `SessionStore`, issue 11). With one, the
 * session does not number its own packets: each client event is committed with the packets its
 * handlers produced at once (one atomic step), and packets are numbered and sent as the store
 * announces them (`heard`), so whichever node carries the client sends them, in the store's order.
 */
export interface SessionLedger {
  commit(change: SessionChange): Promise<CommitResult>;
  /** Whether the app's `data` is kept in the store too (committed with the event whose handlers changed it). */
  readonly keepsData?: boolean;
  /** The client receipted up to `seq` (a write the session does not wait for). */
  receipt(seq: number): void;
}

/** A session made again on this node from its store: how far it is, and its own packets after the client's seq. */
export interface RestoredState {
  readonly cseq: number;
  /** The app's data as the store keeps it (null: none). */
  readonly data?: Readonly<Record<string, unknown>> | null;
  readonly after: number;
  readonly packets: readonly OwnPacket[];
}

const RESOLVED = Promise.resolve();

/** What a session needs from the server that owns it. */
export interface SessionHost {
  now(): number;
  /** Joins the rooms' streams; returns the join packets to send. */
  join(session: SessionCore, rooms: readonly string[]): Packet[];
  leave(session: SessionCore, room: string): void;
  /** What the streams must replay to a client at `positions` (null: too far behind, resync). */
  replay(session: SessionCore, positions: ReadonlyMap<string, number> | null, announceAll: boolean): StreamReplay | null;
  /** Flushes the session soon (with every other session written to in this tick). */
  scheduleFlush(session: SessionCore): void;
  ended(session: SessionCore): void;
  /** A handler threw: the server reports it, the session goes on. */
  handlerFailed(session: SessionCore, event: string, error: unknown): void;
  /** With a ledger: its carrier went away (this node may forget its copy once commits are done). */
  detached?(session: SessionCore): void;
  /** With a ledger: another node changed the session's rooms: this node lets go of its copy. */
  stale?(session: SessionCore): void;
  /** With a ledger: the store failed or disagrees: this node must drop its copy (the client resumes, from the store). */
  ledgerFailed?(session: SessionCore, error: Error): void;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (...args: any[]) => void;

/** What a live queue holds: the session's own packets not yet numbered, and packets ready to write. */
type Queued = PendingPacket | OutboundPacket;

/**
 * One client's session, whatever carries it: what the server and the transports work with (the
 * app gets the `Session` façade). It numbers the session's own packets, keeps them for replay until
 * receipted, queues the broadcasts for it while a carrier is attached, processes incoming packets
 * exactly once and in order, and applies one backpressure policy for every transport.
 */
export class SessionCore implements StreamMember {
  readonly id: string;
  readonly token: string;
  /** The app's own per-session data (e.g. the authenticated user). */
  data: Record<string, unknown> = {};
  readonly rooms = new Set<string>();
  readonly remoteAddress: string;

  readonly #host: SessionHost;
  readonly #limits: SessionLimits;
  readonly #handlers = new Map<string, Set<Handler>>();
  readonly #replay: ReplayBuffer<OutboundPacket>;
  #inbound: InboundSequence;
  readonly #ledger: SessionLedger | null;
  /** With a ledger: the client sequence number the store recorded as processed (what receipts say). */
  #committedCseq = 0;
  /** With a ledger: the packets produced by the handler running now, committed with its event. */
  #handling: PendingPacket[] | null = null;
  /** With a ledger: packets produced outside handlers in this tick, committed together. */
  #loose: PendingPacket[] | null = null;
  #commits: Promise<void> = RESOLVED;
  #uncommitted = 0;
  #toldReceipt = 0;
  /** With a ledger that keeps data: the JSON of `data` as last committed. */
  #savedData: string | null = null;
  /** Whether this node made the session again from its store (the app's `connection` handler sees it). */
  readonly resumed: boolean;
  // Budgets and the ack table are made on first use: most sessions never need some of them, and a
  // bucket never taken from is full, as a new one is.
  #rate: TokenBucket | null = null;
  #refusals: TokenBucket | null = null;
  #resumes: TokenBucket | null = null;
  #carrier: Carrier | null = null;
  /**
   * In emission order: the session's own packets, and while a carrier is attached the broadcasts
   * for it (shared objects) and its join/leave packets. Without a carrier only its own packets wait
   * here: broadcasts are in their streams' history.
   */
  #queue: Queued[] = [];
  /** The last batch's array, empty, for the queue after the next flush (see `#recycle`). */
  #spare: Queued[] | null = null;
  #queuedBytes = 0;
  #nextSeq = 1;
  #flushScheduled = false;
  #acks: Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }> | null = null;
  #nextAckId = 1;
  #receiptDue = false;
  /** The client sequence number last receipted on a duplex carrier, when, and the fallback timer. */
  #receiptedCseq = 0;
  #receiptedAt = 0;
  #receiptTimer: NodeJS.Timeout | null = null;
  #closeOnNextRequest: { code: number; reason: string; retryAfterMs: number | null } | null = null;
  #lastPing = 0;
  #ended = false;
  /** When the client was last heard from, or when its carrier went away. */
  lastSeen: number;
  /** The round trip of the last heartbeat, in ms. */
  rtt: number | null = null;

  constructor(
    host: SessionHost,
    init: { id: string; token: string; remoteAddress: string; limits: SessionLimits; ledger?: SessionLedger; restored?: RestoredState },
  ) {
    this.#host = host;
    this.id = init.id;
    this.token = init.token;
    this.remoteAddress = init.remoteAddress;
    this.#limits = init.limits;
    this.#replay = new ReplayBuffer({ maxCount: init.limits.replayCount, maxBytes: init.limits.replayBytes });
    this.#ledger = init.ledger ?? null;
    const restored = init.restored;
    this.resumed = restored !== undefined;
    this.#inbound = new InboundSequence(restored?.cseq ?? 0);
    this.#committedCseq = restored?.cseq ?? 0;
    this.#toldReceipt = restored?.after ?? 0;
    if (restored?.data) this.data = structuredClone(restored.data) as Record<string, unknown>;
    if (this.#ledger?.keepsData) this.#savedData = JSON.stringify(this.data);
    if (restored) {
      this.#replay.startAt(restored.after);
      for (const own of restored.packets) this.#keepOwn(own);
    }
    this.lastSeen = host.now();
  }

  get transport(): TransportName | null {
    return this.#carrier?.transport ?? null;
  }

  get connected(): boolean {
    return this.#carrier !== null;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Closed, and waiting only to tell a polling client so with its next request. */
  get closing(): boolean {
    return this.#closeOnNextRequest !== null;
  }

  /**
   * The highest client sequence number processed (what a receipt `["r", cseq]` reports); with a
   * ledger, the highest the store recorded (an event is processed once its commit is done).
   */
  get cseq(): number {
    return this.#ledger ? this.#committedCseq : this.#inbound.last;
  }

  /** With a ledger: whether commits are on their way to the store (`settled` waits for them). */
  get committing(): boolean {
    return this.#uncommitted > 0 || this.#loose !== null;
  }

  /** Resolves when the commits made so far are done (at once without a ledger). */
  async settled(): Promise<void> {
    while (this.committing) {
      if (this.#loose !== null && this.#uncommitted === 0) await RESOLVED;
      else await this.#commits;
    }
  }

  /** With a ledger: a commit on any node, as the store announced it (packets in the store's order). */
  heard(change: CommittedChange, ownOrigin?: string): void {
    if (this.#ended) return;
    if (change.origin !== ownOrigin) {
      // Another node changed its rooms: this copy no longer knows where the client is in its
      // streams. It lets go; the client comes back (to any node) and is served from the store.
      const moved = change.joined ? !this.rooms.has(change.joined.room) : change.left !== undefined && this.rooms.has(change.left);
      if (moved) return this.#host.stale ? this.#host.stale(this) : this.release();
    }
    for (const own of change.packets) {
      if (own.seq <= this.#replay.lastSeq) continue;
      if (own.seq !== this.#replay.lastSeq + 1) return this.#ledgerFailed(new Error(`session ${this.id}: packet ${own.seq} announced after ${this.#replay.lastSeq}`));
      const packet = this.#keepOwn(own);
      if (packet === null) return;
      if (this.#carrier) this.#queueReady(packet);
    }
    // Data another node's handlers changed. Data committed before the last event this node handled
    // is older than what its handlers left (its own commits come back too).
    const current = change.cseq >= this.#inbound.last;
    if (change.cseq > this.#inbound.last) this.#inbound = new InboundSequence(change.cseq);
    if (change.data !== undefined && current && this.#ledger?.keepsData) {
      const json = JSON.stringify(change.data ?? {});
      if (json !== this.#savedData) {
        this.#savedData = json;
        this.data = JSON.parse(json) as Record<string, unknown>;
      }
    }
    this.#committed(change.cseq);
  }

  /** Packets sent and kept until the client receipts them. */
  get replayCount(): number {
    return this.#replay.count;
  }

  /** What those packets are counted as (UTF-8 bytes plus PACKET_OVERHEAD_BYTES each). */
  get replayBytes(): number {
    return this.#replay.bytes;
  }

  /** Bytes waiting for this client: not yet given to a carrier, or given and not yet flushed. */
  get queuedBytes(): number {
    return this.#queuedBytes + (this.#carrier?.bufferedBytes ?? 0);
  }

  // ------------------------------------------------------------------ user API

  on(event: string, handler: Handler): this {
    let set = this.#handlers.get(event);
    if (!set) this.#handlers.set(event, (set = new Set()));
    set.add(handler);
    return this;
  }

  off(event: string, handler: Handler): this {
    this.#handlers.get(event)?.delete(handler);
    return this;
  }

  /** Sends an event. Returns false when it was dropped (volatile and the client is behind) or the session ended. */
  emit(event: string, data: unknown, options?: EmitOptions): boolean {
    if (this.#ended) return false;
    if (options === undefined) return this.#enqueue(pendingEvent(event, data));
    if (options.volatile && this.#behind()) return false;
    return this.#enqueue(pendingEvent(event, data, options));
  }

  /** Sends an event the client must acknowledge; resolves with its answer. */
  emitWithAck(event: string, data: unknown, options: { timeout?: number } = {}): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.#ended) return reject(new Error('the session has ended'));
      const ackId = this.#nextAckId++;
      const timer = setTimeout(() => {
        this.#acks?.delete(ackId);
        reject(new Error(`no acknowledgement for "${event}" within ${options.timeout ?? this.#limits.ackTimeout} ms`));
      }, options.timeout ?? this.#limits.ackTimeout);
      (this.#acks ??= new Map()).set(ackId, { resolve, reject, timer });
      this.#enqueue(pendingEvent(event, data, { ackId }));
    });
  }

  join(...rooms: string[]): void {
    if (this.#ended) return;
    for (const room of rooms) if (typeof room !== 'string' || room === EVERYONE) throw new TypeError('a room name is a non-empty string');
    const added = [...new Set(rooms.filter((room) => !this.rooms.has(room)))];
    if (added.length === 0) return;
    for (const room of added) this.rooms.add(room);
    const joins = this.#host.join(this, added);
    // Without a carrier the client hears of its rooms when it attaches.
    if (this.#carrier) for (const packet of joins) this.#queueReady(control(packet));
  }

  leave(room: string): void {
    if (!this.rooms.delete(room)) return;
    this.#host.leave(this, room);
    if (this.#carrier) this.#queueReady(control({ type: 'leave', stream: room }));
  }

  /** Ends the session for good; `retryAfterMs` tells the client when it may come back. */
  disconnect(code: number = 1000, reason = '', retryAfterMs: number | null = null): void {
    this.close(code, reason, retryAfterMs);
  }

  // ---------------------------------------------------------- server/transport API

  /** A broadcast on one of its streams, live (the same packet object for every member). */
  deliver(packet: StreamPacket): void {
    const carrier = this.#carrier;
    // Without a carrier the broadcast waits in its stream's history, not here; so it does for a
    // polling client between requests, whose next request replays from its positions anyway.
    if (this.#ended || carrier === null) return;
    if (packet.volatile) {
      if (this.#behind()) return;
    } else if (!carrier.streaming && !carrier.writable) {
      return;
    }
    if (packet.latest !== undefined) {
      this.#queueReady(packet);
      return;
    }
    // `#queueReady` without the latest-only search: once per member of every broadcast.
    this.#queue.push(packet);
    this.#queuedBytes += packet.size;
    if (this.#queuedBytes + carrier.bufferedBytes > this.#limits.maxQueuedBytes) {
      this.close(BaroCloseCode.slowConsumer, 'slow consumer', 1000);
      return;
    }
    this.#scheduleFlush();
  }

  /** A stream's start, learned after the session joined it. */
  announce(packet: Packet): void {
    if (!this.#ended && this.#carrier) this.#queueReady(control(packet));
  }

  /** One of its streams started over (its broker restarted): the client must resync. */
  restarted(stream: string): void {
    this.close(BaroCloseCode.serverRestart, `stream "${stream}" started over: resync required`, null, { immediately: true });
  }

  /**
   * Whether a transport may attach at `clientSeq` now. Attaching replays every packet after it,
   * so an attach that would replay any takes a resume token; one that replays none is free.
   */
  mayResume(clientSeq: number): boolean {
    if (this.#replay.count === 0 || this.#replay.lastSeq <= clientSeq) return true;
    const now = this.#host.now();
    return (this.#resumes ??= new TokenBucket(this.#limits.resumesPerMinute / 60, this.#limits.resumeBurst, now)).take(now);
  }

  /** Whether `attach` at `clientSeq` and `positions` would work now (the packets after them are all here). */
  canResume(clientSeq: number, positions: ReadonlyMap<string, number> | null): boolean {
    return this.#replay.since(clientSeq) !== null && this.#host.replay(this, positions, false) !== null;
  }

  /**
   * A transport (re)attaches with the client's last processed sequence number. Returns false when
   * the packets after it are gone (the client must resync); the caller then ends this session.
   */
  attach(
    carrier: Carrier,
    clientSeq: number,
    options: { announce: boolean; resumed: boolean; positions?: ReadonlyMap<string, number> | null },
  ): boolean {
    const missed = this.#replay.since(clientSeq);
    if (missed === null) return false;
    const streams = this.#host.replay(this, options.positions ?? null, options.announce);
    if (streams === null) return false;
    const previous = this.#carrier;
    this.#carrier = carrier;
    if (previous && previous !== carrier) previous.detach(true);
    this.#receipted(clientSeq);
    // An open packet says where every stream restarts; without one, join packets say it.
    this.#requeue(missed, streams.packets, options.announce ? [] : streams.joins);
    this.lastSeen = this.#host.now();
    if (options.announce) {
      const info = this.openInfo(carrier.transport, options.resumed);
      info.streams = {};
      for (const join of streams.joins) if (join.type === 'join') info.streams[join.stream] = [join.epoch, join.offset];
      carrier.write([control({ type: 'open', info })]);
    }
    if (previous !== carrier) {
      if (previous === null) this.#dispatch('online', []);
      if (previous?.transport !== carrier.transport) this.#dispatch('transport', [carrier.transport]);
    }
    this.flush();
    return true;
  }

  openInfo(transport: TransportName, resumed: boolean): OpenInfo {
    return {
      sid: this.id,
      token: this.token,
      transport,
      heartbeat: this.#limits.heartbeat,
      resumeWindow: this.#limits.resumeWindow,
      maxPayload: this.#limits.maxPayload,
      resumed,
      cseq: this.cseq,
    };
  }

  /** The carrier's connection or request ended; the session waits for the client to come back. */
  carrierLost(carrier: Carrier): void {
    if (this.#carrier !== carrier) return;
    this.#carrier = null;
    this.#keepOwnPackets();
    this.lastSeen = this.#host.now();
    this.#dispatch('offline', []);
    this.#host.detached?.(this);
  }

  /**
   * With a ledger: this node lets go of the session without ending it (its client resumes on any
   * node, from the store): the carrier is dropped, nothing is dispatched, nothing is removed.
   */
  release(): void {
    if (this.#ended) return;
    this.#ended = true;
    const carrier = this.#carrier;
    this.#carrier = null;
    carrier?.detach(true);
    for (const [, pending] of this.#acks ?? []) {
      clearTimeout(pending.timer);
      pending.reject(new Error('the session moved to another node'));
    }
    this.#acks = null;
    if (this.#receiptTimer !== null) clearTimeout(this.#receiptTimer);
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#replay.clear();
  }

  /** Writes what is due when the carrier can take it (called again by carriers when they can). */
  flush(): void {
    this.#flushScheduled = false;
    const carrier = this.#carrier;
    if (!carrier || !carrier.writable || this.#ended) return;
    const closing = this.#closeOnNextRequest;
    if (closing) return this.close(closing.code, closing.reason, closing.retryAfterMs, { immediately: true });
    // The queue becomes the batch: its own packets are numbered in place, the rest are ready.
    const batch: (OutboundPacket | PendingPacket)[] = this.#queue;
    this.#queue = this.#spare ?? [];
    this.#spare = null;
    this.#queuedBytes = 0;
    let replayFull = false;
    for (let i = 0; i < batch.length; i++) {
      const item = batch[i];
      if (item instanceof OutboundPacket) continue;
      if (this.#replayFull(item.size)) {
        replayFull = true;
        batch.length = i;
        break;
      }
      const seq = this.#nextSeq++;
      const packet = item.build(seq);
      this.#replay.push(seq, packet, item.size);
      batch[i] = packet;
    }
    // HTTP transports answer each POST with its receipt; only a duplex carrier needs it pushed.
    if (this.#receiptDue && carrier.duplex) {
      this.#receiptDue = false;
      batch.unshift(control({ type: 'receipt', seq: this.cseq }));
    }
    if (batch.length > 0) carrier.write(batch as OutboundPacket[]);
    this.#recycle(batch);
    if (replayFull) this.close(BaroCloseCode.slowConsumer, 'replay buffer full', 1000);
  }

  /**
   * Keeps a written batch's array as the next queue, emptied with `pop` (which keeps its capacity,
   * where `length = 0` drops it): a new array per flush was a new backing store per message. A
   * burst's large array is left to the GC.
   */
  #recycle(batch: Queued[]): void {
    if (batch.length > SPARE_MAX) return;
    while (batch.length > 0) batch.pop();
    this.#spare = batch;
  }

  /** Packets from the client, in arrival order. */
  receive(packets: readonly Packet[]): void {
    const now = this.#host.now();
    this.lastSeen = now;
    for (const packet of packets) {
      if (this.#ended) return;
      this.#receiveOne(packet, now);
    }
    // HTTP transports answer each POST with its receipt; only a duplex carrier needs one pushed.
    if (this.#carrier?.duplex) this.#receiptLater(now);
    // Made again on this node for a POST alone: nothing holds it here once its commits are done.
    else if (this.#ledger && this.#carrier === null) this.#host.detached?.(this);
  }

  /** One packet from the client (a WebSocket message): `receive` without the array. */
  receiveOne(packet: Packet): void {
    if (this.#ended) return;
    const now = this.#host.now();
    this.lastSeen = now;
    this.#receiveOne(packet, now);
    if (this.#carrier?.duplex) this.#receiptLater(now);
  }

  /** The client's receipt `["r", seq]`, read by a carrier without decoding a packet. */
  receipt(seq: number): void {
    if (this.#ended) return;
    this.lastSeen = this.#host.now();
    this.#receipted(seq);
  }

  /** Sends a heartbeat, or reports the carrier dead when the client has been silent too long. */
  heartbeat(now: number): void {
    const carrier = this.#carrier;
    if (!carrier) return;
    // A poll request waiting for data is the client saying it is there.
    if (!carrier.streaming && carrier.writable) this.lastSeen = now;
    if (now - this.lastSeen > this.#limits.heartbeat * 2.5) {
      carrier.detach(true);
      this.carrierLost(carrier);
      return;
    }
    // Polling requests are heartbeats themselves; streaming transports get a ping per interval.
    if (carrier.streaming && carrier.writable && now - this.#lastPing >= this.#limits.heartbeat) {
      this.#lastPing = now;
      carrier.write([control({ type: 'ping', t: now })]);
    }
  }

  /** Whether the session has waited longer than its resume window without a transport. */
  expired(now: number): boolean {
    if (this.#closeOnNextRequest && now - this.lastSeen > this.#limits.heartbeat * 2.5) return true;
    return this.#carrier === null && now - this.lastSeen > this.#limits.resumeWindow;
  }

  /**
   * Ends the session. A polling client between requests hears the close packet with its next
   * request (unless `immediately`): otherwise it would never learn when to come back.
   */
  close(code: number, reason: string, retryAfterMs: number | null = null, { immediately = false } = {}): void {
    if (this.#ended) return;
    const waiting = this.#carrier;
    if (!immediately && waiting && !waiting.streaming && !waiting.writable) {
      this.#closeOnNextRequest = { code, reason, retryAfterMs };
      return;
    }
    this.#ended = true;
    const carrier = this.#carrier;
    this.#carrier = null;
    if (carrier) {
      if (carrier.writable) carrier.write([control({ type: 'close', code, reason, retryAfterMs })]);
      carrier.detach();
    }
    for (const [, pending] of this.#acks ?? []) {
      clearTimeout(pending.timer);
      pending.reject(new Error(`the session ended (${code} ${reason})`));
    }
    this.#acks = null;
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#replay.clear();
    this.#host.ended(this);
    this.#dispatch('disconnect', [code, reason]);
  }

  // ------------------------------------------------------------------ internals

  /**
   * Whether the client is behind, so volatile events are dropped: it is away, its streaming
   * transport is backed up, or more than a little is waiting (a polling client between requests
   * is not behind by itself).
   */
  #behind(): boolean {
    const carrier = this.#carrier;
    if (carrier === null) return true;
    if (carrier.streaming && !carrier.writable) return true;
    return this.queuedBytes > VOLATILE_BACKLOG;
  }

  /** The client left too much unreceipted: one more packet would pass the replay limits. */
  #replayFull(size: number): boolean {
    const replay = this.#replay;
    if (replay.count === 0) return false;
    return replay.count >= this.#limits.replayCount || replay.bytes + size > this.#limits.replayBytes;
  }

  #enqueue(pending: PendingPacket): boolean {
    if (!this.#ledger) return this.#queueReady(pending);
    // With a ledger a packet is sent only once the store has numbered it (see `heard`).
    if (this.#handling) this.#handling.push(pending);
    else this.#looseBatch().push(pending);
    return true;
  }

  /** Packets emitted outside handlers in this tick: one commit for all of them, at the end of the tick. */
  #looseBatch(): PendingPacket[] {
    if (this.#loose) return this.#loose;
    const loose: PendingPacket[] = (this.#loose = []);
    void RESOLVED.then(() => {
      this.#loose = null;
      this.#commit(undefined, loose);
    });
    return loose;
  }

  /** With a ledger: the commits after this one wait for `step` (e.g. a join being recorded). */
  commitAfter(step: Promise<unknown>): void {
    if (!this.#ledger) return;
    this.#uncommitted++;
    this.#commits = this.#commits
      .then(() => step)
      .then(
        () => {},
        () => {},
      )
      .finally(() => this.#uncommitted--);
  }

  /** With a ledger that keeps data: commits `data` if handlers outside a client event changed it (e.g. `connection`). */
  commitData(): void {
    if (this.#ledger?.keepsData && !this.#ended) this.#commit(undefined, []);
  }

  /** Queues a commit after the ones before it: the store sees a session's client events in order. */
  #commit(cseq: number | undefined, items: PendingPacket[]): void {
    const ledger = this.#ledger!;
    let data: Record<string, unknown> | undefined;
    if (ledger.keepsData) {
      const json = JSON.stringify(this.data);
      if (json !== this.#savedData) {
        this.#savedData = json;
        data = JSON.parse(json) as Record<string, unknown>;
      }
    }
    if (cseq === undefined && items.length === 0 && data === undefined) return;
    this.#uncommitted++;
    this.#commits = this.#commits.then(async () => {
      try {
        if (this.#ended) return;
        const result = await ledger.commit({ ...(cseq === undefined ? {} : { cseq }), packets: items.map((item) => item.stored()), ...(data === undefined ? {} : { data }) });
        if (result.ok || result.reason === 'duplicate') {
          // A duplicate was processed on another node: its answer is the store's already.
          if (cseq !== undefined) this.#committed(cseq);
        } else if (result.reason === 'missing') {
          this.close(BaroCloseCode.serverRestart, 'session expired', null, { immediately: true });
        } else {
          this.#ledgerFailed(new Error(`session ${this.id}: client event ${cseq} committed out of order`));
        }
      } catch (error) {
        this.#ledgerFailed(error instanceof Error ? error : new Error(String(error)));
      } finally {
        this.#uncommitted--;
      }
    });
  }

  /** The store recorded client events up to `cseq`: a duplex client is receipted for them. */
  #committed(cseq: number): void {
    if (cseq <= this.#committedCseq) return;
    this.#committedCseq = cseq;
    if (this.#carrier?.duplex) this.#receiptLater(this.#host.now());
  }

  #ledgerFailed(error: Error): void {
    if (this.#ended) return;
    if (this.#host.ledgerFailed) this.#host.ledgerFailed(this, error);
    else this.release();
  }

  /** One of its own packets, numbered by the store, kept for replay until receipted. */
  #keepOwn(own: OwnPacket): OutboundPacket | null {
    const packet = restoredPacket(own.seq, own.body);
    if (packet === null) {
      this.#ledgerFailed(new Error(`session ${this.id}: packet ${own.seq} in the store is not one of its own`));
      return null;
    }
    this.#replay.push(own.seq, packet, packet.size);
    return packet;
  }

  /** With a ledger the store forgets what the client receipted too (one write per receipt that moves it). */
  #receipted(seq: number): void {
    this.#replay.acknowledge(seq);
    if (this.#ledger && seq > this.#toldReceipt) {
      this.#toldReceipt = seq;
      this.#ledger.receipt(seq);
    }
  }

  /** Queues a packet (a latest-only one replaces its queued namesake) and schedules a flush. */
  #queueReady(item: Queued): boolean {
    const latest = latestOf(item);
    if (latest !== undefined) {
      const index = this.#queue.findIndex((queued) => latestOf(queued) === latest);
      if (index !== -1) {
        this.#queuedBytes -= this.#queue[index].size;
        this.#queue.splice(index, 1);
      }
    }
    this.#queue.push(item);
    this.#queuedBytes += item.size;
    if (this.queuedBytes > this.#limits.maxQueuedBytes) {
      this.close(BaroCloseCode.slowConsumer, 'slow consumer', 1000);
      return false;
    }
    this.#scheduleFlush();
    return true;
  }

  /**
   * The live queue after an attach: the session's own packets to resend and those not yet sent, the
   * streams' replay, and volatile broadcasts still queued (never in history), in emission order,
   * after the join packets that say where each replayed stream restarts.
   */
  #requeue(missed: OutboundPacket[], replayed: readonly StreamPacket[], joins: readonly Packet[]): void {
    // A poll with nothing to replay (most of them): the queue holds only the session's own packets,
    // in emission order, and stays as it is.
    if (missed.length === 0 && replayed.length === 0 && joins.length === 0 && this.#queue.every(isPending)) {
      let pending = 0;
      for (const item of this.#queue) pending += item.size;
      this.#queuedBytes = pending;
      return;
    }
    const merged: Queued[] = [...missed, ...replayed];
    let bytes = 0;
    for (const packet of replayed) bytes += packet.size;
    for (const item of this.#queue) {
      if (item instanceof OutboundPacket && !(isStreamPacket(item) && item.volatile)) continue;
      merged.push(item);
      bytes += item.size;
    }
    if (merged.length > 1) merged.sort((a, b) => a.serial - b.serial);
    // Backfilled history (a session resumed on this node) is made after live packets it precedes.
    if (this.#ledger && replayed.length > 1) orderWithinStreams(merged);
    this.#queue = joins.length === 0 ? merged : [...joins.map(control), ...merged];
    this.#queuedBytes = bytes;
  }

  /** The carrier is gone: only the session's own unnumbered packets wait for the next one. */
  #keepOwnPackets(): void {
    this.#queue = this.#queue.filter((item) => !(item instanceof OutboundPacket));
    this.#queuedBytes = 0;
    for (const item of this.#queue) this.#queuedBytes += item.size;
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    // Emits made in one tick leave in one write (one HTTP response, one cork); a broadcast's
    // members are flushed together by the server, not a microtask each.
    this.#host.scheduleFlush(this);
  }

  #receiveOne(packet: Packet, now: number): void {
    switch (packet.type) {
      case 'event':
      case 'ack': {
        const verdict = this.#inbound.accept(packet.seq);
        if (verdict === 'duplicate') this.#receiptMissed(packet.seq);
        if (verdict !== 'next') return;
        if (this.#ledger) return this.#handleCommitted(packet, now);
        if (packet.type === 'ack') return this.#settleAck(packet.ackId, packet.data, packet.error);
        return this.#deliverEvent(packet.name, packet.data, packet.ackId, now);
      }
      case 'receipt':
        this.#receipted(packet.seq);
        return;
      case 'ping':
        this.#sendControl({ type: 'pong', t: packet.t });
        return;
      case 'pong':
        this.rtt = Math.max(0, now - packet.t);
        return;
      case 'close':
        this.close(packet.code, packet.reason);
        return;
      default:
        return;
    }
  }

  /** With a ledger: handles a client event and commits it with the packets its handlers produced at once. */
  #handleCommitted(packet: Extract<Packet, { type: 'event' | 'ack' }>, now: number): void {
    const produced: PendingPacket[] = (this.#handling = []);
    try {
      if (packet.type === 'ack') this.#settleAck(packet.ackId, packet.data, packet.error);
      else this.#deliverEvent(packet.name, packet.data, packet.ackId, now);
    } finally {
      this.#handling = null;
      this.#commit(packet.seq, produced);
    }
  }

  /** Receipts a duplex client now (with this tick's write) or later: see RECEIPT_BATCH. */
  #receiptLater(now: number): void {
    const waiting = this.cseq - this.#receiptedCseq;
    if (waiting <= 0) return;
    if (waiting >= RECEIPT_BATCH || now - this.#receiptedAt >= RECEIPT_DELAY_MS) return this.#receiptNow(now);
    if (this.#receiptTimer === null) this.#armReceiptTimer(2 * RECEIPT_DELAY_MS);
  }

  /** A resend of a packet already processed: the client missed its receipt, which goes at once. */
  #receiptMissed(seq: number): void {
    this.#receiptedCseq = Math.min(this.#receiptedCseq, seq - 1);
    this.#receiptedAt = Number.NEGATIVE_INFINITY;
  }

  #armReceiptTimer(ms: number): void {
    this.#receiptTimer = setTimeout(() => this.#receiptByTimer(), ms);
    this.#receiptTimer.unref();
  }

  /** The fallback: sends the receipt unless one went out meanwhile, then waits again. */
  #receiptByTimer(): void {
    this.#receiptTimer = null;
    if (this.#ended || this.cseq === this.#receiptedCseq) return;
    const now = this.#host.now();
    const since = now - this.#receiptedAt;
    if (since >= 2 * RECEIPT_DELAY_MS) return this.#receiptNow(now);
    this.#armReceiptTimer(2 * RECEIPT_DELAY_MS - since);
  }

  #receiptNow(now: number): void {
    if (this.#receiptTimer !== null) clearTimeout(this.#receiptTimer);
    this.#receiptTimer = null;
    this.#receiptedCseq = this.cseq;
    this.#receiptedAt = now;
    this.#receiptDue = true;
    this.#scheduleFlush();
  }

  #deliverEvent(name: string, data: unknown, ackId: number | undefined, now: number): void {
    // Every event takes a token, refused ones too: a refusal costs the server an answer.
    if (!(this.#rate ??= new TokenBucket(this.#limits.eventsPerSecond, this.#limits.eventBurst, now)).take(now)) {
      if (!this.#refusalBudget(now).take(now)) {
        // Past even the refusals' budget the client is flooding: stop reading it rather than
        // decoding events only to drop them; what it sends meanwhile waits in TCP.
        this.#carrier?.holdReading?.(FLOOD_HOLD_MS);
        return;
      }
      if (ackId !== undefined) this.#enqueue(pendingAck(ackId, null, 'rate_limited'));
      else this.#sendControl({ type: 'notice', code: 'rate_limited', message: `event "${name}" dropped: over ${this.#limits.eventsPerSecond} events per second` });
      return;
    }
    if (LIFECYCLE_EVENTS.has(name)) {
      if (ackId !== undefined && this.#refusalBudget(now).take(now)) this.#enqueue(pendingAck(ackId, null, `"${name}" is a reserved event name`));
      return;
    }
    if (ackId === undefined) return this.#dispatchData(name, data);
    let answered = false;
    // One answer per ack: a handler calling it twice must not queue (and keep) a second packet.
    const ack = (response?: unknown): void => {
      if (answered) return;
      answered = true;
      this.#enqueue(pendingAck(ackId, response ?? null));
    };
    this.#dispatch(name, [data, ack]);
  }

  #refusalBudget(now: number): TokenBucket {
    return (this.#refusals ??= new TokenBucket(this.#limits.eventsPerSecond, this.#limits.eventBurst, now));
  }

  #settleAck(ackId: number, data: unknown, error: string | undefined): void {
    const pending = this.#acks?.get(ackId);
    if (!pending) return;
    this.#acks!.delete(ackId);
    clearTimeout(pending.timer);
    if (error !== undefined) pending.reject(new Error(error));
    else pending.resolve(data);
  }

  #sendControl(packet: Packet): void {
    if (this.#carrier?.writable) this.#carrier.write([control(packet)]);
  }

  /** `#dispatch(event, [data])` without the array: every event without an ack comes this way. */
  #dispatchData(event: string, data: unknown): void {
    const handlers = this.#handlers.get(event);
    if (!handlers) return;
    for (const handler of handlers) {
      try {
        handler(data);
      } catch (error) {
        this.#host.handlerFailed(this, event, error);
      }
    }
  }

  #dispatch(event: string, args: unknown[]): void {
    const handlers = this.#handlers.get(event);
    if (!handlers) return;
    for (const handler of handlers) {
      try {
        handler(...args);
      } catch (error) {
        this.#host.handlerFailed(this, event, error);
      }
    }
  }
}

/** Puts each stream's packets in offset order, in the places the stream's packets hold. */
function orderWithinStreams(items: Queued[]): void {
  const byStream = new Map<string, { places: number[]; packets: StreamPacket[] }>();
  items.forEach((item, place) => {
    if (!(item instanceof OutboundPacket) || !isStreamPacket(item)) return;
    let group = byStream.get(item.stream);
    if (!group) byStream.set(item.stream, (group = { places: [], packets: [] }));
    group.places.push(place);
    group.packets.push(item);
  });
  for (const { places, packets } of byStream.values()) {
    packets.sort((a, b) => a.offset - b.offset);
    places.forEach((place, i) => (items[place] = packets[i]));
  }
}

function isPending(item: Queued): item is PendingPacket {
  return !(item instanceof OutboundPacket);
}

function isStreamPacket(item: OutboundPacket): item is StreamPacket {
  return item.packet.type === 'message';
}

function latestOf(item: Queued): string | undefined {
  if (item instanceof OutboundPacket) return isStreamPacket(item) ? item.latest : undefined;
  return item.latest;
}
