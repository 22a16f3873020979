// eslint-disable-next-line @typescript-eslint/no-explicit-any -- listeners take what the app declared
export type AnyListener = (...args: any[]) => unknown;

/** Calls a listener; a throw or a rejected promise goes to `onError` instead of up the stack. */
export function invokeListener(listener: AnyListener, thisArg: unknown, args: readonly unknown[], onError: (error: unknown) => void): void {
  try {
    const result = listener.apply(thisArg, args as unknown[]);
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      (result as PromiseLike<unknown>).then(undefined, onError);
    }
  } catch (error) {
    onError(error);
  }
}

/**
 * Runs middlewares `(subject, next)` in order: each calls `next()` to pass the subject on, or
 * `next(error)` to stop with that error; one that throws (or rejects) before calling `next` stops
 * the chain with what it threw, and a throw after `next` only goes to `reportError`. `done` is
 * called once, with the error that stopped the chain or none.
 */
export function runMiddlewares<E extends Error>(middlewares: readonly AnyListener[], thisArg: unknown, subject: unknown, done: (error?: E | Error) => void, reportError: (error: unknown) => void): void {
  const chain = [...middlewares];
  const step = (index: number): void => {
    if (index === chain.length) return done();
    let called = false;
    invokeListener(
      chain[index],
      thisArg,
      [
        subject,
        (error?: E) => {
          if (called) return;
          called = true;
          if (error) done(error);
          else step(index + 1);
        },
      ],
      (thrown) => {
        if (called) return reportError(thrown);
        called = true;
        done(thrown instanceof Error ? thrown : new Error(String(thrown)));
      },
    );
  };
  step(0);
}

interface Entry {
  listener: AnyListener;
  once: boolean;
}

/**
 * Named listeners, called in order, each guarded (an app's throwing handler is reported, and the
 * others still run): what node's EventEmitter does, minus letting one handler crash the server.
 */
export class Listeners {
  readonly #byName = new Map<string, Entry[]>();

  add(name: string, listener: AnyListener, once = false): void {
    const entries = this.#byName.get(name);
    if (entries) entries.push({ listener, once });
    else this.#byName.set(name, [{ listener, once }]);
  }

  remove(name?: string, listener?: AnyListener): void {
    if (name === undefined) return this.#byName.clear();
    if (listener === undefined) {
      this.#byName.delete(name);
      return;
    }
    const entries = this.#byName.get(name);
    if (!entries) return;
    const index = entries.findIndex((entry) => entry.listener === listener);
    if (index !== -1) entries.splice(index, 1);
    if (entries.length === 0) this.#byName.delete(name);
  }

  count(name: string): number {
    return this.#byName.get(name)?.length ?? 0;
  }

  list(name: string): AnyListener[] {
    return (this.#byName.get(name) ?? []).map((entry) => entry.listener);
  }

  /** Calls the listeners of `name`; false when there were none. */
  emit(name: string, thisArg: unknown, args: readonly unknown[], onError: (error: unknown) => void): boolean {
    const entries = this.#byName.get(name);
    if (!entries || entries.length === 0) return false;
    for (const entry of [...entries]) {
      if (entry.once) this.remove(name, entry.listener);
      invokeListener(entry.listener, thisArg, args, onError);
    }
    return true;
  }
}
