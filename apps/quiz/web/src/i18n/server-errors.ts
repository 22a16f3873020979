/**
 * The server answers a refused join in English sentences (its protocol carries no codes for them);
 * a player reads them in their language. Unknown sentences are shown as they came.
 */
import type { Messages } from './en.ts';

const PATTERNS: [RegExp, (t: Messages, match: RegExpMatchArray) => string][] = [
  [/nickname "(.*)" is taken/, (t, m) => t.errors.nicknameTaken(m[1])],
  [/nickname is longer than (\d+)/, (t, m) => t.errors.tooLong(Number(m[1]))],
  [/nickname may only contain/, (t) => t.errors.nicknameInvalid],
  [/nickname is not allowed/, (t) => t.errors.nicknameBlocked],
  [/quiz is full/, (t) => t.errors.full],
  [/quiz is over/, (t) => t.errors.over],
  [/closed this quiz to new players/, (t) => t.errors.locked],
  [/removed by the host|banned/, (t) => t.errors.kicked],
  [/no quiz has this code/, (t) => t.errors.noCode],
  [/seat was opened on another page/, (t) => t.errors.seatTaken],
  [/too many (?:joins|unknown join codes) from (?:your network|this address): try again in (\d+) s/, (t, m) => t.errors.tooManyJoins(Number(m[1]))],
  [/could not|try again/, (t) => t.errors.generic],
];

export function translateServerError(t: Messages, message: string): string {
  for (const [pattern, render] of PATTERNS) {
    const match = message.match(pattern);
    if (match) return render(t, match);
  }
  return message;
}
