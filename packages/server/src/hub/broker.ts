import type { StreamPosition } from '@baro/protocol';

export type { StreamPosition };

/**
 * One broadcast as the broker keeps it: plain data only (a networked broker serialises it), so no
 * Buffers and no closures. What a node encodes for the wire lives in its own packet object.
 */
export interface BrokerEntry {
  readonly name: string;
  readonly data: unknown;
  /** On the everyone stream, a broadcast to several rooms: for members of any of them. */
  readonly rooms?: readonly string[];
  /** Members of these rooms, and these sessions, skip the entry (live and on replay). */
  readonly exceptRooms?: readonly string[];
  readonly exceptSessions?: readonly string[];
  /** Delivered to whoever is connected now and never kept in history. */
  readonly volatile?: boolean;
  /** A member behind keeps only the newest queued entry with this key. */
  readonly latest?: string;
  /** What the entry counts as against `HistoryLimits.bytes`: its UTF-8 bytes (name and JSON data). */
  readonly size: number;
}

export interface HistoryLimits {
  /** Entries kept per channel. */
  count: number;
  /** Their `size`s, summed, per channel. */
  bytes: number;
  /** How long an entry is kept, in ms. */
  age: number;
}

export const DEFAULT_HISTORY_LIMITS: HistoryLimits = { count: 1000, bytes: 1024 * 1024, age: 120_000 };

export interface PositionedEntry {
  readonly offset: number;
  readonly entry: BrokerEntry;
}

/**
 * What `history` answers: the entries after a position, in order, or why they cannot be had:
 * `gap` (some were trimmed by count, bytes or age), `epoch` (the position belongs to another run
 * of the channel's history, e.g. before the broker restarted).
 */
export type History = { ok: true; epoch: string; entries: PositionedEntry[] } | { ok: false; reason: 'gap' | 'epoch' };

export type ChannelListener = (position: StreamPosition, entry: BrokerEntry) => void;

/**
 * Where broadcasts go between nodes (docs/architecture.md): every room, and the everyone stream,
 * is a channel with positions and a bounded history. The in-memory broker is the default; a
 * networked one (Redis, next) passes the same suite (`test-support/broker-suite.ts`) unchanged.
 * Which local sessions are in which room is the node's business, not the broker's.
 */
export interface Broker {
  /** Appends an entry (volatile ones get a position but are not kept) and tells every subscriber. */
  publish(channel: string, entry: BrokerEntry): Promise<StreamPosition>;
  /** The entries after `since`, or why not. */
  history(channel: string, since: StreamPosition): Promise<History>;
  /**
   * The channel's last position: `{epoch, 0}` for a channel with nothing published. A promise,
   * because a networked broker must ask its store (the epoch lives there, shared by every node).
   */
  head(channel: string): Promise<StreamPosition>;
  /**
   * The same, answered at once: only a broker in this process can. Without it, a node learns a
   * stream's epoch from its first entry (see RoomStreams).
   */
  headNow?(channel: string): StreamPosition;
  /**
   * Calls `listener` with each entry published on the channel from now on, in position order.
   * Returns the unsubscribe function. A channel nobody subscribes to may forget its history.
   */
  subscribe(channel: string, listener: ChannelListener): () => void;
  close(): Promise<void>;
}
