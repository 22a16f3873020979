import { randomBytes } from 'node:crypto';
import type { Broker, BrokerEntry, ChannelListener, History, HistoryLimits, PositionedEntry, StreamPosition } from './broker.js';
import { DEFAULT_HISTORY_LIMITS } from './broker.js';

interface Kept extends PositionedEntry {
  readonly time: number;
}

class Channel {
  readonly epoch = randomBytes(6).toString('base64url');
  readonly listeners = new Set<ChannelListener>();
  entries: Kept[] = [];
  head = 0;
  bytes = 0;
  lastOffset = 0;
  /** Every offset at or below it was trimmed (or never kept): history since below it is a gap. */
  floor = 0;

  get count(): number {
    return this.entries.length - this.head;
  }

  dropOldest(): void {
    const oldest = this.entries[this.head++];
    this.bytes -= oldest.entry.size;
    this.floor = oldest.offset;
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}

/**
 * The broker inside one process: publishing tells the subscribers synchronously (so a broadcast
 * keeps its place among the direct emits made around it). A channel with no subscribers left is
 * forgotten, history and epoch with it: nobody on this process can resume from it.
 */
export class MemoryBroker implements Broker {
  readonly #channels = new Map<string, Channel>();
  readonly #limits: HistoryLimits;
  readonly #now: () => number;
  /** Trims quiet channels by age: publishing and reading trim only the channel they touch. */
  readonly #sweeper: NodeJS.Timeout;

  constructor(options: { limits?: Partial<HistoryLimits>; now?: () => number } = {}) {
    this.#limits = { ...DEFAULT_HISTORY_LIMITS, ...options.limits };
    this.#now = options.now ?? Date.now;
    this.#sweeper = setInterval(() => {
      const now = this.#now();
      for (const state of this.#channels.values()) this.#trim(state, now);
    }, Math.max(100, Math.min(this.#limits.age, 1000)));
    this.#sweeper.unref();
  }

  get limits(): HistoryLimits {
    return this.#limits;
  }

  async publish(channel: string, entry: BrokerEntry): Promise<StreamPosition> {
    return this.publishNow(channel, entry);
  }

  /** `publish` without the promise, for callers in this process. */
  publishNow(channel: string, entry: BrokerEntry): StreamPosition {
    const state = this.#channel(channel);
    const offset = ++state.lastOffset;
    const now = this.#now();
    // Volatile entries take an offset but are never kept: missing one is no gap.
    if (!entry.volatile) {
      state.entries.push({ offset, entry, time: now });
      state.bytes += entry.size;
    }
    this.#trim(state, now);
    const position = { epoch: state.epoch, offset };
    for (const listener of state.listeners) listener(position, entry);
    // Nobody subscribes: nobody could ever replay it, so the channel is not kept.
    if (state.listeners.size === 0) this.#channels.delete(channel);
    return position;
  }

  async history(channel: string, since: StreamPosition): Promise<History> {
    const state = this.#channels.get(channel);
    if (!state || state.epoch !== since.epoch) return { ok: false, reason: 'epoch' };
    this.#trim(state, this.#now());
    if (since.offset > state.lastOffset || since.offset < state.floor) return { ok: false, reason: 'gap' };
    const entries: PositionedEntry[] = [];
    for (let i = state.head; i < state.entries.length; i++) {
      const kept = state.entries[i];
      if (kept.offset > since.offset) entries.push({ offset: kept.offset, entry: kept.entry });
    }
    return { ok: true, epoch: state.epoch, entries };
  }

  async head(channel: string): Promise<StreamPosition> {
    return this.headNow(channel);
  }

  headNow(channel: string): StreamPosition {
    const state = this.#channel(channel);
    return { epoch: state.epoch, offset: state.lastOffset };
  }

  subscribe(channel: string, listener: ChannelListener): () => void {
    const state = this.#channel(channel);
    state.listeners.add(listener);
    return () => {
      state.listeners.delete(listener);
      if (state.listeners.size === 0 && this.#channels.get(channel) === state) this.#channels.delete(channel);
    };
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    this.#channels.clear();
  }

  #channel(channel: string): Channel {
    let state = this.#channels.get(channel);
    if (!state) this.#channels.set(channel, (state = new Channel()));
    return state;
  }

  #trim(state: Channel, now: number): void {
    const limits = this.#limits;
    while (state.count > 0 && (state.count > limits.count || state.bytes > limits.bytes || now - state.entries[state.head].time > limits.age)) {
      state.dropOldest();
    }
  }
}
