import type { ReconnectOptions } from './types.js';

export const DEFAULT_RECONNECT: ReconnectOptions = { initialDelay: 500, maxDelay: 10_000, factor: 2, jitter: 0.5 };

/**
 * Delay before reconnect attempt `attempt` (1, 2, …): exponential growth capped at `maxDelay`,
 * then a random share up to `jitter` taken off so that clients dropped together spread out.
 */
export function backoff(attempt: number, options: ReconnectOptions, random: () => number = Math.random): number {
  const base = Math.min(options.maxDelay, options.initialDelay * options.factor ** (attempt - 1));
  return Math.round(base * (1 - options.jitter * random()));
}
