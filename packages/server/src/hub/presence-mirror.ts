import type { Presence, PresenceChange, PresenceMember } from './presence.js';

const NO_MEMBERS: ReadonlyMap<string, PresenceMember> = new Map();

/**
 * A synchronous copy of some rooms' presence, kept current by the change notifications: for app
 * code that must answer at once (a view rendered many times a second) from an async presence.
 * With the in-memory presence it is current when each call returns; with a network store, as soon
 * as the change arrives.
 */
export class PresenceMirror {
  readonly #rooms = new Map<string, Map<string, PresenceMember>>();
  readonly #wanted: (room: string) => boolean;
  readonly #unsubscribe: () => void;
  readonly #onChange: ((change: PresenceChange) => void) | undefined;
  /** Members changed while the first load ran (`room\0sessionId`): the load's copy of them is older. */
  #changedWhileLoading: Set<string> | null = new Set();
  /** Resolves once the rooms' members at the start are loaded. */
  readonly ready: Promise<void>;

  constructor(presence: Presence, wanted: (room: string) => boolean, onChange?: (change: PresenceChange) => void) {
    this.#wanted = wanted;
    this.#onChange = onChange;
    this.#unsubscribe = presence.onChange((change) => this.#apply(change));
    this.ready = this.#load(presence);
  }

  members(room: string): ReadonlyMap<string, PresenceMember> {
    return this.#rooms.get(room) ?? NO_MEMBERS;
  }

  size(room: string): number {
    return this.#rooms.get(room)?.size ?? 0;
  }

  /** The mirrored rooms that have members. */
  rooms(): IterableIterator<string> {
    return this.#rooms.keys();
  }

  close(): void {
    this.#unsubscribe();
    this.#rooms.clear();
  }

  async #load(presence: Presence): Promise<void> {
    for (const room of (await presence.sizes()).keys()) {
      if (!this.#wanted(room)) continue;
      for (const member of (await presence.members(room)).values()) {
        // A change that arrived meanwhile is newer than what was loaded.
        if (!this.#changedWhileLoading?.has(`${room}\0${member.sessionId}`)) this.#set(room, member);
      }
    }
    this.#changedWhileLoading = null;
  }

  #apply(change: PresenceChange): void {
    if (!this.#wanted(change.room)) return;
    this.#changedWhileLoading?.add(`${change.room}\0${change.member.sessionId}`);
    if (change.type === 'left') {
      const members = this.#rooms.get(change.room);
      members?.delete(change.member.sessionId);
      if (members?.size === 0) this.#rooms.delete(change.room);
    } else {
      this.#set(change.room, change.member);
    }
    this.#onChange?.(change);
  }

  #set(room: string, member: PresenceMember): void {
    let members = this.#rooms.get(room);
    if (!members) this.#rooms.set(room, (members = new Map()));
    members.set(member.sessionId, member);
  }
}
