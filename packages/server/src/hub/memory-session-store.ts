import type { StreamPosition } from './broker.js';
import type { CommitResult, CommittedChange, NewSession, OwnPacket, SessionChange, SessionStore, SessionWatcher, StoredSession } from './session-store.js';

export interface SessionStoreOptions {
  /** How long a session outlives its last touch or write, in ms: the resume window. Default 120 s. */
  ttlMs?: number;
  /** The clock of expiry. */
  now?: () => number;
}

interface Held {
  record: Omit<StoredSession, 'rooms' | 'data'>;
  rooms: Map<string, StreamPosition>;
  data: Readonly<Record<string, unknown>> | null;
  packets: OwnPacket[];
  expires: number;
}

/**
 * Sessions in this process's memory: what one node needs, with the same answers a networked store
 * gives (copies, never the held objects, so a caller cannot change the store by accident).
 * Expired sessions are dropped when next asked about.
 */
export class MemorySessionStore implements SessionStore {
  readonly #sessions = new Map<string, Held>();
  readonly #watchers = new Map<string, Set<SessionWatcher>>();
  /** One process, one instance: every node sharing it is this origin. */
  readonly origin = 'memory';
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: SessionStoreOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 120_000;
    this.#now = options.now ?? Date.now;
  }

  async create(session: NewSession): Promise<void> {
    this.#sessions.set(session.id, {
      record: { ...session, lastSeen: session.createdAt, cseq: 0, seq: 0, receipted: 0 },
      rooms: new Map(),
      data: null,
      packets: [],
      expires: this.#now() + this.#ttlMs,
    });
  }

  async load(id: string): Promise<StoredSession | null> {
    const held = this.#live(id, false);
    if (!held) return null;
    return { ...held.record, rooms: Object.fromEntries([...held.rooms].map(([room, position]) => [room, { ...position }])), data: held.data && structuredClone(held.data) };
  }

  async touch(id: string, lastSeen: number): Promise<boolean> {
    const held = this.#live(id);
    if (!held) return false;
    held.record = { ...held.record, lastSeen };
    return true;
  }

  async join(id: string, room: string, position: StreamPosition): Promise<void> {
    const held = this.#live(id);
    if (!held) return;
    held.rooms.set(room, { epoch: position.epoch, offset: position.offset });
    this.#announce(id, { cseq: held.record.cseq, packets: [], joined: { room, position: { ...position } }, origin: this.origin });
  }

  async leave(id: string, room: string): Promise<void> {
    const held = this.#live(id);
    if (!held?.rooms.delete(room)) return;
    this.#announce(id, { cseq: held.record.cseq, packets: [], left: room, origin: this.origin });
  }

  #announce(id: string, change: CommittedChange): void {
    for (const watcher of [...(this.#watchers.get(id) ?? [])]) watcher(change);
  }

  async setData(id: string, data: Readonly<Record<string, unknown>> | null): Promise<void> {
    const held = this.#live(id);
    if (held) held.data = data && structuredClone(data);
  }

  async commit(id: string, change: SessionChange): Promise<CommitResult> {
    const held = this.#live(id);
    if (!held) return { ok: false, reason: 'missing' };
    const { cseq } = change;
    if (cseq !== undefined) {
      if (cseq <= held.record.cseq) return { ok: false, reason: 'duplicate' };
      if (cseq > held.record.cseq + 1) return { ok: false, reason: 'gap' };
    }
    const seqs: number[] = [];
    let seq = held.record.seq;
    for (const body of change.packets) {
      seqs.push(++seq);
      held.packets.push({ seq, body });
    }
    held.record = { ...held.record, seq, cseq: cseq ?? held.record.cseq };
    if (change.data !== undefined) held.data = change.data && structuredClone(change.data);
    const committed = {
      cseq: held.record.cseq,
      packets: seqs.map((seq, i) => ({ seq, body: change.packets[i] })),
      ...(change.data === undefined ? {} : { data: change.data && structuredClone(change.data) }),
    };
    this.#announce(id, committed);
    return { ok: true, seqs };
  }

  async since(id: string, seq: number): Promise<OwnPacket[] | null> {
    const held = this.#live(id, false);
    if (!held) return null;
    // Receipted packets are dropped: a client behind its own receipt cannot be caught up.
    if (seq < held.record.receipted || seq > held.record.seq) return null;
    return held.packets.filter((packet) => packet.seq > seq).map((packet) => ({ ...packet }));
  }

  async watch(id: string, listener: SessionWatcher): Promise<() => void> {
    let watchers = this.#watchers.get(id);
    if (!watchers) this.#watchers.set(id, (watchers = new Set()));
    // Each call is its own entry, so the same function given twice is called twice.
    const entry: SessionWatcher = (change) => listener(change);
    watchers.add(entry);
    return () => {
      watchers.delete(entry);
      if (watchers.size === 0 && this.#watchers.get(id) === watchers) this.#watchers.delete(id);
    };
  }

  async receipt(id: string, seq: number): Promise<void> {
    const held = this.#live(id);
    if (!held || seq <= held.record.receipted) return;
    const upTo = Math.min(seq, held.record.seq);
    held.packets = held.packets.filter((packet) => packet.seq > upTo);
    held.record = { ...held.record, receipted: upTo };
  }

  async remove(id: string): Promise<void> {
    this.#sessions.delete(id);
  }

  async close(): Promise<void> {
    this.#sessions.clear();
    this.#watchers.clear();
  }

  /** The session if it has not expired; a write (or touch) keeps it for another ttl, a read does not. */
  #live(id: string, keep = true): Held | undefined {
    const held = this.#sessions.get(id);
    if (!held) return undefined;
    const now = this.#now();
    if (now >= held.expires) {
      this.#sessions.delete(id);
      return undefined;
    }
    if (keep) held.expires = now + this.#ttlMs;
    return held;
  }
}
