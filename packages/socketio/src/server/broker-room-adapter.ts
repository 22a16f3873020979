import type { Broker, BrokerEntry, StreamPosition } from 'baro';
import { SocketPacketType, encodeSocketPacket, type SocketPacket } from '../codec/index.js';
import type { BroadcastFlags, BroadcastTarget, RoomAdapter, RoomMember } from './room-adapter.js';

/** baro's everyone stream (`EVERYONE` in @baro/protocol): what `server.emit` publishes on. */
const BARO_EVERYONE = '';

/** A broker entry from a Socket.IO emit with other than one argument: `data` holds them all. */
type SocketIoEntry = BrokerEntry & { readonly socketIoArgs?: true };

export interface BrokerRoomAdapterOptions {
  /** baro's broker: BaroServer's `broker` (or the Redis one every node shares). */
  broker: Broker;
  /** The namespace the adapter serves. */
  namespace: string;
  /** Called when publishing fails (a networked broker down). */
  onError?: (error: Error) => void;
}

/**
 * Rooms on baro's broker, shared with baro's own rooms: a room is the broker channel baro's rooms
 * use (the room's name in namespace `/`, `<namespace>#<room>` in others), and a broadcast to
 * everyone goes on baro's everyone stream (`<namespace>#` in other namespaces). So a baro client
 * and a Socket.IO client in one room see the same broadcasts, in the broker's order, and with a
 * broker that spans nodes (Redis) so do clients on other nodes.
 *
 * An entry's `data` is the emit's one argument (what baro clients get); an emit with none or
 * several carries them all in `data`, marked `socketIoArgs`. Entries are plain data on a networked
 * broker: binary arguments pass in-process only. Broadcasts with acks are delivered to this node's
 * members directly (acks are answered to this node).
 */
export class BrokerRoomAdapter implements RoomAdapter {
  readonly #broker: Broker;
  readonly #namespace: string;
  readonly #onError: (error: Error) => void;
  readonly #members = new Map<string, RoomMember>();
  readonly #rooms = new Map<string, Set<string>>();
  readonly #roomsOfMember = new Map<string, Set<string>>();
  readonly #unsubscribe = new Map<string, () => void>();
  readonly #everyone: string;

  constructor(options: BrokerRoomAdapterOptions) {
    this.#broker = options.broker;
    this.#namespace = options.namespace;
    this.#onError = options.onError ?? ((error) => console.error('socket.io broker adapter:', error));
    this.#everyone = options.namespace === '/' ? BARO_EVERYONE : `${options.namespace}#`;
    this.#unsubscribe.set(this.#everyone, this.#broker.subscribe(this.#everyone, (position, entry) => this.#deliver(null, position, entry)));
  }

  get rooms(): ReadonlyMap<string, ReadonlySet<string>> {
    return this.#rooms;
  }

  get sids(): ReadonlyMap<string, ReadonlySet<string>> {
    return this.#roomsOfMember;
  }

  addMember(member: RoomMember): void {
    this.#members.set(member.id, member);
    if (!this.#roomsOfMember.has(member.id)) this.#roomsOfMember.set(member.id, new Set());
  }

  removeMember(memberId: string): void {
    for (const room of [...(this.#roomsOfMember.get(memberId) ?? [])]) this.leave(memberId, room);
    this.#roomsOfMember.delete(memberId);
    this.#members.delete(memberId);
  }

  join(memberId: string, rooms: readonly string[]): void {
    const own = this.#roomsOfMember.get(memberId);
    if (!own) return;
    for (const room of rooms) {
      own.add(room);
      let members = this.#rooms.get(room);
      if (!members) {
        this.#rooms.set(room, (members = new Set()));
        const channel = this.#channelOf(room);
        this.#unsubscribe.set(channel, this.#broker.subscribe(channel, (position, entry) => this.#deliver(room, position, entry)));
      }
      members.add(memberId);
    }
  }

  leave(memberId: string, room: string): void {
    this.#roomsOfMember.get(memberId)?.delete(room);
    const members = this.#rooms.get(room);
    if (!members?.delete(memberId) || members.size > 0) return;
    this.#rooms.delete(room);
    const channel = this.#channelOf(room);
    this.#unsubscribe.get(channel)?.();
    this.#unsubscribe.delete(channel);
  }

  roomsOf(memberId: string): ReadonlySet<string> {
    return this.#roomsOfMember.get(memberId) ?? new Set();
  }

  members(target: BroadcastTarget): Set<string> {
    const reached = new Set<string>();
    const candidates = target.rooms.size === 0 ? this.#members.keys() : [...target.rooms].flatMap((room) => [...(this.#rooms.get(room) ?? [])]);
    for (const id of candidates) if (this.#isFor(id, target.rooms.size === 0 ? undefined : [...target.rooms], [...target.except])) reached.add(id);
    return reached;
  }

  broadcast(packet: SocketPacket, target: BroadcastTarget, flags: BroadcastFlags, onDelivered?: (memberId: string) => void): number {
    const reached = this.members(target);
    if (onDelivered || flags.local) {
      const encoded = encodeSocketPacket(packet);
      let delivered = 0;
      for (const id of reached) {
        if (!this.#members.get(id)?.deliver(encoded, flags)) continue;
        delivered++;
        onDelivered?.(id);
      }
      return delivered;
    }
    const [name, ...args] = packet.data as [string, ...unknown[]];
    const rooms = [...target.rooms].map((room) => this.#channelOf(room));
    const entry: SocketIoEntry = {
      name,
      data: args.length === 1 ? args[0] : args,
      size: Buffer.byteLength(JSON.stringify(packet.data) ?? '', 'utf8'),
      ...(args.length === 1 ? {} : { socketIoArgs: true as const }),
      ...(rooms.length > 1 ? { rooms } : {}),
      ...(target.except.size > 0 ? { exceptRooms: [...target.except].map((room) => this.#channelOf(room)) } : {}),
      ...(flags.volatile ? { volatile: true } : {}),
    };
    const channel = rooms.length === 1 ? rooms[0] : this.#everyone;
    this.#broker.publish(channel, entry).catch((error: Error) => this.#onError(new Error(`broadcast on "${channel}" failed: ${error.message}`, { cause: error })));
    return reached.size;
  }

  close(): void {
    for (const unsubscribe of this.#unsubscribe.values()) unsubscribe();
    this.#unsubscribe.clear();
    this.#members.clear();
    this.#rooms.clear();
    this.#roomsOfMember.clear();
  }

  /** An entry from the broker: encoded once, to this node's members it is for. */
  #deliver(room: string | null, _position: StreamPosition, entry: SocketIoEntry): void {
    const ids = room === null ? [...this.#members.keys()] : [...(this.#rooms.get(room) ?? [])];
    const roomsInEntry = entry.rooms?.map((channel) => this.#roomOf(channel));
    const except = entry.exceptRooms?.map((channel) => this.#roomOf(channel)) ?? [];
    const recipients = ids.filter((id) => this.#isFor(id, roomsInEntry, except));
    if (recipients.length === 0) return;
    const args = entry.socketIoArgs ? (entry.data as unknown[]) : entry.data === undefined ? [] : [entry.data];
    const encoded = encodeSocketPacket({ type: SocketPacketType.EVENT, nsp: this.#namespace, data: [entry.name, ...args] });
    const flags: BroadcastFlags = entry.volatile ? { volatile: true } : {};
    for (const id of recipients) this.#members.get(id)?.deliver(encoded, flags);
  }

  #isFor(id: string, rooms: readonly string[] | undefined, except: readonly string[]): boolean {
    const own = this.#roomsOfMember.get(id);
    if (!own) return false;
    if (rooms !== undefined && !rooms.some((room) => own.has(room))) return false;
    return !except.some((room) => own.has(room));
  }

  #channelOf(room: string): string {
    return this.#namespace === '/' ? room : `${this.#namespace}#${room}`;
  }

  #roomOf(channel: string): string {
    const prefix = `${this.#namespace}#`;
    return this.#namespace !== '/' && channel.startsWith(prefix) ? channel.slice(prefix.length) : channel;
  }
}
