import { randomBytes } from 'node:crypto';
import type { Presence, PresenceChange, PresenceInfo, PresenceListener, PresenceMember } from './presence.js';

/**
 * The store the in-memory presence nodes of one process share: a cluster in one process, for
 * tests of what a shared store must do (a node dying, changes seen by every node).
 */
export class MemoryPresenceStore {
  readonly rooms = new Map<string, Map<string, PresenceMember>>();
  readonly roomsOf = new Map<string, Set<string>>();
  /** nodeId → when its members expire unless it refreshes. */
  readonly expiry = new Map<string, number>();
  readonly listeners = new Set<PresenceListener>();

  /** A listener's error, kept until the call that made the change has finished its work. */
  #failure: { error: unknown } | null = null;

  /** Every listener hears the change even if one throws. */
  announce(change: PresenceChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        this.#failure ??= { error };
      }
    }
  }

  /** Throws the first listener error since the last call: the caller of the change hears of it. */
  rethrow(): void {
    const failure = this.#failure;
    this.#failure = null;
    if (failure) throw failure.error;
  }
}

export interface MemoryPresenceOptions {
  /** Default: random. */
  nodeId?: string;
  /** Default: a store of this node's own (one process, one node). */
  store?: MemoryPresenceStore;
  /** How long a node's members outlive its last refresh, in ms. Default 60 s. */
  ttlMs?: number;
  /** Refresh this node and sweep dead ones every `ttlMs / 3`. Default true; tests drive them by hand. */
  timers?: boolean;
  now?: () => number;
}

/** Presence in this process's memory: the default. Changes are announced before each call returns. */
export class MemoryPresence implements Presence {
  readonly nodeId: string;
  readonly #store: MemoryPresenceStore;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #own = new Set<PresenceListener>();
  readonly #timer: NodeJS.Timeout | null;

  constructor(options: MemoryPresenceOptions = {}) {
    this.nodeId = options.nodeId ?? randomBytes(8).toString('base64url');
    this.#store = options.store ?? new MemoryPresenceStore();
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#now = options.now ?? Date.now;
    this.#touch();
    if (options.timers === false) {
      this.#timer = null;
    } else {
      this.#timer = setInterval(() => {
        this.#touch();
        this.#sweep();
        // Nobody called: a listener's error from a sweep is the listener's to report.
        try {
          this.#store.rethrow();
        } catch (error) {
          console.error('presence: a change listener threw:', error);
        }
      }, Math.max(10, Math.floor(this.#ttlMs / 3)));
      this.#timer.unref();
    }
  }

  async add(room: string, sessionId: string, info: PresenceInfo = {}): Promise<void> {
    const store = this.#store;
    let members = store.rooms.get(room);
    if (!members) store.rooms.set(room, (members = new Map()));
    const previous = members.get(sessionId);
    const member: PresenceMember = { sessionId, info, nodeId: this.nodeId };
    members.set(sessionId, member);
    let rooms = store.roomsOf.get(sessionId);
    if (!rooms) store.roomsOf.set(sessionId, (rooms = new Set()));
    rooms.add(room);
    if (!previous) store.announce({ type: 'joined', room, member });
    else if (!sameInfo(previous.info, info)) store.announce({ type: 'updated', room, member });
    store.rethrow();
  }

  async update(room: string, sessionId: string, info: PresenceInfo): Promise<void> {
    if (this.#store.rooms.get(room)?.has(sessionId)) await this.add(room, sessionId, info);
  }

  async remove(room: string, sessionId: string): Promise<void> {
    this.#remove(room, sessionId);
    this.#store.rethrow();
  }

  async claim(sessionId: string): Promise<void> {
    for (const room of this.#store.roomsOf.get(sessionId) ?? []) {
      const members = this.#store.rooms.get(room);
      const member = members?.get(sessionId);
      if (member && member.nodeId !== this.nodeId) members!.set(sessionId, { ...member, nodeId: this.nodeId });
    }
  }

  async removeSession(sessionId: string): Promise<void> {
    for (const room of [...(this.#store.roomsOf.get(sessionId) ?? [])]) this.#remove(room, sessionId);
    this.#store.rethrow();
  }

  async members(room: string): Promise<Map<string, PresenceMember>> {
    return new Map(this.#store.rooms.get(room));
  }

  async sizes(): Promise<Map<string, number>> {
    return new Map([...this.#store.rooms].map(([room, members]) => [room, members.size]));
  }

  async roomsOf(sessionId: string): Promise<string[]> {
    return [...(this.#store.roomsOf.get(sessionId) ?? [])];
  }

  onChange(listener: PresenceListener): () => void {
    // Each subscription is its own entry, so the same function given twice is called twice.
    const entry: PresenceListener = (change) => listener(change);
    this.#store.listeners.add(entry);
    this.#own.add(entry);
    return () => {
      this.#store.listeners.delete(entry);
      this.#own.delete(entry);
    };
  }

  async refresh(): Promise<void> {
    this.#touch();
  }

  async sweep(): Promise<void> {
    this.#sweep();
    this.#store.rethrow();
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    for (const entry of this.#own) this.#store.listeners.delete(entry);
    this.#own.clear();
    this.#removeNode(this.nodeId);
    this.#store.expiry.delete(this.nodeId);
    this.#store.rethrow();
  }

  #touch(): void {
    this.#store.expiry.set(this.nodeId, this.#now() + this.#ttlMs);
  }

  #sweep(): void {
    const now = this.#now();
    for (const [nodeId, expires] of [...this.#store.expiry]) {
      if (expires >= now) continue;
      this.#store.expiry.delete(nodeId);
      this.#removeNode(nodeId);
    }
  }

  #removeNode(nodeId: string): void {
    for (const [room, members] of [...this.#store.rooms]) {
      for (const member of [...members.values()]) if (member.nodeId === nodeId) this.#remove(room, member.sessionId);
    }
  }

  #remove(room: string, sessionId: string): void {
    const store = this.#store;
    const members = store.rooms.get(room);
    const member = members?.get(sessionId);
    if (!members || !member) return;
    members.delete(sessionId);
    if (members.size === 0) store.rooms.delete(room);
    const rooms = store.roomsOf.get(sessionId);
    rooms?.delete(room);
    if (rooms?.size === 0) store.roomsOf.delete(sessionId);
    store.announce({ type: 'left', room, member });
  }
}

/** Info is JSON: equal when its JSON is (key order aside, which apps keep stable). */
function sameInfo(a: PresenceInfo, b: PresenceInfo): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
