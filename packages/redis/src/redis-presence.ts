import { randomBytes } from 'node:crypto';
import type { Presence, PresenceChange, PresenceInfo, PresenceListener, PresenceMember } from 'baro';
import { ADD_SCRIPT, CLAIM_SCRIPT, MEMBERS_SCRIPT, presencePrefix, REMOVE_NODE_SCRIPT, REMOVE_SCRIPT, REMOVE_SESSION_SCRIPT, SWEEP_SCRIPT } from './presence-scripts.js';
import { Connections, type ConnectionOptions } from './connections.js';
import { Script } from './scripts.js';

export interface RedisPresenceOptions extends ConnectionOptions {
  /** Prepended to every key, to share one Redis between deployments. Default `baro:`. */
  prefix?: string;
  /** Default: random. */
  nodeId?: string;
  /**
   * How long a node's members outlive its last refresh, in ms. Default 30 s: with the timers, a
   * dead node's sessions leave within `ttlMs * 4 / 3` (40 s) of its last refresh.
   */
  ttlMs?: number;
  /** Refresh this node and sweep dead ones every `ttlMs / 3`. Default true; tests drive them by hand. */
  timers?: boolean;
  /** The clock of expiry (node expiries are this node's clock: nodes' clocks should agree). */
  now?: () => number;
  /** Connection errors, failed timer refreshes and sweeps, errors thrown by change listeners. */
  onError?: (error: Error) => void;
}

const add = new Script(ADD_SCRIPT);
const remove = new Script(REMOVE_SCRIPT);
const removeSession = new Script(REMOVE_SESSION_SCRIPT);
const claim = new Script(CLAIM_SCRIPT);
const removeNode = new Script(REMOVE_NODE_SCRIPT);
const sweep = new Script(SWEEP_SCRIPT);
const members = new Script(MEMBERS_SCRIPT);

type Announced = [PresenceChange['type'], string, string, string, string];

/**
 * Presence on Redis, shared by every node: members with their node ids in hashes per room, indexes
 * per session and per node, and a sorted set of node expiries; each change is one Lua script that
 * also announces it on a shard channel every node listens to. A node that stops refreshing (it
 * died) is swept by any other node after `ttlMs`, its members announced as `left`.
 */
export class RedisPresence implements Presence {
  readonly nodeId: string;
  readonly #redis: Connections;
  readonly #prefix: string;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #onError: (error: Error) => void;
  readonly #listeners = new Set<PresenceListener>();
  readonly #subscribed: Promise<unknown>;
  readonly #started: Promise<void>;
  readonly #timer: NodeJS.Timeout | null;
  #closed = false;

  constructor(options: RedisPresenceOptions = {}) {
    this.nodeId = options.nodeId ?? randomBytes(8).toString('base64url');
    this.#prefix = presencePrefix(options.prefix ?? 'baro:');
    this.#ttlMs = options.ttlMs ?? 30_000;
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError ?? (() => {});
    this.#redis = new Connections({ ...options, onError: this.#onError });
    // Alive from the start (the first calls wait for it); a failure here is the connection's, reported as such.
    this.#started = this.#redis.ready().then(() => this.#touch());
    this.#started.catch(() => {});
    // Listening from the start too: a listener added later hears every change made after it, even
    // one made on another node at once (a subscription begun only then would miss it).
    this.#subscribed = this.#redis.ready().then(() => this.#redis.subscriber.sSubscribe(`${this.#prefix}changes`, (message) => this.#hear(message)));
    this.#subscribed.catch((error: Error) => this.#onError(error));
    if (options.timers === false) {
      this.#timer = null;
    } else {
      this.#timer = setInterval(() => {
        this.refresh()
          .then(() => this.sweep())
          .catch((error: Error) => this.#onError(error));
      }, Math.max(10, Math.floor(this.#ttlMs / 3)));
      this.#timer.unref();
    }
  }

  async add(room: string, sessionId: string, info: PresenceInfo = {}): Promise<void> {
    await this.#run(add, [room, sessionId, JSON.stringify(info), this.nodeId, '0']);
  }

  async update(room: string, sessionId: string, info: PresenceInfo): Promise<void> {
    await this.#run(add, [room, sessionId, JSON.stringify(info), this.nodeId, '1']);
  }

  async remove(room: string, sessionId: string): Promise<void> {
    await this.#run(remove, [room, sessionId]);
  }

  async claim(sessionId: string): Promise<void> {
    await this.#run(claim, [sessionId, this.nodeId]);
  }

  async removeSession(sessionId: string): Promise<void> {
    await this.#run(removeSession, [sessionId]);
  }

  async members(room: string): Promise<Map<string, PresenceMember>> {
    const reply = (await this.#run(members, [room])) as string[];
    const found = new Map<string, PresenceMember>();
    for (let i = 0; i < reply.length; i += 3) {
      found.set(reply[i], { sessionId: reply[i], info: JSON.parse(reply[i + 1]) as PresenceInfo, nodeId: reply[i + 2] });
    }
    return found;
  }

  async sizes(): Promise<Map<string, number>> {
    await this.#ready();
    const sizes = await this.#redis.commands.hGetAll(`${this.#prefix}sizes`);
    return new Map(Object.entries(sizes).map(([room, size]) => [room, Number(size)]));
  }

  async roomsOf(sessionId: string): Promise<string[]> {
    await this.#ready();
    return await this.#redis.commands.sMembers(`${this.#prefix}session:${sessionId}`);
  }

  onChange(listener: PresenceListener): () => void {
    // Each subscription is its own entry, so the same function given twice is called twice.
    const entry: PresenceListener = (change) => listener(change);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  async refresh(): Promise<void> {
    await this.#ready();
    await this.#touch();
  }

  async sweep(): Promise<void> {
    await this.#run(sweep, [String(this.#now())]);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#listeners.clear();
    try {
      await this.#run(removeNode, [this.nodeId]);
    } finally {
      await this.#redis.close();
    }
  }

  /** The connection, then this node's first refresh (a refresh failed at the start is tried again). */
  async #ready(): Promise<void> {
    await this.#redis.ready();
    await this.#started.catch(() => this.#touch());
    await this.#subscribed.catch(() => {});
  }

  async #touch(): Promise<void> {
    await this.#redis.commands.zAdd(`${this.#prefix}nodes`, { score: this.#now() + this.#ttlMs, value: this.nodeId });
  }

  /** Runs a script once this node listens to changes, so it hears the ones it makes. */
  async #run(script: Script, args: string[]): Promise<unknown> {
    await this.#ready();
    return await script.run(this.#redis.commands, [`${this.#prefix}sizes`], [this.#prefix, ...args]);
  }

  #hear(message: string): void {
    const [type, room, sessionId, nodeId, info] = JSON.parse(message) as Announced;
    const member: PresenceMember = { sessionId, info: JSON.parse(info) as PresenceInfo, nodeId };
    const change = { type, room, member } as PresenceChange;
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch (error) {
        this.#onError(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }
}
