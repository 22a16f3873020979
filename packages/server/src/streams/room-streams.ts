import { EVERYONE, eventTail, type Packet, type StreamPosition } from '@baro/protocol';
import type { Broker, BrokerEntry, HistoryLimits } from '../hub/broker.js';
import { LocalStream } from './local-stream.js';
import { StreamPacket } from './stream-packet.js';

/** A session as the streams see it. */
export interface StreamMember {
  readonly id: string;
  /** The rooms it is in (for exclusions and several-room targets). */
  readonly rooms: ReadonlySet<string>;
  /** A broadcast for it, live. */
  deliver(packet: StreamPacket): void;
  /** Where a stream starts for it, learned after it joined (a networked broker's epoch comes later). */
  announce(packet: Packet): void;
  /** The broker started the stream over (e.g. Redis restarted): its position means nothing now, it must resync. */
  restarted(stream: string): void;
}

/** Who a broadcast is for: members of any of `rooms` (everyone when empty), minus the exceptions. */
export interface BroadcastTarget {
  readonly rooms: readonly string[];
  readonly exceptRooms: readonly string[];
  readonly exceptSessions: readonly string[];
}

/** What a member must be sent to resume: where each stream restarts, then the packets in emission order. */
export interface StreamReplay {
  joins: Packet[];
  packets: StreamPacket[];
}

interface Subscribed {
  readonly local: LocalStream;
  readonly unsubscribe: () => void;
  /** Resolves once the stream's epoch is known (at once with an in-process broker). */
  readonly known: Promise<void>;
}

/**
 * This node's side of the streams: which local sessions are in which room (node-local), one broker
 * subscription per room with local members, this node's copy of each stream's history, live
 * fan-out of each broadcast (one packet object for every member) and replay by positions.
 *
 * A broadcast to one room, or to everyone, is one entry on that stream. A broadcast to several
 * rooms is one entry on the everyone stream naming the rooms, so it has one position and reaches a
 * session in several of them once. Membership and exclusions are judged when the entry is
 * delivered: live, or at replay for a session that was away.
 */
export class RoomStreams {
  readonly #broker: Broker;
  readonly #limits: HistoryLimits;
  readonly #now: () => number;
  readonly #onError: (error: Error) => void;
  readonly #members = new Map<string, Set<StreamMember>>();
  /** Each member's streams and where it joined them. */
  readonly #joined = new Map<StreamMember, Map<string, StreamPosition>>();
  readonly #streams = new Map<string, Subscribed>();
  /**
   * Resolves once the everyone stream's epoch is known: at once with an in-process broker; a
   * networked one is asked (a session joining before would get a position of no epoch).
   */
  readonly ready: Promise<void>;

  constructor(options: { broker: Broker; limits: HistoryLimits; now: () => number; onError: (error: Error) => void }) {
    this.#broker = options.broker;
    this.#limits = options.limits;
    this.#now = options.now;
    this.#onError = options.onError;
    this.ready = this.#subscribe(EVERYONE).known;
  }

  /** Packets kept for replay by this node over all streams, and their sizes (UTF-8 bytes plus overhead). */
  get historyEntries(): number {
    let count = 0;
    for (const { local } of this.#streams.values()) count += local.count;
    return count;
  }

  get historyBytes(): number {
    let bytes = 0;
    for (const { local } of this.#streams.values()) bytes += local.bytes;
    return bytes;
  }

  /** Drops what is past the age bound in quiet streams (busy ones trim as they go). */
  trim(now: number): void {
    for (const { local } of this.#streams.values()) local.trim(now, this.#limits);
  }

  /**
   * A new session is in the everyone stream from now on. A session made again on this node from a
   * store (`joinedAt`) is in the streams it was in, joined where it joined them.
   */
  register(member: StreamMember, joinedAt?: ReadonlyMap<string, StreamPosition>): void {
    this.#joined.set(member, new Map());
    this.#add(member, EVERYONE);
    for (const [stream, position] of joinedAt ?? []) {
      this.#add(member, stream);
      this.#joined.get(member)!.set(stream, { epoch: position.epoch, offset: position.offset });
    }
  }

  /** Where a stream is now as this node knows it (a new member joins there). */
  headOf(stream: string): StreamPosition {
    const local = this.#subscribe(stream).local;
    return { epoch: local.epoch, offset: local.lastOffset };
  }

  /**
   * Where a member joined a stream (for a session store), once it is known: at once with an
   * in-process broker, after the broker answered where the stream is with a networked one.
   * Undefined when the member is no longer in it.
   */
  async joinedAt(member: StreamMember, stream: string): Promise<StreamPosition | undefined> {
    await this.#streams.get(stream)?.known.catch(() => {});
    const position = this.#joined.get(member)?.get(stream);
    return position?.epoch === '' ? undefined : position;
  }

  /**
   * Before a member resumes on this node: fetches from the broker what this node's copy of a
   * stream lacks between the client's position (or the join) and what it heard live, so `replay`
   * is complete. A stream whose history is gone is left as it is: `replay` finds the gap.
   */
  async prepare(member: StreamMember, positions: ReadonlyMap<string, number> | null): Promise<void> {
    const joined = this.#joined.get(member);
    if (!joined) return;
    await Promise.all(
      [...joined].map(async ([stream, joinedAt]) => {
        const local = this.#streams.get(stream)?.local;
        if (!local || joinedAt.epoch === '') return;
        const client = positions?.get(joinedAt.epoch);
        const start = client !== undefined && client >= joinedAt.offset ? client : joinedAt.offset;
        const sameRun = local.epoch === joinedAt.epoch;
        if (sameRun && start <= local.lastOffset && local.since(start) !== null) return;
        // A client ahead of what this node heard: fetch from where this node is, so the members it
        // serves (behind the client) find no hole either.
        const from = sameRun ? Math.min(start, local.lastOffset) : start;
        const history = await this.#broker.history(stream, { epoch: joinedAt.epoch, offset: from });
        if (!history.ok) return;
        const packets = history.entries.map(({ offset, entry }) => new StreamPacket(stream, { epoch: history.epoch, offset }, entry));
        local.backfill(history.epoch, from, packets, this.#now());
      }),
    );
  }

  /** Joins rooms; returns their join packets (for a connected session to send now). */
  join(member: StreamMember, rooms: readonly string[]): Packet[] {
    const packets: Packet[] = [];
    for (const room of rooms) {
      if (room === EVERYONE) throw new TypeError('a room name is a non-empty string');
      const position = this.#add(member, room);
      // A stream whose epoch this node does not know yet is announced when it learns it.
      if (position && position.epoch !== '') packets.push({ type: 'join', stream: room, epoch: position.epoch, offset: position.offset });
    }
    return packets;
  }

  leave(member: StreamMember, room: string): void {
    if (room === EVERYONE) return;
    this.#remove(member, room);
  }

  unregister(member: StreamMember): void {
    const joined = this.#joined.get(member);
    if (!joined) return;
    for (const stream of [...joined.keys()]) this.#remove(member, stream);
    this.#joined.delete(member);
  }

  /** Local session ids in a room. */
  membersOf(room: string): string[] {
    return [...(this.#members.get(room) ?? [])].map((member) => member.id);
  }

  publish(target: BroadcastTarget, name: string, data: unknown, options: { volatile?: boolean; latest?: string }): void {
    const rooms = [...new Set(target.rooms)];
    const entry: BrokerEntry = {
      name,
      data,
      size: Buffer.byteLength(eventTail(name, data), 'utf8'),
      ...(rooms.length > 1 ? { rooms } : {}),
      ...(target.exceptRooms.length > 0 ? { exceptRooms: target.exceptRooms } : {}),
      ...(target.exceptSessions.length > 0 ? { exceptSessions: target.exceptSessions } : {}),
      ...(options.volatile ? { volatile: true } : {}),
      ...(options.latest !== undefined ? { latest: options.latest } : {}),
    };
    const channel = rooms.length === 1 ? rooms[0] : EVERYONE;
    this.#broker.publish(channel, entry).catch((error: Error) => this.#onError(new Error(`broadcast on "${channel}" failed: ${error.message}`, { cause: error })));
  }

  /**
   * What a member resuming with the client's `positions` (offsets by epoch) must be sent, or null
   * when a stream's history no longer reaches back far enough (the client must resync). A stream
   * restarts at the client's position when it is of the stream's epoch and not before the member joined; otherwise
   * at the join, announced with a join packet (a stale position only replays more, which the
   * client drops).
   */
  replay(member: StreamMember, positions: ReadonlyMap<string, number> | null, announceAll: boolean): StreamReplay | null {
    const joined = this.#joined.get(member);
    const replay: StreamReplay = { joins: [], packets: [] };
    if (!joined) return replay;
    const now = this.#now();
    for (const [stream, joinedAt] of joined) {
      const local = this.#streams.get(stream)?.local;
      // Joined before this node learned where the stream is: its join packet follows when it does.
      if (joinedAt.epoch === '' && local?.epoch === '') continue;
      if (!local || local.epoch !== joinedAt.epoch) return null;
      // Only age can have passed since the last add trimmed by count and bytes; history a resume
      // just fetched from the broker (`prepare`) may be longer than this node keeps, and is used once.
      local.trim(now, { count: Number.POSITIVE_INFINITY, bytes: Number.POSITIVE_INFINITY, age: this.#limits.age });
      // The client names its streams by their epochs: one of another epoch is simply not found.
      const client = positions?.get(local.epoch);
      const usable = client !== undefined && client >= joinedAt.offset && client <= local.lastOffset;
      const start = usable ? client : joinedAt.offset;
      if (!usable || announceAll) replay.joins.push({ type: 'join', stream, epoch: local.epoch, offset: start });
      const packets = local.since(start);
      if (packets === null) return null;
      for (const packet of packets) if (isFor(member, packet)) replay.packets.push(packet);
    }
    return replay;
  }

  /** Stops listening to the broker; the broker is its owner's to close (others may share it). */
  close(): void {
    for (const { unsubscribe } of this.#streams.values()) unsubscribe();
    this.#streams.clear();
    this.#members.clear();
    this.#joined.clear();
  }

  #add(member: StreamMember, stream: string): StreamPosition | null {
    const joined = this.#joined.get(member);
    if (!joined || joined.has(stream)) return null;
    const local = this.#subscribe(stream).local;
    let members = this.#members.get(stream);
    if (!members) this.#members.set(stream, (members = new Set()));
    members.add(member);
    const position = { epoch: local.epoch, offset: local.lastOffset };
    joined.set(stream, position);
    return position;
  }

  /** The stream's epoch is known now: members who joined before get their position, and are told it. */
  #learned(stream: string, local: LocalStream): void {
    for (const member of this.#members.get(stream) ?? []) {
      const joined = this.#joined.get(member);
      if (joined?.get(stream)?.epoch !== '') continue;
      const position = { epoch: local.epoch, offset: local.lastOffset };
      joined.set(stream, position);
      member.announce({ type: 'join', stream, epoch: position.epoch, offset: position.offset });
    }
  }

  #remove(member: StreamMember, stream: string): void {
    this.#joined.get(member)?.delete(stream);
    const members = this.#members.get(stream);
    if (!members?.delete(member) || members.size > 0 || stream === EVERYONE) return;
    this.#members.delete(stream);
    // Nobody here is in the room any more: this node needs neither its broadcasts nor its history.
    this.#streams.get(stream)?.unsubscribe();
    this.#streams.delete(stream);
  }

  #subscribe(stream: string): Subscribed {
    let subscribed = this.#streams.get(stream);
    if (subscribed) return subscribed;
    // A networked broker cannot say where the stream is without a round trip: it is asked, and the
    // first entry delivered tells it too (#deliver), whichever comes first.
    const head = this.#broker.headNow?.(stream) ?? { epoch: '', offset: 0 };
    const local = new LocalStream(stream, head.epoch, head.offset);
    const unsubscribe = this.#broker.subscribe(stream, (position, entry) => this.#deliver(local, position, entry));
    const known =
      head.epoch !== ''
        ? Promise.resolve()
        : this.#broker.head(stream).then((asked) => {
            if (this.#streams.get(stream)?.local !== local || local.epoch !== '') return;
            local.restartAt(asked.epoch, asked.offset);
            this.#learned(stream, local);
          });
    known.catch((error: Error) => this.#onError(new Error(`the position of stream "${stream}" is unknown: ${error.message}`, { cause: error })));
    this.#streams.set(stream, (subscribed = { local, unsubscribe, known }));
    return subscribed;
  }

  #deliver(local: LocalStream, position: StreamPosition, entry: BrokerEntry): void {
    if (position.epoch !== local.epoch) {
      // The broker started a new run of this stream (or this node learns its epoch only now): what
      // this node kept belongs to the old one, and it knows nothing before this entry.
      const previous = local.epoch;
      local.restartAt(position.epoch, position.offset - 1);
      if (previous === '') this.#learned(local.name, local);
      else this.#restartedFor(local.name, position.epoch);
    } else if (position.offset > local.lastOffset + 1 && !this.#broker.headNow) {
      // Live entries were missed (the subscription was away): replays across the hole go to the broker.
      local.restartAt(position.epoch, position.offset - 1);
    }
    const packet = new StreamPacket(local.name, position, entry);
    // An entry a resume's backfill fetched before it came live is kept already; members here still
    // get it live (a client drops what it has seen).
    if (position.offset > local.lastOffset) local.add(packet, this.#now(), this.#limits);
    const recipients = this.#recipients(local.name, entry);
    // Members are written to one socket after another: starting at a random one means nobody is
    // always told first (or last), which a quiz ranking by arrival needs.
    const count = recipients.length;
    const start = Math.floor(Math.random() * count);
    for (let i = start; i < count; i++) recipients[i].deliver(packet);
    for (let i = 0; i < start; i++) recipients[i].deliver(packet);
  }

  /** Members whose positions are of an older run of the stream resync: no silent gap. */
  #restartedFor(stream: string, epoch: string): void {
    for (const member of [...(this.#members.get(stream) ?? [])]) {
      if (this.#joined.get(member)?.get(stream)?.epoch !== epoch) member.restarted(stream);
    }
  }

  #recipients(stream: string, entry: BrokerEntry): StreamMember[] {
    if (entry.rooms === undefined) {
      const members = this.#members.get(stream);
      if (!members) return [];
      if (entry.exceptRooms === undefined && entry.exceptSessions === undefined) return [...members];
      return [...members].filter((member) => isFor(member, { entry }));
    }
    const result = new Set<StreamMember>();
    for (const room of entry.rooms) for (const member of this.#members.get(room) ?? []) result.add(member);
    return [...result].filter((member) => isFor(member, { entry }));
  }
}

/** Whether an entry is for a member of its stream: in one of its rooms (several-room targets), not excluded. */
function isFor(member: StreamMember, { entry }: { entry: BrokerEntry }): boolean {
  if (entry.rooms !== undefined && !entry.rooms.some((room) => member.rooms.has(room))) return false;
  if (entry.exceptSessions?.includes(member.id)) return false;
  if (entry.exceptRooms?.some((room) => member.rooms.has(room))) return false;
  return true;
}
