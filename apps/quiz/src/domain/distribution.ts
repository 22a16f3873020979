/**
 * How the room answered one question, for the chart shown after it closes. Pure.
 *
 * Each player counts once, with their first answer: in cotato mode a player retries until right,
 * so their last answers would mostly be the correct one and hide what the room first thought.
 */
import { normalizeAnswer, type Question } from './quiz.js';
import type { SubmissionRecord } from './live-session.js';

export type AnswerDistribution =
  /** `counts[i]`: players whose first answer was option i. */
  | { kind: 'choice'; counts: number[]; answered: number }
  /** The most frequent first answers (grouped as they are graded: case and spaces ignored), then how many gave another. */
  | { kind: 'short'; top: { answer: string; count: number; correct: boolean }[]; others: number; answered: number };

/** How many distinct short answers a chart lists. */
export const DISTRIBUTION_TOP = 5;

export function answerDistribution(question: Question, submissions: Iterable<Pick<SubmissionRecord, 'playerId' | 'answer' | 'ticket' | 'correct'>>): AnswerDistribution {
  const first = new Map<string, { answer: number | string; ticket: number; correct: boolean }>();
  for (const sub of submissions) {
    const seen = first.get(sub.playerId);
    if (!seen || sub.ticket < seen.ticket) first.set(sub.playerId, sub);
  }
  if (question.kind === 'choice') {
    const counts = question.options.map(() => 0);
    for (const { answer } of first.values()) if (typeof answer === 'number' && answer >= 0 && answer < counts.length) counts[answer]++;
    return { kind: 'choice', counts, answered: first.size };
  }
  const groups = new Map<string, { answer: string; count: number; correct: boolean }>();
  for (const { answer, correct } of first.values()) {
    const text = String(answer).trim();
    const key = normalizeAnswer(text);
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { answer: text, count: 1, correct });
  }
  const sorted = [...groups.values()].sort((a, b) => b.count - a.count || a.answer.localeCompare(b.answer));
  const top = sorted.slice(0, DISTRIBUTION_TOP);
  const others = sorted.slice(DISTRIBUTION_TOP).reduce((sum, group) => sum + group.count, 0);
  return { kind: 'short', top, others, answered: first.size };
}
