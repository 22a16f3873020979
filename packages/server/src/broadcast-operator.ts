import type { BroadcastTarget, Hub } from './hub/hub.js';
import type { EmitOptions, EventNames, EventPayload, EventsMap } from './session/events.js';

/** `server.to(room).except(other).emit(…)`: immutable, so operators can be kept and reused. */
export class BroadcastOperator<S2C extends EventsMap> {
  readonly #hub: Hub;
  readonly #target: BroadcastTarget;

  constructor(hub: Hub, rooms: readonly string[], exceptRooms: readonly string[], exceptSessions: readonly string[]) {
    this.#hub = hub;
    this.#target = { rooms, exceptRooms, exceptSessions };
  }

  to(...rooms: string[]): BroadcastOperator<S2C> {
    return new BroadcastOperator(this.#hub, [...this.#target.rooms, ...rooms], this.#target.exceptRooms, this.#target.exceptSessions);
  }

  except(...rooms: string[]): BroadcastOperator<S2C> {
    return new BroadcastOperator(this.#hub, this.#target.rooms, [...this.#target.exceptRooms, ...rooms], this.#target.exceptSessions);
  }

  /** Skips one session (e.g. the sender). */
  exceptSession(sessionId: string): BroadcastOperator<S2C> {
    return new BroadcastOperator(this.#hub, this.#target.rooms, this.#target.exceptRooms, [...this.#target.exceptSessions, sessionId]);
  }

  emit<E extends EventNames<S2C>>(event: E, data: EventPayload<S2C[E]>, options: EmitOptions = {}): void {
    this.#hub.broadcast({ name: event, data, options }, this.#target);
  }
}
