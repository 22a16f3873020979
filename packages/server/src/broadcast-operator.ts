import type { BroadcastTarget } from './streams/room-streams.js';
import type { EmitOptions, EventNames, EventPayload, EventsMap } from './session/events.js';

/** Where an operator's `emit` goes: the server's streams (and through the broker, other nodes). */
export type Publish = (target: BroadcastTarget, name: string, data: unknown, options: EmitOptions) => void;

/** `server.to(room).except(other).emit(…)`: immutable, so operators can be kept and reused. */
export class BroadcastOperator<S2C extends EventsMap> {
  readonly #publish: Publish;
  readonly #target: BroadcastTarget;

  constructor(publish: Publish, rooms: readonly string[], exceptRooms: readonly string[], exceptSessions: readonly string[]) {
    this.#publish = publish;
    this.#target = { rooms, exceptRooms, exceptSessions };
  }

  to(...rooms: string[]): BroadcastOperator<S2C> {
    return new BroadcastOperator(this.#publish, [...this.#target.rooms, ...rooms], this.#target.exceptRooms, this.#target.exceptSessions);
  }

  except(...rooms: string[]): BroadcastOperator<S2C> {
    return new BroadcastOperator(this.#publish, this.#target.rooms, [...this.#target.exceptRooms, ...rooms], this.#target.exceptSessions);
  }

  /** Skips one session (e.g. the sender). */
  exceptSession(sessionId: string): BroadcastOperator<S2C> {
    return new BroadcastOperator(this.#publish, this.#target.rooms, this.#target.exceptRooms, [...this.#target.exceptSessions, sessionId]);
  }

  emit<E extends EventNames<S2C>>(event: E, data: EventPayload<S2C[E]>, options: EmitOptions = {}): void {
    this.#publish(this.#target, event, data, options);
  }
}
