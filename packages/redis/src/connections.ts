import { createClient } from 'redis';
import type { Client } from './scripts.js';

/** How long a closing client may take to finish what it was sent before it is dropped. */
const CLOSE_GRACE_MS = 2000;

export interface ConnectionOptions {
  /** `redis://host:port`; default `redis://127.0.0.1:6379`. */
  url?: string;
  /** How long the first calls wait for the first connection before failing, in ms. Default 5 s. */
  connectTimeout?: number;
  /** Connection errors (Redis unreachable, reconnecting). Connections reconnect by themselves. */
  onError?: (error: Error) => void;
}

interface ConnectionsOptions extends ConnectionOptions {
  /** Whether a subscriber connection is made. Default true. */
  subscriber?: boolean;
}

/**
 * A node's two connections to Redis: one for commands, one for subscriptions (a subscribed
 * connection can do nothing else). Both reconnect by themselves; the subscriber subscribes again
 * to what it had. Commands fail at once while Redis is away rather than queue without bound; only
 * the very first ones wait (bounded) for the first connection.
 */
export class Connections {
  readonly commands: Client;
  readonly #subscriber: Client | null;
  readonly #connected: Promise<unknown>;
  readonly #connectTimeout: number;
  readonly #url: string;
  #everReady = false;

  constructor(options: ConnectionsOptions) {
    const onError = options.onError ?? (() => {});
    this.#url = options.url ?? 'redis://127.0.0.1:6379';
    this.#connectTimeout = options.connectTimeout ?? 5000;
    this.commands = createClient({ url: this.#url, disableOfflineQueue: true }) as Client;
    // Subscriptions made while away wait for the connection: they are what it restores.
    this.#subscriber = options.subscriber === false ? null : (this.commands.duplicate({ disableOfflineQueue: false }) as Client);
    for (const client of this.#clients()) client.on('error', (error: Error) => onError(error));
    this.#connected = Promise.all(this.#clients().map((client) => client.connect())).then(() => (this.#everReady = true));
    this.#connected.catch(() => {});
  }

  get subscriber(): Client {
    if (this.#subscriber === null) throw new Error('these connections were made without a subscriber');
    return this.#subscriber;
  }

  /** Resolves at once after the first connection; before it, waits for it up to `connectTimeout`. */
  async ready(): Promise<void> {
    if (this.#everReady) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis at ${this.#url} not reachable within ${this.#connectTimeout} ms`)), this.#connectTimeout);
    });
    try {
      await Promise.race([this.#connected, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    // A ready client finishes what it was sent, for a while (Redis may go away meanwhile); one
    // still (re)connecting has nothing to finish.
    await Promise.allSettled(
      this.#clients().map(async (client) => {
        if (!client.isReady) {
          if (client.isOpen) client.destroy();
          return;
        }
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), CLOSE_GRACE_MS)));
        const outcome = await Promise.race([client.close().then(() => 'closed' as const), late]).finally(() => clearTimeout(timer));
        if (outcome === 'late' && client.isOpen) client.destroy();
      }),
    );
  }

  #clients(): Client[] {
    return this.#subscriber === null ? [this.commands] : [this.commands, this.#subscriber];
  }
}
