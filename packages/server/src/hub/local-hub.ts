import type { BroadcastMessage, BroadcastTarget, Hub } from './hub.js';

/** Membership and fan-out inside one process; the base a distributed hub builds on. */
export class LocalHub implements Hub {
  readonly #members = new Map<string, Set<string>>();
  readonly #roomsOf = new Map<string, Set<string>>();
  #deliver: ((message: BroadcastMessage, sessionIds: readonly string[]) => void) | null = null;

  bind(deliver: (message: BroadcastMessage, sessionIds: readonly string[]) => void): void {
    this.#deliver = deliver;
  }

  join(sessionId: string, rooms: readonly string[]): void {
    let joined = this.#roomsOf.get(sessionId);
    if (!joined) this.#roomsOf.set(sessionId, (joined = new Set()));
    for (const room of rooms) {
      joined.add(room);
      let members = this.#members.get(room);
      if (!members) this.#members.set(room, (members = new Set()));
      members.add(sessionId);
    }
  }

  leave(sessionId: string, room: string): void {
    this.#roomsOf.get(sessionId)?.delete(room);
    const members = this.#members.get(room);
    if (!members) return;
    members.delete(sessionId);
    if (members.size === 0) this.#members.delete(room);
  }

  leaveAll(sessionId: string): void {
    for (const room of this.#roomsOf.get(sessionId) ?? []) this.leave(sessionId, room);
    this.#roomsOf.delete(sessionId);
  }

  broadcast(message: BroadcastMessage, target: BroadcastTarget): void {
    this.deliverLocally(message, target);
  }

  /** Computes this node's recipients and hands them over; distributed hubs call it for remote broadcasts. */
  protected deliverLocally(message: BroadcastMessage, target: BroadcastTarget): void {
    if (!this.#deliver) throw new Error('the hub is not bound to a server');
    this.#deliver(message, this.recipients(target));
  }

  /** Each recipient once, as an array: the server starts a broadcast at a random index of it. */
  recipients(target: BroadcastTarget): string[] {
    const sources = target.rooms.length === 0 ? [this.#roomsOf.keys()] : target.rooms.map((room) => this.#members.get(room) ?? []);
    // The common case, one room (or everyone) and no exceptions, needs no set to remove duplicates.
    if (sources.length === 1 && target.exceptRooms.length === 0 && target.exceptSessions.length === 0) return [...sources[0]];
    const excluded = new Set(target.exceptSessions);
    for (const room of target.exceptRooms) for (const id of this.#members.get(room) ?? []) excluded.add(id);
    const result = new Set<string>();
    for (const source of sources) for (const id of source) if (!excluded.has(id)) result.add(id);
    return [...result];
  }

  async sessionsIn(room: string): Promise<string[]> {
    return [...(this.#members.get(room) ?? [])];
  }

  async rooms(): Promise<Map<string, number>> {
    return new Map([...this.#members].map(([room, members]) => [room, members.size]));
  }

  async close(): Promise<void> {
    this.#members.clear();
    this.#roomsOf.clear();
  }
}
