/**
 * Who is in which room, with what the app says about each member (e.g. `{ seat, nickname }`).
 *
 * Separate from the broker (which moves messages): presence answers "who is here" for an app's own
 * views and counts. Every method that reads or writes is async, because a shared store (Redis, next)
 * answers over the network; the in-memory implementation answers at once. Each node runs one
 * `Presence` on a store shared by the cluster: the members a node adds carry its `nodeId`, and the
 * node keeps them alive with `refresh()`; when a node stops refreshing (it died), `sweep()` on any
 * other node removes its members after `ttlMs`, announcing each as `left`.
 */

/** What the app attaches to a member: JSON values only, so a network store can hold it. */
export type PresenceInfo = Readonly<Record<string, unknown>>;

export interface PresenceMember {
  readonly sessionId: string;
  readonly info: PresenceInfo;
  /** The node whose session this is: its `refresh` keeps the member alive. */
  readonly nodeId: string;
}

export type PresenceChange =
  | { readonly type: 'joined' | 'updated'; readonly room: string; readonly member: PresenceMember }
  | { readonly type: 'left'; readonly room: string; readonly member: PresenceMember };

export type PresenceListener = (change: PresenceChange) => void;

export interface Presence {
  /** This node's id (random unless given): members it adds carry it. */
  readonly nodeId: string;
  /** Adds the session to the room, or replaces its info if it is there (`updated` when it changed). */
  add(room: string, sessionId: string, info?: PresenceInfo): Promise<void>;
  /** Replaces the info of a member; a session not in the room is left out (no change). */
  update(room: string, sessionId: string, info: PresenceInfo): Promise<void>;
  remove(room: string, sessionId: string): Promise<void>;
  /** Removes the session from every room it is in (it ended). */
  removeSession(sessionId: string): Promise<void>;
  /**
   * The session is carried by this node now (it resumed here, with a session store): its
   * memberships become this node's, kept alive by its refresh, with their info, announcing nothing.
   * So a node that dies takes only the sessions it still carried with it.
   */
  claim?(sessionId: string): Promise<void>;
  /** The members of a room, keyed by session id. */
  members(room: string): Promise<Map<string, PresenceMember>>;
  /** The number of members of each room that has any. */
  sizes(): Promise<Map<string, number>>;
  /** The rooms a session is in. */
  roomsOf(sessionId: string): Promise<string[]>;
  /**
   * Calls `listener` with every change, on any node of the store (joins, leaves, info updates and
   * the leaves of expired nodes). Returns the unsubscribe function.
   */
  onChange(listener: PresenceListener): () => void;
  /** Keeps this node's members alive for another `ttlMs`. */
  refresh(): Promise<void>;
  /** Removes the members of nodes that have not refreshed within `ttlMs`. */
  sweep(): Promise<void>;
  /** Removes this node's members (announced as left) and stops its timers. */
  close(): Promise<void>;
}
