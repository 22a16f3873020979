/** Reads one parameter of a query string. */
export interface QueryReader {
  get(name: string): string | null;
}

const EMPTY: QueryReader = { get: () => null };

/**
 * The query of a request target (after `?`, before any `#`) as `URLSearchParams` reads it. Every
 * poll and POST reads one: a query without `%` or `+` (what baro's clients send: ids, tokens and
 * numbers in base64url and digits) decodes to itself, so it is read in place; any other goes to
 * `URLSearchParams`, which decodes it.
 */
export function readQuery(target: string): QueryReader {
  const hash = target.indexOf('#');
  const end = hash === -1 ? target.length : hash;
  const start = target.indexOf('?');
  if (start === -1 || start > end) return EMPTY;
  const query = target.slice(start + 1, end);
  if (query.includes('%') || query.includes('+')) return new URLSearchParams(query);
  return new PlainQuery(query);
}

/** A query with nothing to decode: `get` finds the first pair by that name, as URLSearchParams does. */
class PlainQuery implements QueryReader {
  readonly #query: string;

  constructor(query: string) {
    this.#query = query;
  }

  get(name: string): string | null {
    const query = this.#query;
    let from = 0;
    while (from < query.length) {
      let amp = query.indexOf('&', from);
      if (amp === -1) amp = query.length;
      // The first `=` within the pair, looked for within it only: one pass over the query per `get`.
      let nameEnd = from;
      while (nameEnd < amp && query.charCodeAt(nameEnd) !== 0x3d) nameEnd++;
      // An empty pair (`&&`) is no parameter, not one with an empty name.
      if (amp > from && nameEnd - from === name.length && query.startsWith(name, from)) return nameEnd === amp ? '' : query.slice(nameEnd + 1, amp);
      from = amp + 1;
    }
    return null;
  }
}
