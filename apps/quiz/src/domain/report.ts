/**
 * The CSV exports a host opens in a spreadsheet: UTF-8 with a byte order mark (so Excel reads
 * Korean), ISO 8601 times, the question's text, and options as people count them (1, 2, 3…) with
 * their text. Pure: the caller passes the records.
 */
import { toCsv, type CsvValue } from './csv.js';
import type { LiveSession } from './live-session.js';
import type { Answer, Quiz } from './quiz.js';

/** Excel takes a CSV for the local code page unless it starts with this. */
export const UTF8_BOM = '\uFEFF';

export interface ReportSubmission {
  ticket: number;
  playerId: string;
  questionIndex: number;
  answer: Answer;
  receivedAt: number;
  correct: boolean;
  /** The reaction time the server accepted (fairness.ts), and why it was capped or not used. */
  reactionMs?: number;
  reactionFlag?: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** An answer as a reader would say it: "2. Paris" for an option, the text for a short answer. */
export function answerLabel(quiz: Quiz, questionIndex: number, answer: Answer): string {
  const question = quiz.questions[questionIndex];
  if (question?.kind === 'choice' && typeof answer === 'number') return `${answer + 1}. ${question.options[answer] ?? ''}`;
  return String(answer);
}

/**
 * Every stored answer in the server's order. `removed`: players the host removed, whose answers no
 * longer count in the game but are kept here (marked).
 */
export function submissionsReport(quiz: Quiz, players: readonly { id: string; nickname: string }[], submissions: readonly ReportSubmission[], removed: ReadonlySet<string>): string {
  const nickname = new Map(players.map((p) => [p.id, p.nickname]));
  const attempts = new Map<string, number>();
  const rows: CsvValue[][] = [...submissions]
    .sort((a, b) => a.ticket - b.ticket)
    .map((x) => {
      const key = `${x.playerId}\u0000${x.questionIndex}`;
      const attempt = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, attempt);
      return [
        x.ticket,
        iso(x.receivedAt),
        x.questionIndex + 1,
        quiz.questions[x.questionIndex]?.text ?? '',
        nickname.get(x.playerId) ?? x.playerId,
        answerLabel(quiz, x.questionIndex, x.answer),
        attempt,
        x.correct ? 'yes' : 'no',
        x.reactionMs ?? '',
        x.reactionFlag ?? '',
        removed.has(x.playerId) ? 'yes' : 'no',
      ];
    });
  return UTF8_BOM + toCsv([['ticket', 'received_at', 'question', 'question_text', 'nickname', 'answer', 'attempt', 'correct', 'reaction_ms', 'reaction_flag', 'removed_by_host'], ...rows]);
}

/** The leaderboard, then each question's place (1 = first correct answer; empty: not correct). */
export function resultsReport(session: LiveSession): string {
  const quiz = session.quiz;
  const places = quiz.questions.map((_, i) => new Map(session.questionRanking(i).map((entry) => [entry.playerId, entry.rank])));
  const header: CsvValue[] = ['rank', 'nickname', 'wins', 'correct', 'points', ...quiz.questions.map((q, i) => `Q${i + 1}. ${q.text}`)];
  const rows: CsvValue[][] = session.leaderboard().map((e) => [e.rank, e.nickname, e.wins, e.correct, e.points, ...places.map((m) => m.get(e.playerId) ?? '')]);
  return UTF8_BOM + toCsv([header, ...rows]);
}
