import { randomBytes } from 'node:crypto';
import type { BroadcastTarget } from './room-adapter.js';

export interface ConnectionStateRecoveryOptions {
  /** How long a disconnected client may come back and get what it missed. Default 120,000 ms (reference). */
  maxDisconnectionDuration?: number;
  /** Whether a recovered client skips the namespace's middlewares. Default true (reference). */
  skipMiddlewares?: boolean;
  /** Packets kept per namespace; a client that missed more starts afresh. Default 10,000 (baro's bound). */
  maxPackets?: number;
  /** Disconnected sessions kept per namespace; the oldest go first past it. Default 10,000 (baro's bound). */
  maxSessions?: number;
}

/** What a disconnected socket leaves behind for its client to pick up again. */
export interface PersistedSession {
  sid: string;
  pid: string;
  rooms: string[];
  data: unknown;
}

export interface RestoredSession extends PersistedSession {
  /** The events' data (`[name, ...args, offset]`) the client missed, in order. */
  missedPackets: unknown[][];
}

interface RecordedPacket {
  seq: number;
  emittedAt: number;
  rooms: string[];
  except: string[];
  data: unknown[];
}

/**
 * A namespace's recent events and its recently disconnected sessions, for connection state
 * recovery: every event without an ack that is not volatile gets an offset (appended to its
 * arguments, as the reference does; the client sends back the last one it saw), and a client that
 * reconnects within `maxDisconnectionDuration` with its private id gets the events since its offset.
 * Bounded in packets, sessions and age.
 */
export class SessionHistory {
  readonly maxDisconnectionDuration: number;
  readonly skipMiddlewares: boolean;
  readonly #maxPackets: number;
  readonly #maxSessions: number;
  /** Offsets are `<epoch>-<seq>`: an offset from another server run never matches. */
  readonly #epoch = randomBytes(6).toString('base64url');
  #nextSeq = 0;
  readonly #packets: RecordedPacket[] = [];
  readonly #sessions = new Map<string, PersistedSession & { disconnectedAt: number }>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(options: ConnectionStateRecoveryOptions) {
    this.maxDisconnectionDuration = options.maxDisconnectionDuration ?? 120_000;
    this.skipMiddlewares = options.skipMiddlewares ?? true;
    this.#maxPackets = options.maxPackets ?? 10_000;
    this.#maxSessions = options.maxSessions ?? 10_000;
    for (const [name, value] of [['maxDisconnectionDuration', this.maxDisconnectionDuration], ['maxPackets', this.#maxPackets], ['maxSessions', this.#maxSessions]] as const) {
      if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`connectionStateRecovery.${name} must be a positive number, got ${value}`);
    }
    this.#sweeper = setInterval(() => this.sweep(), Math.min(60_000, this.maxDisconnectionDuration)).unref();
  }

  /** Keeps an event's data and appends its offset to it. */
  record(data: unknown[], target: BroadcastTarget): void {
    const seq = this.#nextSeq++;
    data.push(`${this.#epoch}-${seq}`);
    this.#packets.push({ seq, emittedAt: Date.now(), rooms: [...target.rooms], except: [...target.except], data });
    if (this.#packets.length > this.#maxPackets) this.#packets.shift();
  }

  persist(session: PersistedSession): void {
    this.#sessions.delete(session.pid);
    this.#sessions.set(session.pid, { ...session, disconnectedAt: Date.now() });
    if (this.#sessions.size > this.#maxSessions) this.#sessions.delete(this.#sessions.keys().next().value as string);
  }

  /** The session and what it missed since `offset`, once; null when unknown, expired or too far behind. */
  restore(pid: string, offset: string): RestoredSession | null {
    const session = this.#sessions.get(pid);
    if (!session) return null;
    this.#sessions.delete(pid);
    if (session.disconnectedAt + this.maxDisconnectionDuration < Date.now()) return null;
    const match = /^(.+)-(\d+)$/.exec(offset);
    if (!match || match[1] !== this.#epoch) return null;
    const first = this.#packets[0]?.seq ?? this.#nextSeq;
    const index = Number(match[2]) - first;
    if (index < 0 || index >= this.#packets.length) return null;
    // The socket's own id room: what was emitted to it directly after it left.
    const rooms = new Set([session.sid, ...session.rooms]);
    const missedPackets: unknown[][] = [];
    for (let i = index + 1; i < this.#packets.length; i++) {
      const packet = this.#packets[i];
      const included = packet.rooms.length === 0 || packet.rooms.some((room) => rooms.has(room));
      if (included && !packet.except.some((room) => rooms.has(room))) missedPackets.push(packet.data);
    }
    const { disconnectedAt: _, ...persisted } = session;
    return { ...persisted, missedPackets };
  }

  /** Drops expired sessions and packets no session could still need. */
  sweep(now = Date.now()): void {
    for (const [pid, session] of this.#sessions) if (session.disconnectedAt + this.maxDisconnectionDuration < now) this.#sessions.delete(pid);
    let expired = 0;
    while (expired < this.#packets.length && this.#packets[expired].emittedAt + this.maxDisconnectionDuration < now) expired++;
    if (expired > 0) this.#packets.splice(0, expired);
  }

  close(): void {
    clearInterval(this.#sweeper);
    this.#packets.length = 0;
    this.#sessions.clear();
  }
}
