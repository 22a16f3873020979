import { randomBytes } from 'node:crypto';
import type { CommitResult, CommittedChange, NewSession, OwnPacket, SessionChange, SessionStore, SessionWatcher, StoredSession, StreamPosition } from 'baro';
import { Connections, type ConnectionOptions } from './connections.js';
import { Script } from './scripts.js';
import { COMMIT_SCRIPT, CREATE_SCRIPT, LOAD_SCRIPT, RECEIPT_SCRIPT, SINCE_SCRIPT, sessionKeys, UPDATE_SCRIPT } from './session-scripts.js';

export interface RedisSessionStoreOptions extends ConnectionOptions {
  /** Prepended to every key, to share one Redis between deployments. Default `baro:`. */
  prefix?: string;
  /** How long a session outlives its last write or touch, in ms: the server's resume window. Default 120 s. */
  ttlMs?: number;
}

const create = new Script(CREATE_SCRIPT);
const load = new Script(LOAD_SCRIPT);
const update = new Script(UPDATE_SCRIPT);
const commit = new Script(COMMIT_SCRIPT);
const since = new Script(SINCE_SCRIPT);
const receipt = new Script(RECEIPT_SCRIPT);

/**
 * Sessions on Redis, so any node can admit, resume and serve any session: one hash, one hash of
 * rooms and one stream of the session's own packets per session, under one hash tag (Redis
 * Cluster), expiring after the resume window. Each call is one script: a client event's
 * processing (cseq) and the packets it produced are committed together or not at all.
 *
 * Two connections per node (commands, and the subscriber `watch` uses); while Redis is away calls
 * fail at once.
 */
export class RedisSessionStore implements SessionStore {
  readonly #redis: Connections;
  readonly #prefix: string;
  readonly #ttl: string;
  readonly origin = randomBytes(6).toString('base64url');

  constructor(options: RedisSessionStoreOptions = {}) {
    this.#prefix = options.prefix ?? 'baro:';
    this.#ttl = String(options.ttlMs ?? 120_000);
    this.#redis = new Connections(options);
  }

  async create(session: NewSession): Promise<void> {
    await this.#run(create, session.id, [this.#ttl, session.tokenHash, session.remoteAddress, String(session.createdAt)]);
  }

  async load(id: string): Promise<StoredSession | null> {
    const reply = (await this.#run(load, id, [])) as [string[], string[]] | null;
    if (reply === null) return null;
    const fields = pairs(reply[0]);
    const rooms: Record<string, StreamPosition> = {};
    for (const [room, position] of Object.entries(pairs(reply[1]))) {
      const space = position.indexOf(' ');
      rooms[room] = { epoch: position.slice(0, space), offset: Number(position.slice(space + 1)) };
    }
    return {
      id,
      tokenHash: fields.tokenHash,
      remoteAddress: fields.remoteAddress,
      createdAt: Number(fields.createdAt),
      lastSeen: Number(fields.lastSeen),
      rooms,
      cseq: Number(fields.cseq),
      seq: Number(fields.seq),
      receipted: Number(fields.receipted),
      data: fields.data === undefined ? null : (JSON.parse(fields.data) as Record<string, unknown>),
    };
  }

  async touch(id: string, lastSeen: number): Promise<boolean> {
    return (await this.#run(update, id, [this.#ttl, this.origin, 'touch', String(lastSeen)])) === 1;
  }

  async join(id: string, room: string, position: StreamPosition): Promise<void> {
    await this.#run(update, id, [this.#ttl, this.origin, 'join', room, `${position.epoch} ${position.offset}`]);
  }

  async leave(id: string, room: string): Promise<void> {
    await this.#run(update, id, [this.#ttl, this.origin, 'leave', room]);
  }

  async setData(id: string, data: Readonly<Record<string, unknown>> | null): Promise<void> {
    await this.#run(update, id, [this.#ttl, this.origin, 'data', data === null ? '' : JSON.stringify(data)]);
  }

  async commit(id: string, change: SessionChange): Promise<CommitResult> {
    // Data: '' unchanged, '-' none, else its JSON.
    const data = change.data === undefined ? '' : change.data === null ? '-' : JSON.stringify(change.data);
    const reply = (await this.#run(commit, id, [this.#ttl, change.cseq === undefined ? '' : String(change.cseq), data, ...change.packets])) as (string | number)[];
    if (reply[0] !== 'ok') return { ok: false, reason: reply[0] as 'duplicate' | 'gap' | 'missing' };
    return { ok: true, seqs: reply.slice(1).map(Number) };
  }

  async since(id: string, seq: number): Promise<OwnPacket[] | null> {
    const reply = (await this.#run(since, id, [String(seq)])) as string[] | null;
    if (reply === null) return null;
    const packets: OwnPacket[] = [];
    for (let i = 1; i < reply.length; i += 2) packets.push({ seq: Number(String(reply[i]).slice(2)), body: String(reply[i + 1]) });
    return packets;
  }

  async watch(id: string, listener: SessionWatcher): Promise<() => void> {
    await this.#redis.ready();
    // A subscription would wait for Redis to come back (it is what the subscriber restores): a
    // request for a session must rather fail at once, and be retried.
    if (!this.#redis.subscriber.isReady) throw new Error('Redis is not reachable (subscriber reconnecting)');
    const channel = sessionKeys(this.#prefix, id)[3];
    const heard = (message: string) => listener(parseCommitted(message));
    await this.#redis.subscriber.sSubscribe(channel, heard);
    return () => {
      this.#redis.subscriber.sUnsubscribe(channel, heard).catch(() => {});
    };
  }

  async receipt(id: string, seq: number): Promise<void> {
    await this.#run(receipt, id, [this.#ttl, String(seq)]);
  }

  async remove(id: string): Promise<void> {
    await this.#redis.ready();
    await this.#redis.commands.del(sessionKeys(this.#prefix, id).slice(0, 3));
  }

  async close(): Promise<void> {
    await this.#redis.close();
  }

  async #run(script: Script, id: string, args: string[]): Promise<unknown> {
    await this.#redis.ready();
    return await script.run(this.#redis.commands, sessionKeys(this.#prefix, id), args);
  }
}

function parseCommitted(message: string): CommittedChange {
  const { c, p, d, j, l, o } = JSON.parse(message) as { c: number; p: [number, string][] | Record<string, never>; d?: string; j?: [string, string]; l?: string; o?: string };
  const packets = Array.isArray(p) ? p.map(([seq, body]) => ({ seq, body })) : [];
  if (j !== undefined) {
    const space = j[1].indexOf(' ');
    return { cseq: c, packets, joined: { room: j[0], position: { epoch: j[1].slice(0, space), offset: Number(j[1].slice(space + 1)) } }, origin: o };
  }
  if (l !== undefined) return { cseq: c, packets, left: l, origin: o };
  if (d === undefined) return { cseq: c, packets };
  return { cseq: c, packets, data: d === '-' ? null : (JSON.parse(d) as Record<string, unknown>) };
}

/** HGETALL's flat reply as an object. */
function pairs(flat: readonly string[]): Record<string, string> {
  const object: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) object[String(flat[i])] = String(flat[i + 1]);
  return object;
}
