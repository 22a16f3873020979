/**
 * An optional list of words a nickname may not contain (a club's own list: no list is built in).
 * Pure. Matching ignores case, width, spaces and punctuation, so "B.a d", "ｂａｄ" and "bad" are the
 * same, and works for any script (Korean words included).
 */
export class NicknameFilter {
  readonly #words: string[];

  constructor(words: readonly string[]) {
    this.#words = [...new Set(words.map(fold).filter((word) => word.length > 0))];
  }

  get size(): number {
    return this.#words.length;
  }

  /** Whether `nickname` contains one of the words. */
  blocks(nickname: string): boolean {
    if (this.#words.length === 0) return false;
    const folded = fold(nickname);
    return this.#words.some((word) => folded.includes(word));
  }
}

/** A word list file: one word a line; empty lines and lines starting with `#` are skipped. */
export function parseWordList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** NFKC, lower case, only letters and digits left. */
function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}
