import { createHash, timingSafeEqual } from 'node:crypto';
import type { StreamPosition } from './broker.js';


/**
 * What any node needs to admit, resume and serve a session it does not hold (issue 11): its
 * credentials (a hash of the token, never the token), the rooms it is in and where it joined each,
 * how far the client's events were processed (`cseq`), and the session's own outbound stream (the
 * packets numbered `seq` for it alone, kept until the client receipts them).
 *
 * The in-memory store is the default (one process, as before); a networked one (Redis) lets every
 * request of a session land on any node. Both pass `test-support/session-store-suite.ts`.
 */
export interface StoredSession {
  readonly id: string;
  /** `hashToken(token)`: a node checks a request's token against it; the store never sees the token. */
  readonly tokenHash: string;
  readonly remoteAddress: string;
  readonly createdAt: number;
  readonly lastSeen: number;
  /** Each room the session is in, with its position in the room's stream when it joined. */
  readonly rooms: Readonly<Record<string, StreamPosition>>;
  /** The highest client sequence number processed (what the session receipts). */
  readonly cseq: number;
  /** The last number given on the session's own outbound stream (0: none yet). */
  readonly seq: number;
  /** The highest `seq` the client receipted: the packets up to it are gone. */
  readonly receipted: number;
  /** The app's per-session data, when the app opts in (JSON values only); null otherwise. */
  readonly data: Readonly<Record<string, unknown>> | null;
}

export interface NewSession {
  readonly id: string;
  readonly tokenHash: string;
  readonly remoteAddress: string;
  readonly createdAt: number;
}

/** One packet of the session's own stream, as the store keeps it: its number and its encoding (opaque to the store). */
export interface OwnPacket {
  readonly seq: number;
  readonly body: string;
}

/**
 * What `commit` did: `ok` with the numbers it gave the packets; `duplicate` when the client event
 * was processed already (nothing written: its answer is in the outbound stream); `gap` when an
 * earlier client event was never processed (nothing written: the client resends it first);
 * `missing` when the session is gone (expired or removed).
 */
export type CommitResult = { readonly ok: true; readonly seqs: readonly number[] } | { readonly ok: false; readonly reason: 'duplicate' | 'gap' | 'missing' };

/** What one commit changes (see `SessionStore.commit`). */
export interface SessionChange {
  /** The client event processed, if any. */
  readonly cseq?: number;
  /** Packets for the session's own stream, as `stored()` made them. */
  readonly packets: readonly string[];
  /** The app's data as the handlers left it, when the app keeps it in the store and it changed (null: none). */
  readonly data?: Readonly<Record<string, unknown>> | null;
}

/** What a commit on any node announces to the nodes watching the session. */
export interface CommittedChange {
  /** The session's cseq after the commit. */
  readonly cseq: number;
  /** The packets it appended, numbered. */
  readonly packets: readonly OwnPacket[];
  /** The app's data, when the commit changed it (null: none). */
  readonly data?: Readonly<Record<string, unknown>> | null;
  /**
   * A room joined or left (by `join`/`leave`, which announce too), and the store instance that did
   * it: a node's copy of the session made elsewhere no longer knows its rooms.
   */
  readonly joined?: { readonly room: string; readonly position: StreamPosition };
  readonly left?: string;
  readonly origin?: string;
}

export type SessionWatcher = (change: CommittedChange) => void;

export interface SessionStore {
  /**
   * Records a new session (cseq 0, nothing sent). It expires `ttlMs` (the resume window) after its
   * last write or touch; reads do not keep it.
   */
  create(session: NewSession): Promise<void>;
  /** The session, or null when it expired, was removed, or never was. */
  load(id: string): Promise<StoredSession | null>;
  /** The client was heard from: keeps the session for another `ttlMs`. False when it is gone. */
  touch(id: string, lastSeen: number): Promise<boolean>;
  /** The session joined a room at `position` in the room's stream. */
  join(id: string, room: string, position: StreamPosition): Promise<void>;
  leave(id: string, room: string): Promise<void>;
  /** Replaces the app's data (null: none kept). */
  setData(id: string, data: Readonly<Record<string, unknown>> | null): Promise<void>;
  /**
   * One step, atomically: when `cseq` is given it must be the next client sequence number (the
   * stored one plus 1), which the session then records as processed; and `packets` (what the
   * handlers produced for this session, e.g. the ack) are appended to its outbound stream, numbered
   * from `seq + 1`. Either both happen or neither: a node that dies before the commit leaves the
   * event unprocessed (the client resends it; some node handles it once), one that dies after it
   * leaves the event processed and its answer stored (replayed on resume). Without `cseq` it only
   * appends (packets the server sends by itself). `data`, when given, replaces the app's data in
   * the same step.
   */
  commit(id: string, change: SessionChange): Promise<CommitResult>;
  /** The session's own packets after `seq`, in order; null when some of them are gone (the client must resync) or the session is. */
  since(id: string, seq: number): Promise<OwnPacket[] | null>;
  /**
   * Calls `listener` with every commit (and join and leave) made on the session from now on, by any node: the node that
   * carries the session's client hears the packets other nodes produced for it (an ack to a POST
   * another node handled) and how far the client's events were processed. Resolves once
   * listening (a read made after it misses nothing); the returned function stops it.
   */
  watch(id: string, listener: SessionWatcher): Promise<() => void>;
  /** This store instance's id, in the `origin` of the room changes it announces. */
  readonly origin: string;
  /** The client processed every packet up to `seq`: they need not be kept. */
  receipt(id: string, seq: number): Promise<void>;
  /** The session ended: forgets it. */
  remove(id: string): Promise<void>;
  /** Releases the store's connections (a store given to a server is the app's to close). */
  close(): Promise<void>;
}

/** What the store keeps in place of the token: enough to check it, useless to present. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Whether `token` is the one `tokenHash` was made from, compared in constant time. */
export function tokenHashMatches(tokenHash: string, token: string | undefined): boolean {
  if (token === undefined) return false;
  const a = Buffer.from(tokenHash);
  const b = Buffer.from(hashToken(token));
  return a.length === b.length && timingSafeEqual(a, b);
}
