/** What a decoder gives back: the value, or why the input is not valid. Decoders never throw. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

export function decoded<T>(value: T): Decoded<T> {
  return { ok: true, value };
}

export function invalid<T = never>(error: string): Decoded<T> {
  return { ok: false, error };
}
