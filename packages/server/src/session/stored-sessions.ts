import { EVERYONE } from '@baro/protocol';
import type { StreamPosition } from '../hub/broker.js';
import { hashToken, tokenHashMatches, type CommittedChange, type OwnPacket, type SessionStore, type StoredSession } from '../hub/session-store.js';
import type { SessionWatch, StoredOpening } from '../transports/session-gateway.js';
import { newSessionId, newToken } from './gateway.js';
import type { SessionCore, SessionLedger } from './session-core.js';

/** What a node needs to make a session again from the store. */
export interface Restorable {
  readonly record: StoredSession;
  /** The session's own packets after the client's seq. */
  readonly own: readonly OwnPacket[];
  /** Where the replay of its own packets starts. */
  readonly after: number;
  readonly watch: SessionWatch;
}

/**
 * The server's side of a session store (issue 11): records new sessions before their open packet
 * goes out, makes a session again for a request that lands on a node that does not hold it
 * (checking the token against its hash), and gives each session the ledger it commits through.
 */
export class StoredSessions {
  readonly #store: SessionStore;
  readonly #onError: (error: Error) => void;

  readonly #keepData: boolean;

  constructor(store: SessionStore, options: { keepData: boolean; onError: (error: Error) => void }) {
    this.#store = store;
    this.#keepData = options.keepData;
    this.#onError = options.onError;
  }

  /** Records a new session, in the everyone stream from `joinedEveryone`, and watches it. */
  async open(remoteAddress: string, joinedEveryone: StreamPosition, now: number): Promise<StoredOpening> {
    const id = newSessionId();
    const token = newToken();
    const watch = await this.#watch(id);
    try {
      await this.#store.create({ id, tokenHash: hashToken(token), remoteAddress, createdAt: now });
      await this.#store.join(id, EVERYONE, joinedEveryone);
    } catch (error) {
      watch.stop();
      throw error;
    }
    return { id, token, joinedEveryone, watch };
  }

  /**
   * The session `sid` as the store has it, for a client presenting `token` whose last processed
   * packet is `seq` (`undefined` for a request that only sends: from what the client receipted). `forbidden`: the token is wrong;
   * `resync`: its packets after `seq` are gone; null: no such session.
   */
  async restore(sid: string, token: string | undefined, seq: number | undefined): Promise<Restorable | 'forbidden' | 'resync' | null> {
    // Watching first: a commit made while the record is read is heard, not missed.
    const watch = await this.#watch(sid);
    try {
      const record = await this.#store.load(sid);
      if (record === null) return (watch.stop(), null);
      if (!tokenHashMatches(record.tokenHash, token)) return (watch.stop(), 'forbidden');
      // A copy made for a POST keeps every unreceipted packet all the same: a GET landing on it
      // before it is let go attaches from wherever the client is.
      const after = seq ?? record.receipted;
      const own = await this.#store.since(sid, after);
      if (own === null) return (watch.stop(), 'resync');
      return { record, own, after, watch };
    } catch (error) {
      watch.stop();
      throw error;
    }
  }

  ledger(id: string): SessionLedger {
    return {
      keepsData: this.#keepData,
      commit: (change) => this.#store.commit(id, change),
      receipt: (seq) => {
        this.#store.receipt(id, seq).catch((error: Error) => this.#onError(new Error(`session store: receipt failed: ${error.message}`, { cause: error })));
      },
    };
  }

  /** Records a join; resolves once it is recorded (or failed, reported). */
  joined(id: string, room: string, position: StreamPosition): Promise<void> {
    return this.#store.join(id, room, position).catch((error: Error) => this.#onError(new Error(`session store: join failed: ${error.message}`, { cause: error })));
  }

  left(id: string, room: string): void {
    this.#store.leave(id, room).catch((error: Error) => this.#onError(new Error(`session store: leave failed: ${error.message}`, { cause: error })));
  }

  /** The client was heard from: keeps the session for another resume window. */
  touch(id: string, now: number): void {
    this.#store.touch(id, now).catch((error: Error) => this.#onError(new Error(`session store: touch failed: ${error.message}`, { cause: error })));
  }

  /** Whether the session is gone from the store (expired or ended). */
  async expired(id: string): Promise<boolean> {
    return (await this.#store.load(id)) === null;
  }

  ended(id: string): void {
    this.#store.remove(id).catch((error: Error) => this.#onError(new Error(`session store: remove failed: ${error.message}`, { cause: error })));
  }

  /** Commits heard before the session is bound wait for it, in order. */
  async #watch(id: string): Promise<SessionWatch> {
    let session: SessionCore | null = null;
    let waiting: CommittedChange[] | null = [];
    const stop = await this.#store.watch(id, (change) => {
      if (waiting) waiting.push(change);
      else session?.heard(change, this.#store.origin);
    });
    return {
      bind: (bound) => {
        session = bound;
        const heard = waiting ?? [];
        waiting = null;
        for (const change of heard) bound.heard(change, this.#store.origin);
      },
      stop,
    };
  }
}
