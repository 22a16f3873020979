import { useEffect, useState } from 'preact/hooks';

/** A value that changes outside of rendering (a live session), for components to follow with `useStore`. */
export class Store<T extends object> {
  #value: T;
  readonly #listeners = new Set<(value: T) => void>();

  constructor(value: T) {
    this.#value = value;
  }

  get value(): T {
    return this.#value;
  }

  subscribe(listener: (value: T) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  protected update(patch: Partial<T>): void {
    this.#value = { ...this.#value, ...patch };
    for (const listener of [...this.#listeners]) listener(this.#value);
  }
}

export function useStore<T extends object>(store: Store<T>): T {
  const [value, setValue] = useState(store.value);
  useEffect(() => {
    // It may have changed between the render and this effect.
    setValue(() => store.value);
    return store.subscribe((next) => setValue(() => next));
  }, [store]);
  return value;
}
