import type { EmitOptions } from '../session/events.js';

/** Who a broadcast is for: members of any of `rooms` (everyone when empty), minus the exceptions. */
export interface BroadcastTarget {
  readonly rooms: readonly string[];
  readonly exceptRooms: readonly string[];
  readonly exceptSessions: readonly string[];
}

export interface BroadcastMessage {
  readonly name: string;
  readonly data: unknown;
  readonly options: EmitOptions;
}

/**
 * Room membership and fan-out. The in-process hub is the default; a Redis hub fans out across
 * nodes through the same interface, so transports and sessions never know which one runs.
 */
export interface Hub {
  /** Where this node delivers a broadcast to its own members (set once by the server). */
  bind(deliver: (message: BroadcastMessage, sessionIds: readonly string[]) => void): void;
  /** Joining no rooms registers the session: a broadcast to everyone reaches it. */
  join(sessionId: string, rooms: readonly string[]): void;
  leave(sessionId: string, room: string): void;
  leaveAll(sessionId: string): void;
  broadcast(message: BroadcastMessage, target: BroadcastTarget): void;
  /** Session ids in a room (on every node, for a distributed hub). */
  sessionsIn(room: string): Promise<string[]>;
  /** Rooms that have members, with their sizes. */
  rooms(): Promise<Map<string, number>>;
  close(): Promise<void>;
}
