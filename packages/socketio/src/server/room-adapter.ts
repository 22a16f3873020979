import { encodeSocketPacket, type SocketPacket } from '../codec/index.js';

/** Whom a broadcast reaches: members of any of `rooms` (everyone when empty), minus members of any `except` room. */
export interface BroadcastTarget {
  rooms: ReadonlySet<string>;
  except: ReadonlySet<string>;
}

export interface BroadcastFlags {
  /** Dropped for a member whose transport cannot take it now (socket.io's `volatile`). */
  volatile?: boolean;
  /** This node's members only, even with an adapter that spans nodes. */
  local?: boolean;
}

/** A packet as it goes out to an Engine.IO connection: its text, then its binary attachments. */
export type EncodedPacket = readonly [string, ...Buffer[]];

/** What a room holds: one Socket.IO socket (one client in one namespace). */
export interface RoomMember {
  readonly id: string;
  /** Sends an encoded packet; false when it was dropped (volatile and not writable, or gone). */
  deliver(encoded: EncodedPacket, flags: BroadcastFlags): boolean;
}

/**
 * Rooms of one namespace. The in-process implementation below is the default; an implementation on
 * baro's room streams (one stream per room, the broker between nodes) plugs in here so baro clients
 * and Socket.IO clients in one room see the same broadcasts. `join`/`leave` may answer later (a
 * network store); membership queries and delivery answer for this node's members.
 */
export interface RoomAdapter {
  /** A socket connected: it is in no room yet (the namespace joins it to its own id room). */
  addMember(member: RoomMember): void;
  /** A socket left: it leaves every room. */
  removeMember(memberId: string): void;
  join(memberId: string, rooms: readonly string[]): void | Promise<void>;
  leave(memberId: string, room: string): void | Promise<void>;
  /** The rooms a member of this node is in (empty for an unknown member). */
  roomsOf(memberId: string): ReadonlySet<string>;
  /** This node's rooms with members (room → member ids), as socket.io's `adapter.rooms`. */
  readonly rooms: ReadonlyMap<string, ReadonlySet<string>>;
  /** This node's members and their rooms (member id → rooms), as socket.io's `adapter.sids`. */
  readonly sids: ReadonlyMap<string, ReadonlySet<string>>;
  /** Ids of this node's members a broadcast to `target` reaches. */
  members(target: BroadcastTarget): Set<string>;
  /**
   * Encodes `packet` once and delivers it to every member `target` reaches; `onDelivered` runs for
   * each member of this node that got it (acks are registered there). Returns how many did.
   */
  broadcast(packet: SocketPacket, target: BroadcastTarget, flags: BroadcastFlags, onDelivered?: (memberId: string) => void): number;
  close(): void;
}

/** Rooms in this process: a map from room to member ids and back. */
export class InMemoryRoomAdapter implements RoomAdapter {
  readonly #members = new Map<string, RoomMember>();
  readonly #rooms = new Map<string, Set<string>>();
  readonly #roomsOfMember = new Map<string, Set<string>>();

  addMember(member: RoomMember): void {
    this.#members.set(member.id, member);
    if (!this.#roomsOfMember.has(member.id)) this.#roomsOfMember.set(member.id, new Set());
  }

  removeMember(memberId: string): void {
    for (const room of this.#roomsOfMember.get(memberId) ?? []) this.#removeFromRoom(memberId, room);
    this.#roomsOfMember.delete(memberId);
    this.#members.delete(memberId);
  }

  join(memberId: string, rooms: readonly string[]): void {
    const own = this.#roomsOfMember.get(memberId);
    if (!own) return;
    for (const room of rooms) {
      own.add(room);
      let members = this.#rooms.get(room);
      if (!members) this.#rooms.set(room, (members = new Set()));
      members.add(memberId);
    }
  }

  leave(memberId: string, room: string): void {
    this.#roomsOfMember.get(memberId)?.delete(room);
    this.#removeFromRoom(memberId, room);
  }

  roomsOf(memberId: string): ReadonlySet<string> {
    return this.#roomsOfMember.get(memberId) ?? new Set();
  }

  get rooms(): ReadonlyMap<string, ReadonlySet<string>> {
    return this.#rooms;
  }

  get sids(): ReadonlyMap<string, ReadonlySet<string>> {
    return this.#roomsOfMember;
  }

  members(target: BroadcastTarget): Set<string> {
    const excluded = new Set<string>();
    for (const room of target.except) for (const id of this.#rooms.get(room) ?? []) excluded.add(id);
    const reached = new Set<string>();
    const candidates = target.rooms.size === 0 ? [this.#members.keys()] : [...target.rooms].map((room) => this.#rooms.get(room)?.values() ?? []);
    for (const ids of candidates) for (const id of ids) if (!excluded.has(id)) reached.add(id);
    return reached;
  }

  broadcast(packet: SocketPacket, target: BroadcastTarget, flags: BroadcastFlags, onDelivered?: (memberId: string) => void): number {
    const ids = this.members(target);
    if (ids.size === 0) return 0;
    const encoded = encodeSocketPacket(packet);
    let delivered = 0;
    for (const id of ids) {
      const member = this.#members.get(id);
      if (!member?.deliver(encoded, flags)) continue;
      delivered++;
      onDelivered?.(id);
    }
    return delivered;
  }

  close(): void {
    this.#members.clear();
    this.#rooms.clear();
    this.#roomsOfMember.clear();
  }

  #removeFromRoom(memberId: string, room: string): void {
    const members = this.#rooms.get(room);
    if (!members) return;
    members.delete(memberId);
    if (members.size === 0) this.#rooms.delete(room);
  }
}
