/**
 * Bounded waiting for real-socket tests: every wait has a deadline and says what it waited for, so a
 * hung server fails one test with a readable message instead of stalling the run.
 */
import type { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

/** `promise`, or a rejection naming `what` after `ms` milliseconds. The timer never outlives it. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  const result = Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
  // A wait a failing test never got to await must not surface later as an unhandled rejection;
  // awaiting `result` still throws.
  result.catch(() => {});
  return result;
}

/** The arguments of the next `event` on a Node emitter, within `ms`. Rejects on 'error' only if asked. */
export function nextEvent<Args extends unknown[] = unknown[]>(
  emitter: EventEmitter,
  event: string,
  ms: number,
  what = `'${event}'`,
): Promise<Args> {
  let listener!: (...args: unknown[]) => void;
  const promise = new Promise<Args>((resolve) => {
    listener = (...args: unknown[]) => resolve(args as Args);
    emitter.once(event, listener);
  });
  return withTimeout(promise, ms, what).finally(() => emitter.off(event, listener));
}

/** The next `type` event of an EventTarget (the baro client), within `ms`. */
export function nextDomEvent<E extends Event = Event>(target: EventTarget, type: string, ms: number, what = `'${type}' event`): Promise<E> {
  let listener!: (event: Event) => void;
  const promise = new Promise<E>((resolve) => {
    listener = (event: Event) => resolve(event as E);
    target.addEventListener(type, listener, { once: true });
  });
  return withTimeout(promise, ms, what).finally(() => target.removeEventListener(type, listener));
}

/** Polls `condition` every few ms until it holds, or fails after `ms`. */
export async function until(condition: () => boolean, ms: number, what: string, every = 5): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting until ${what}`);
    await sleep(every);
  }
}
