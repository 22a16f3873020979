import type { BaroClient } from '../client.js';
import type { EventContract, StateEvent } from '../types.js';

/** Polls `predicate` every 5 ms until it holds; fails after `timeout` ms with `what`. */
export async function waitFor(predicate: () => boolean, what: string, timeout = 5000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Resolves with the next state event of `type` (bounded by `timeout`). */
export function nextState<T extends StateEvent['type']>(
  client: BaroClient<EventContract>,
  type: T,
  timeout = 5000,
): Promise<Extract<StateEvent, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`timed out after ${timeout} ms waiting for the "${type}" state event`));
    }, timeout);
    const stop = client.onState((event) => {
      if (event.type !== type) return;
      clearTimeout(timer);
      stop();
      resolve(event as Extract<StateEvent, { type: T }>);
    });
  });
}

/** Records every state event of a client. */
export function recordStates(client: BaroClient<EventContract>): StateEvent[] {
  const events: StateEvent[] = [];
  client.onState((event) => events.push(event));
  return events;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
