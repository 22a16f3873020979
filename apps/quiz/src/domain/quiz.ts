/** Quiz model: pure types and answer checking. No I/O. */

export type QuizMode = 'cotato' | 'speed';

export interface ChoiceQuestion {
  kind: 'choice';
  text: string;
  options: string[];
  /** Indexes (0-based) of the correct options; picking any one of them is correct. */
  correct: number[];
  /** Optional countdown once the question opens, in milliseconds. */
  timeLimitMs?: number;
  /** The question's picture (an image id, see image-type.ts). */
  image?: string;
  /** Each option's picture (an image id) or null; as long as `options` when present. */
  optionImages?: (string | null)[];
}

export interface ShortQuestion {
  kind: 'short';
  text: string;
  /** Accepted spellings/keywords, compared after `normalizeAnswer`. */
  accepted: string[];
  timeLimitMs?: number;
  image?: string;
}

export type Question = ChoiceQuestion | ShortQuestion;

/**
 * How a question's answers are ordered (README: "Ranking rules"). `arrival`: by ticket, the
 * server's arrival order. `reaction`: by each player's reaction time, measured on their device
 * from their button turning on and checked by the server; ties by ticket.
 */
export type RankingRule = 'arrival' | 'reaction';

export interface Quiz {
  title: string;
  mode: QuizMode;
  /** Answers one player may have accepted per question (cotato retries). Default `DEFAULT_MAX_ATTEMPTS`. */
  maxAttempts?: number;
  questions: Question[];
  /** Default 'arrival'. */
  ranking?: RankingRule;
  /** After a false start (an answer before answers open), the player waits this long after the open. Default 1000 ms. */
  falseStartPenaltyMs?: number;
}

export const DEFAULT_FALSE_START_PENALTY_MS = 1000;

/** The quiz's ranking rule, its default filled in. */
export function rankingRuleOf(quiz: Pick<Quiz, 'ranking'>): RankingRule {
  return quiz.ranking ?? 'arrival';
}

/** Cotato retries per player and question when the quiz does not say: each one is stored and pushed. */
export const DEFAULT_MAX_ATTEMPTS = 20;

/** A player's answer: an option index for choice questions, free text for short ones. */
export type Answer = number | string;

/**
 * Normalise a short answer for comparison: Unicode NFKC (full-width → ASCII, ligatures…),
 * case-folded (lower case), and every kind of white space removed, so "New  York",
 * "new york" and "ＮＥＷＹＯＲＫ" are all "newyork".
 */
export function normalizeAnswer(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\s\p{Z}]+/gu, '');
}

/**
 * Whether `answer` is correct for `question`. `extraAccepted` holds short-answer spellings added by
 * a regrade. An answer that normalises to the empty string is never correct.
 */
export function isCorrect(question: Question, answer: Answer, extraAccepted: readonly string[] = []): boolean {
  if (question.kind === 'choice') {
    return typeof answer === 'number' && Number.isInteger(answer) && question.correct.includes(answer);
  }
  if (typeof answer !== 'string') return false;
  const given = normalizeAnswer(answer);
  if (given === '') return false;
  for (const accepted of [...question.accepted, ...extraAccepted]) {
    if (normalizeAnswer(accepted) === given) return true;
  }
  return false;
}

/** The longest text answer a player may send, in UTF-16 code units. */
export const ANSWER_MAX_LENGTH = 200;

/** Whether `answer` has the right shape for `question` (index in range / bounded text). */
export function isWellFormedAnswer(question: Question, answer: unknown, maxTextLength = ANSWER_MAX_LENGTH): answer is Answer {
  if (question.kind === 'choice') {
    return typeof answer === 'number' && Number.isInteger(answer) && answer >= 0 && answer < question.options.length;
  }
  return typeof answer === 'string' && answer.length <= maxTextLength;
}
