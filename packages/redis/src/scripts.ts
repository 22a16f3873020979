import { createHash } from 'node:crypto';
import type { RedisClientType } from 'redis';

export type Client = RedisClientType;

/** A Lua script sent once per Redis run: by its SHA1, and in full when Redis does not know it (yet, or after a restart). */
export class Script {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: Client, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await client.sendCommand(['EVALSHA', this.#sha, ...tail]);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return await client.sendCommand(['EVAL', this.#source, ...tail]);
    }
  }
}
