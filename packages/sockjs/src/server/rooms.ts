import { MemoryBroker, type Broker, type BrokerEntry } from 'baro';
import type { SockJSConnection } from './connection.js';

/** baro's everyone stream (`EVERYONE` in @baro/protocol): what `BaroServer.emit` publishes on. */
const EVERYONE = '';
/** The event a SockJS message is, for baro and Socket.IO clients (Socket.IO's `send` is this event). */
export const MESSAGE_EVENT = 'message';

/** Who a broadcast is for: members of any of `rooms` (every connection when empty), minus `except`. */
export interface RoomTarget {
  readonly rooms: readonly string[];
  readonly except: readonly string[];
}

/**
 * SockJS connections in baro's rooms, through baro's broker (BaroServer's `broker`, or the Redis
 * one every node shares): a room is the broker channel baro's rooms use, and a broadcast to every
 * connection goes on baro's everyone stream, so baro, Socket.IO and SockJS clients in one room see
 * the same broadcasts, in the broker's order.
 *
 * SockJS messages are strings. One written to a room is published as event `message` with the
 * string as its data: a baro client's `on('message')`, a Socket.IO client's `on('message')` (what
 * `socket.send` emits). An entry of event `message` with string data reaches SockJS clients as that
 * string; any other as the JSON text `[event, data]`, encoded once per entry.
 */
export class SockJSRooms {
  readonly #broker: Broker;
  readonly #ownsBroker: boolean;
  readonly #everyone = new Set<SockJSConnection>();
  readonly #members = new Map<string, Set<SockJSConnection>>();
  readonly #roomsOf = new Map<SockJSConnection, Set<string>>();
  readonly #unsubscribe = new Map<string, () => void>();

  /** Without a broker the rooms are this server's own (an in-memory broker). */
  constructor(broker?: Broker) {
    this.#broker = broker ?? new MemoryBroker();
    this.#ownsBroker = broker === undefined;
    this.#unsubscribe.set(EVERYONE, this.#broker.subscribe(EVERYONE, (_position, entry) => this.#deliver(this.#everyone, entry)));
  }

  /** A new connection hears broadcasts to everyone from now on. */
  add(connection: SockJSConnection): void {
    this.#everyone.add(connection);
    this.#roomsOf.set(connection, new Set());
    membership.set(connection, this);
  }

  remove(connection: SockJSConnection): void {
    for (const room of [...(this.#roomsOf.get(connection) ?? [])]) this.leave(connection, room);
    this.#roomsOf.delete(connection);
    this.#everyone.delete(connection);
  }

  roomsOf(connection: SockJSConnection): ReadonlySet<string> {
    return this.#roomsOf.get(connection) ?? new Set();
  }

  join(connection: SockJSConnection, room: string): void {
    if (typeof room !== 'string' || room === EVERYONE) throw new TypeError('a room name is a non-empty string');
    const own = this.#roomsOf.get(connection);
    if (!own || own.has(room)) return;
    own.add(room);
    let members = this.#members.get(room);
    if (!members) {
      this.#members.set(room, (members = new Set()));
      this.#unsubscribe.set(room, this.#broker.subscribe(room, (_position, entry) => this.#deliver(this.#members.get(room), entry)));
    }
    members.add(connection);
  }

  leave(connection: SockJSConnection, room: string): void {
    this.#roomsOf.get(connection)?.delete(room);
    const members = this.#members.get(room);
    if (!members?.delete(connection) || members.size > 0) return;
    this.#members.delete(room);
    this.#unsubscribe.get(room)?.();
    this.#unsubscribe.delete(room);
  }

  /** Publishes `message` to the target; resolves once the broker has it (a networked one may fail). */
  async publish(target: RoomTarget, message: string): Promise<void> {
    const text = String(message);
    const entry: BrokerEntry = {
      name: MESSAGE_EVENT,
      data: text,
      size: Buffer.byteLength(text) + MESSAGE_EVENT.length + 2,
      ...(target.rooms.length > 1 ? { rooms: target.rooms } : {}),
      ...(target.except.length > 0 ? { exceptRooms: target.except } : {}),
    };
    const channel = target.rooms.length === 1 ? target.rooms[0] : EVERYONE;
    await this.#broker.publish(channel, entry);
  }

  async close(): Promise<void> {
    for (const unsubscribe of this.#unsubscribe.values()) unsubscribe();
    this.#unsubscribe.clear();
    this.#members.clear();
    this.#roomsOf.clear();
    this.#everyone.clear();
    if (this.#ownsBroker) await this.#broker.close();
  }

  #deliver(candidates: ReadonlySet<SockJSConnection> | undefined, entry: BrokerEntry): void {
    if (!candidates || candidates.size === 0) return;
    let text: string | null = null;
    for (const connection of candidates) {
      const own = this.#roomsOf.get(connection);
      if (!own) continue;
      if (entry.rooms && !entry.rooms.some((room) => own.has(room))) continue;
      if (entry.exceptRooms?.some((room) => own.has(room))) continue;
      text ??= textOf(entry);
      if (text === null) return;
      connection.write(text);
    }
  }
}

function textOf(entry: BrokerEntry): string | null {
  if (entry.name === MESSAGE_EVENT && typeof entry.data === 'string') return entry.data;
  return JSON.stringify([entry.name, entry.data]) ?? null;
}

/** `server.to(room)…write(message)`: each call returns a new writer, as baro's and Socket.IO's operators do. */
export class RoomWriter {
  readonly #rooms: SockJSRooms;
  readonly #target: RoomTarget;

  constructor(rooms: SockJSRooms, target: RoomTarget) {
    this.#rooms = rooms;
    this.#target = target;
  }

  to(...rooms: string[]): RoomWriter {
    return new RoomWriter(this.#rooms, { rooms: [...new Set([...this.#target.rooms, ...rooms])], except: this.#target.except });
  }

  except(...rooms: string[]): RoomWriter {
    return new RoomWriter(this.#rooms, { rooms: this.#target.rooms, except: [...new Set([...this.#target.except, ...rooms])] });
  }

  /** Publishes one message; resolves once the broker has it (a networked broker may fail). */
  write(message: string): Promise<void> {
    return this.#rooms.publish(this.#target, message);
  }
}

/** The rooms each connection is served by (set when its server announces it). */
const membership = new WeakMap<SockJSConnection, SockJSRooms>();

export function roomsServing(connection: SockJSConnection): SockJSRooms {
  const rooms = membership.get(connection);
  if (!rooms) throw new Error('this connection is not open on a SockJS server');
  return rooms;
}
