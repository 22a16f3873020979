import { RESERVED_EVENTS, SocketPacketType, type SocketPacket } from '../codec/index.js';
import type { Namespace } from './namespace.js';
import type { BroadcastTarget } from './room-adapter.js';
import type { Socket } from './socket.js';
import type { AckResult, ArgsWithoutAck, DecorateAcknowledgementsWithMultipleResponses, EventNames, EventParams, EventsMap } from './typed-events.js';

export interface OperatorFlags {
  volatile?: boolean;
  local?: boolean;
  timeout?: number;
}

function asList(rooms: string | readonly string[]): readonly string[] {
  return typeof rooms === 'string' ? [rooms] : rooms;
}

/**
 * A broadcast's target and flags: `to`/`in`/`except` add rooms, `volatile`/`local`/`timeout` set
 * flags, each returning a new operator (as socket.io's), and `emit` sends to everyone it reaches.
 */
export class BroadcastOperator<EmitEvents extends EventsMap, SocketData = any> {
  readonly #nsp: Namespace<EventsMap, EmitEvents, EventsMap, SocketData>;
  readonly #rooms: ReadonlySet<string>;
  readonly #except: ReadonlySet<string>;
  readonly #flags: OperatorFlags;

  constructor(nsp: Namespace<EventsMap, EmitEvents, EventsMap, SocketData>, rooms: ReadonlySet<string> = new Set(), except: ReadonlySet<string> = new Set(), flags: OperatorFlags = {}) {
    this.#nsp = nsp;
    this.#rooms = rooms;
    this.#except = except;
    this.#flags = flags;
  }

  to(rooms: string | readonly string[]): BroadcastOperator<EmitEvents, SocketData> {
    return new BroadcastOperator(this.#nsp, new Set([...this.#rooms, ...asList(rooms)]), this.#except, this.#flags);
  }

  in(rooms: string | readonly string[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.to(rooms);
  }

  except(rooms: string | readonly string[]): BroadcastOperator<EmitEvents, SocketData> {
    return new BroadcastOperator(this.#nsp, this.#rooms, new Set([...this.#except, ...asList(rooms)]), this.#flags);
  }

  get volatile(): BroadcastOperator<EmitEvents, SocketData> {
    return new BroadcastOperator(this.#nsp, this.#rooms, this.#except, { ...this.#flags, volatile: true });
  }

  get local(): BroadcastOperator<EmitEvents, SocketData> {
    return new BroadcastOperator(this.#nsp, this.#rooms, this.#except, { ...this.#flags, local: true });
  }

  /** Accepted for compatibility; Engine.IO messages are not compressed here. */
  compress(_compress: boolean): BroadcastOperator<EmitEvents, SocketData> {
    return this;
  }

  /** Acks of the next emit: every client's answer within `ms`, or "operation has timed out" with those that came. */
  timeout(ms: number): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return new BroadcastOperator(this.#nsp as unknown as Namespace<EventsMap, DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, EventsMap, SocketData>, this.#rooms, this.#except, { ...this.#flags, timeout: ms });
  }

  /**
   * Sends an event to every socket the target reaches, encoded once. A function as the last argument
   * (with `timeout(ms)`) gets `(error, responses)` once all answered or the time is up.
   */
  emit<Ev extends EventNames<EmitEvents>>(event: Ev, ...args: EventParams<EmitEvents, Ev>): boolean {
    if (RESERVED_EVENTS.has(event)) throw new Error(`"${event}" is a reserved event name`);
    const data: unknown[] = [event, ...args];
    const packet: SocketPacket = { type: SocketPacketType.EVENT, nsp: this.#nsp.name, data };
    const target: BroadcastTarget = { rooms: this.#rooms, except: this.#except };
    if (typeof data[data.length - 1] !== 'function') {
      this.#nsp._broadcast(packet, target, this.#flags);
      return true;
    }
    const ack = data.pop() as (error: Error | null, responses: unknown[]) => void;
    const timeout = this.#flags.timeout;
    if (timeout === undefined) throw new TypeError('a broadcast with an ack needs a timeout: use .timeout(ms).emit(...)');
    const responses: unknown[] = [];
    let expected = 0;
    let done = false;
    const finish = (error: Error | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      ack(error, responses);
    };
    const timer = setTimeout(() => finish(new Error('operation has timed out')), timeout);
    packet.id = this.#nsp._nextAckId();
    const id = packet.id;
    expected = this.#nsp._broadcast(packet, target, this.#flags, (socket) => {
      socket._registerBroadcastAck(id, (response: unknown) => {
        if (done) return;
        responses.push(response);
        if (responses.length === expected) finish(null);
      });
    });
    if (expected === 0) finish(null);
    return true;
  }

  /** Resolves with every client's answer; rejects when one has not answered within `timeout(ms)`. */
  emitWithAck<Ev extends EventNames<EmitEvents>>(event: Ev, ...args: ArgsWithoutAck<EmitEvents, Ev>): Promise<AckResult<EmitEvents, Ev>> {
    return new Promise((resolve, reject) => {
      const ack = (error: Error | null, responses: unknown): void => (error ? reject(error) : resolve(responses as AckResult<EmitEvents, Ev>));
      (this.emit as (event: string, ...rest: unknown[]) => boolean)(event, ...args, ack);
    });
  }

  /** The sockets (of this node) the target reaches. */
  async fetchSockets(): Promise<Socket<EventsMap, EmitEvents, EventsMap, SocketData>[]> {
    return this.#reached();
  }

  /** The ids of the sockets the target reaches. */
  async allSockets(): Promise<Set<string>> {
    return this.#nsp.adapter.members({ rooms: this.#rooms, except: this.#except });
  }

  socketsJoin(rooms: string | readonly string[]): void {
    for (const socket of this.#reached()) void socket.join(rooms);
  }

  socketsLeave(rooms: string | readonly string[]): void {
    for (const socket of this.#reached()) for (const room of asList(rooms)) void socket.leave(room);
  }

  disconnectSockets(close = false): void {
    for (const socket of this.#reached()) socket.disconnect(close);
  }

  #reached(): Socket<EventsMap, EmitEvents, EventsMap, SocketData>[] {
    const sockets: Socket<EventsMap, EmitEvents, EventsMap, SocketData>[] = [];
    for (const id of this.#nsp.adapter.members({ rooms: this.#rooms, except: this.#except })) {
      const socket = this.#nsp.sockets.get(id);
      if (socket) sockets.push(socket);
    }
    return sockets;
  }
}
