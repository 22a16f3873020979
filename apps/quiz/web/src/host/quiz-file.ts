import type { QuizMode, RankingRule } from '../../../src/shared/protocol.ts';

/**
 * The quiz file's JSON shape (the server validates it: apps/quiz/src/domain/quiz-schema.ts). Not in
 * protocol.ts, so it is spelled out here for the editor.
 */
export interface QuizFile {
  title: string;
  mode?: QuizMode;
  ranking?: RankingRule;
  falseStartPenaltySeconds?: number;
  /** Accepted answers per player and question (1–100; the server's default when absent). */
  maxAttempts?: number;
  questions: QuizFileQuestion[];
}

export type QuizFileQuestion =
  | { type: 'choice'; text: string; options: string[]; answer: number | number[]; timeLimitSeconds?: number; image?: string; optionImages?: (string | null)[] }
  | { type: 'short'; text: string; answers: string[]; timeLimitSeconds?: number; image?: string };

/** GET /api/quizzes/:id */
export interface QuizDetail {
  id: string;
  title: string;
  file: QuizFile;
}
