import { randomBytes } from 'node:crypto';
import { DEFAULT_HISTORY_LIMITS, type Broker, type BrokerEntry, type ChannelListener, type History, type HistoryLimits, type PositionedEntry, type StreamPosition } from 'baro';
import { channelKeys, HEAD_SCRIPT, HISTORY_SCRIPT, PUBLISH_SCRIPT } from './broker-scripts.js';
import { Connections, type ConnectionOptions } from './connections.js';
import { Script } from './scripts.js';

export interface RedisBrokerOptions extends ConnectionOptions {
  /** Prepended to every key and shard channel, to share one Redis between deployments. Default `baro:`. */
  prefix?: string;
  limits?: Partial<HistoryLimits>;
  /** The clock of the age bound (entry times are this node's, so nodes' clocks should agree). */
  now?: () => number;
  /**
   * A channel nobody published on or asked about for this long (ms) is forgotten, epoch with it:
   * a position on it then resumes as `epoch` (a resync), never as nothing missing. Default 1 hour.
   */
  idleTtl?: number;
}

interface Waiter {
  readonly position: StreamPosition;
  readonly resolve: () => void;
}

interface Heard {
  epoch: string;
  offset: number;
  readonly waiters: Set<Waiter>;
}

/** How long a publish waits for this node's own subscribers to hear it. */
const HEARD_TIMEOUT_MS = 2000;

const publishScript = new Script(PUBLISH_SCRIPT);
const historyScript = new Script(HISTORY_SCRIPT);
const headScript = new Script(HEAD_SCRIPT);

const newEpoch = () => randomBytes(6).toString('base64url');
/** How long `close` waits for subscription changes in flight before it drops the connections. */
const CLOSE_WAIT_MS = 1000;

/** Resolves when every promise settled, or after `ms`, whichever comes first. */
function settledWithin(promises: Promise<unknown>[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([Promise.allSettled(promises).then(() => {}), deadline]).finally(() => clearTimeout(timer));
}

/**
 * The broker on Redis, shared by every node: each channel is a Redis stream holding its bounded
 * history (count, bytes and age) plus a hash with its epoch and offsets, and live entries travel
 * on a shard channel (SPUBLISH/SSUBSCRIBE), all three under one hash tag so the channel lives in
 * one Cluster slot. A publish is one script (offset, append, trim, live message), so every node
 * sees one order. Redis keeps no epoch across a restart without persistence, so a restart (or a
 * flush) starts every channel in a new epoch: older positions are answered `epoch`, never reused.
 *
 * Two connections per node (`Connections`): one for commands, one for subscriptions.
 */
export class RedisBroker implements Broker {
  readonly #redis: Connections;
  readonly #prefix: string;
  readonly #limits: HistoryLimits;
  readonly #now: () => number;
  readonly #idleTtl: number;
  readonly #listeners = new Map<string, Set<ChannelListener>>();
  /** Per subscribed channel: the last position heard live, and this node's publishes waiting to be heard. */
  readonly #heard = new Map<string, Heard>();
  /** Subscriptions on their way to Redis: a publish from this node waits for them, so a subscribe made before it hears it. */
  readonly #subscribing = new Set<Promise<unknown>>();
  #closed = false;

  constructor(options: RedisBrokerOptions = {}) {
    this.#prefix = options.prefix ?? 'baro:';
    this.#limits = { ...DEFAULT_HISTORY_LIMITS, ...options.limits };
    this.#now = options.now ?? Date.now;
    this.#idleTtl = options.idleTtl ?? 3_600_000;
    this.#redis = new Connections(options);
  }

  get limits(): HistoryLimits {
    return this.#limits;
  }

  async publish(channel: string, entry: BrokerEntry): Promise<StreamPosition> {
    await this.#redis.ready();
    // While the subscriber is away its subscriptions wait for it: a publish does not.
    if (this.#subscribing.size > 0 && this.#redis.subscriber.isReady) await Promise.allSettled([...this.#subscribing]);
    const keys = channelKeys(this.#prefix, channel);
    const limits = this.#limits;
    const reply = (await publishScript.run(this.#redis.commands, [keys.meta, keys.log, keys.live], [
      newEpoch(),
      String(this.#now()),
      JSON.stringify(entry),
      String(entry.size),
      entry.volatile ? '1' : '0',
      String(limits.count),
      String(limits.bytes),
      String(limits.age),
      String(this.#idleTtl),
    ])) as [string, number];
    const position = { epoch: String(reply[0]), offset: Number(reply[1]) };
    await this.#heardHere(channel, position);
    return position;
  }

  async history(channel: string, since: StreamPosition): Promise<History> {
    await this.#redis.ready();
    const keys = channelKeys(this.#prefix, channel);
    const limits = this.#limits;
    const reply = (await historyScript.run(this.#redis.commands, [keys.meta, keys.log], [
      since.epoch,
      String(since.offset),
      String(this.#now()),
      String(limits.count),
      String(limits.bytes),
      String(limits.age),
    ])) as string[];
    if (reply[0] !== 'ok') return { ok: false, reason: reply[0] === 'gap' ? 'gap' : 'epoch' };
    const entries: PositionedEntry[] = [];
    for (let i = 2; i < reply.length; i += 2) {
      entries.push({ offset: Number(String(reply[i]).slice(2)), entry: JSON.parse(String(reply[i + 1])) as BrokerEntry });
    }
    return { ok: true, epoch: String(reply[1]), entries };
  }

  async head(channel: string): Promise<StreamPosition> {
    await this.#redis.ready();
    const keys = channelKeys(this.#prefix, channel);
    const reply = (await headScript.run(this.#redis.commands, [keys.meta, keys.log], [newEpoch(), String(this.#idleTtl)])) as [string, number];
    return { epoch: String(reply[0]), offset: Number(reply[1]) };
  }

  subscribe(channel: string, listener: ChannelListener): () => void {
    let listeners = this.#listeners.get(channel);
    if (!listeners) {
      this.#listeners.set(channel, (listeners = new Set()));
      this.#heard.set(channel, { epoch: '', offset: 0, waiters: new Set() });
      this.#track(this.#redis.ready().then(() => this.#redis.subscriber.sSubscribe(channelKeys(this.#prefix, channel).live, (message) => this.#hear(channel, message))));
    }
    listeners.add(listener);
    return () => {
      if (!listeners.delete(listener) || listeners.size > 0 || this.#listeners.get(channel) !== listeners) return;
      this.#listeners.delete(channel);
      this.#forget(channel);
      if (!this.#closed) this.#track(this.#redis.ready().then(() => this.#redis.subscriber.sUnsubscribe(channelKeys(this.#prefix, channel).live)));
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    for (const channel of [...this.#heard.keys()]) this.#forget(channel);
    // Subscription changes wait for the subscriber's connection; with Redis away that may be never.
    await settledWithin([...this.#subscribing], CLOSE_WAIT_MS);
    await this.#redis.close();
  }

  /**
   * Resolves once this node's subscribers of the channel heard the position, as with the in-process
   * broker: what a node does after publishing comes after its own members got the entry. Bounded,
   * because a live message can be lost while the subscriber reconnects.
   */
  #heardHere(channel: string, position: StreamPosition): Promise<void> {
    const heard = this.#heard.get(channel);
    if (!heard || this.#closed) return Promise.resolve();
    if (heard.epoch === position.epoch && heard.offset >= position.offset) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter: Waiter = { position, resolve: () => (clearTimeout(timer), heard.waiters.delete(waiter), resolve()) };
      const timer = setTimeout(waiter.resolve, HEARD_TIMEOUT_MS);
      heard.waiters.add(waiter);
    });
  }

  #track(operation: Promise<unknown>): void {
    const settled = operation.catch(() => {}).finally(() => this.#subscribing.delete(settled));
    this.#subscribing.add(settled);
  }

  /** A live message: `<epoch> <offset> <JSON>`. */
  #hear(channel: string, message: string): void {
    const listeners = this.#listeners.get(channel);
    if (!listeners) return;
    const first = message.indexOf(' ');
    const second = message.indexOf(' ', first + 1);
    const position = { epoch: message.slice(0, first), offset: Number(message.slice(first + 1, second)) };
    const entry = JSON.parse(message.slice(second + 1)) as BrokerEntry;
    for (const listener of listeners) listener(position, entry);
    const heard = this.#heard.get(channel);
    if (!heard) return;
    heard.epoch = position.epoch;
    heard.offset = position.offset;
    for (const waiter of heard.waiters) {
      // A position of another epoch will never be heard: the channel started again.
      if (waiter.position.epoch !== position.epoch || waiter.position.offset <= position.offset) waiter.resolve();
    }
  }

  #forget(channel: string): void {
    const heard = this.#heard.get(channel);
    this.#heard.delete(channel);
    if (heard) for (const waiter of heard.waiters) waiter.resolve();
  }
}
