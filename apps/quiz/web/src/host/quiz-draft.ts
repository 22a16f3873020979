import type { QuizMode, RankingRule } from '../../../src/shared/protocol.ts';
import type { QuizFile, QuizFileQuestion } from './quiz-file.ts';

/** The editor's form state: strings as typed, both answer forms kept so switching kind loses nothing. */
export interface OptionDraft {
  text: string;
  correct: boolean;
  /** The option's picture (an image id). */
  image?: string;
}

export interface QuestionDraft {
  /** Stable identity for rendering while questions are added, removed and moved. */
  key: number;
  type: 'choice' | 'short';
  text: string;
  /** Seconds, as typed; empty: no countdown of its own. */
  timeLimit: string;
  options: OptionDraft[];
  /** Accepted answers of a short question, one per line. */
  answers: string;
  /** The question's picture (an image id). */
  image?: string;
}

export interface QuizDraft {
  title: string;
  mode: QuizMode;
  ranking: RankingRule;
  /** Kept as loaded: the editor has no field for it (quiz files do). */
  falseStartPenaltySeconds?: number;
  /** Tries per question, as typed; empty: the server's default. */
  maxAttempts: string;
  questions: QuestionDraft[];
}

export const MIN_OPTIONS = 2;
export const MAX_OPTIONS = 10;

let nextKey = 1;

export function newQuestion(): QuestionDraft {
  return {
    key: nextKey++,
    type: 'choice',
    text: '',
    timeLimit: '',
    options: [
      { text: '', correct: true },
      { text: '', correct: false },
    ],
    answers: '',
  };
}

export const emptyQuiz = (): QuizDraft => ({ title: '', mode: 'cotato', ranking: 'arrival', maxAttempts: '', questions: [newQuestion()] });

/** The server validates the result and names any problem by its path; nothing is rejected here. */
export function toQuizFile(draft: QuizDraft): QuizFile {
  const maxAttempts = draft.maxAttempts.trim();
  return {
    title: draft.title,
    mode: draft.mode,
    ...(draft.ranking === 'arrival' ? {} : { ranking: draft.ranking }),
    ...(draft.falseStartPenaltySeconds === undefined ? {} : { falseStartPenaltySeconds: draft.falseStartPenaltySeconds }),
    ...(maxAttempts === '' ? {} : { maxAttempts: Number(maxAttempts) }),
    questions: draft.questions.map((question): QuizFileQuestion => {
      const seconds = question.timeLimit.trim();
      const time = seconds === '' ? {} : { timeLimitSeconds: Number(seconds) };
      const image = question.image ? { image: question.image } : {};
      if (question.type === 'short') {
        const answers = question.answers.split('\n').map((answer) => answer.trim()).filter(Boolean);
        return { type: 'short', text: question.text, answers, ...time, ...image };
      }
      const correct = question.options.flatMap((option, index) => (option.correct ? [index] : []));
      const options = question.options.map((option) => option.text);
      const optionImages = question.options.some((option) => option.image) ? { optionImages: question.options.map((option) => option.image ?? null) } : {};
      return { type: 'choice', text: question.text, options, answer: correct.length === 1 ? correct[0] : correct, ...time, ...image, ...optionImages };
    }),
  };
}

export function fromQuizFile(file: QuizFile): QuizDraft {
  return {
    title: file.title,
    mode: file.mode ?? 'cotato',
    ranking: file.ranking ?? 'arrival',
    ...(file.falseStartPenaltySeconds === undefined ? {} : { falseStartPenaltySeconds: file.falseStartPenaltySeconds }),
    maxAttempts: file.maxAttempts?.toString() ?? '',
    questions: file.questions.map((question) => {
      const draft = { ...newQuestion(), type: question.type, text: question.text, timeLimit: question.timeLimitSeconds?.toString() ?? '', image: question.image };
      if (question.type === 'short') return { ...draft, answers: question.answers.join('\n') };
      const correct = Array.isArray(question.answer) ? question.answer : [question.answer];
      return {
        ...draft,
        options: question.options.map((text, index) => ({ text, correct: correct.includes(index), image: question.optionImages?.[index] ?? undefined })),
      };
    }),
  };
}
