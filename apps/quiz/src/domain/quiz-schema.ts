/**
 * Quiz files: zod schema for the JSON format and a parser for the Markdown format
 * (both documented in README.md). Both return `{ ok: true, quiz } | { ok: false, errors }`,
 * each error naming where (JSON path or Markdown line) and why.
 */
import { z } from 'zod';
import { IMAGE_ID } from './image-type.js';
import type { Question, Quiz } from './quiz.js';

export const LIMITS = {
  fileBytes: 1_000_000,
  titleLength: 200,
  questions: 200,
  questionTextLength: 1_000,
  options: 10,
  optionLength: 200,
  acceptedAnswers: 20,
  answerLength: 200,
  maxAttempts: 100,
  minTimeLimitMs: 1_000,
  maxTimeLimitMs: 600_000,
} as const;

const text = (what: string, max: number) =>
  z
    .string(`${what} must be a string`)
    .trim()
    .min(1, `${what} must not be empty`)
    .max(max, `${what} must be at most ${max} characters`);

const imageId = z.string('image must be an image id').regex(IMAGE_ID, 'image must be an image id (from POST /api/images)');

const timeLimitSeconds = z
  .number('timeLimitSeconds must be a number')
  .min(LIMITS.minTimeLimitMs / 1000, `timeLimitSeconds must be at least ${LIMITS.minTimeLimitMs / 1000}`)
  .max(LIMITS.maxTimeLimitMs / 1000, `timeLimitSeconds must be at most ${LIMITS.maxTimeLimitMs / 1000}`)
  .optional();

const choiceQuestion = z
  .strictObject({
    type: z.literal('choice'),
    text: text('question text', LIMITS.questionTextLength),
    options: z
      .array(text('option', LIMITS.optionLength), 'options must be a list')
      .min(2, 'a choice question needs at least 2 options')
      .max(LIMITS.options, `a choice question has at most ${LIMITS.options} options`),
    answer: z.union([z.int(), z.array(z.int()).min(1)], 'answer must be an option index or a non-empty list of indexes'),
    timeLimitSeconds,
    image: imageId.optional(),
    optionImages: z.array(imageId.nullable(), 'optionImages must be a list of image ids or nulls').optional(),
  })
  .superRefine((q, ctx) => {
    const answers = Array.isArray(q.answer) ? q.answer : [q.answer];
    for (const index of answers) {
      if (index < 0 || index >= q.options.length) {
        ctx.addIssue({ code: 'custom', path: ['answer'], message: `answer ${index} is not an option index (0–${q.options.length - 1})` });
      }
    }
    if (new Set(answers).size !== answers.length) ctx.addIssue({ code: 'custom', path: ['answer'], message: 'answer lists an index twice' });
    if (q.optionImages && q.optionImages.length !== q.options.length) {
      ctx.addIssue({ code: 'custom', path: ['optionImages'], message: `optionImages must have one entry per option (${q.options.length})` });
    }
  });

const shortQuestion = z.strictObject({
  type: z.literal('short'),
  text: text('question text', LIMITS.questionTextLength),
  answers: z
    .array(text('accepted answer', LIMITS.answerLength), 'answers must be a list of strings')
    .min(1, 'a short question needs at least 1 accepted answer')
    .max(LIMITS.acceptedAnswers, `a short question has at most ${LIMITS.acceptedAnswers} accepted answers`),
  timeLimitSeconds,
  image: imageId.optional(),
});

export const quizFileSchema = z.strictObject({
  title: text('title', LIMITS.titleLength),
  mode: z.enum(['cotato', 'speed'], 'mode must be "cotato" or "speed"').default('cotato'),
  ranking: z.enum(['arrival', 'reaction'], 'ranking must be "arrival" or "reaction"').optional(),
  falseStartPenaltySeconds: z
    .number('falseStartPenaltySeconds must be a number')
    .min(0, 'falseStartPenaltySeconds must be at least 0')
    .max(60, 'falseStartPenaltySeconds must be at most 60')
    .optional(),
  maxAttempts: z
    .int('maxAttempts must be a whole number')
    .min(1, 'maxAttempts must be at least 1')
    .max(LIMITS.maxAttempts, `maxAttempts must be at most ${LIMITS.maxAttempts}`)
    .optional(),
  questions: z
    .array(z.discriminatedUnion('type', [choiceQuestion, shortQuestion], 'question type must be "choice" or "short"'), 'questions must be a list')
    .min(1, 'a quiz needs at least 1 question')
    .max(LIMITS.questions, `a quiz has at most ${LIMITS.questions} questions`),
});

export type QuizFile = z.input<typeof quizFileSchema>;

export type ParseResult = { ok: true; quiz: Quiz } | { ok: false; errors: string[] };

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

/** Validate an already-parsed value against the quiz file schema and convert it to a `Quiz`. */
export function parseQuizValue(value: unknown): ParseResult {
  const result = quizFileSchema.safeParse(value);
  if (!result.success) {
    return { ok: false, errors: result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`) };
  }
  const file = result.data;
  const questions = file.questions.map((q): Question => {
    const timeLimitMs = q.timeLimitSeconds === undefined ? {} : { timeLimitMs: Math.round(q.timeLimitSeconds * 1000) };
    const image = q.image === undefined ? {} : { image: q.image };
    const optionImages = q.type === 'choice' && q.optionImages?.some((id) => id !== null) ? { optionImages: q.optionImages } : {};
    return q.type === 'choice'
      ? { kind: 'choice', text: q.text, options: q.options, correct: Array.isArray(q.answer) ? q.answer : [q.answer], ...timeLimitMs, ...image, ...optionImages }
      : { kind: 'short', text: q.text, accepted: q.answers, ...timeLimitMs, ...image };
  });
  return {
    ok: true,
    quiz: {
      title: file.title,
      mode: file.mode,
      ...(file.maxAttempts === undefined ? {} : { maxAttempts: file.maxAttempts }),
      questions,
      ...(file.ranking === undefined ? {} : { ranking: file.ranking }),
      ...(file.falseStartPenaltySeconds === undefined ? {} : { falseStartPenaltyMs: Math.round(file.falseStartPenaltySeconds * 1000) }),
    },
  };
}

/** The inverse of `parseQuizValue`: a quiz as the JSON file format (what an editor loads and saves). */
export function toQuizFile(quiz: Quiz): QuizFile {
  return {
    title: quiz.title,
    mode: quiz.mode,
    ...(quiz.ranking === undefined ? {} : { ranking: quiz.ranking }),
    ...(quiz.falseStartPenaltyMs === undefined ? {} : { falseStartPenaltySeconds: quiz.falseStartPenaltyMs / 1000 }),
    ...(quiz.maxAttempts === undefined ? {} : { maxAttempts: quiz.maxAttempts }),
    questions: quiz.questions.map((q) => {
      const time = q.timeLimitMs === undefined ? {} : { timeLimitSeconds: q.timeLimitMs / 1000 };
      const image = q.image === undefined ? {} : { image: q.image };
      return q.kind === 'choice'
        ? {
            type: 'choice' as const,
            text: q.text,
            options: [...q.options],
            answer: q.correct.length === 1 ? q.correct[0] : [...q.correct],
            ...time,
            ...image,
            ...(q.optionImages ? { optionImages: [...q.optionImages] } : {}),
          }
        : { type: 'short' as const, text: q.text, answers: [...q.accepted], ...time, ...image };
    }),
  };
}

export function parseQuizJson(source: string): ParseResult {
  if (source.length > LIMITS.fileBytes) return { ok: false, errors: [`file is larger than ${LIMITS.fileBytes} characters`] };
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    return { ok: false, errors: [`invalid JSON: ${(error as Error).message}`] };
  }
  return parseQuizValue(value);
}

interface MdQuestion {
  line: number;
  text: string[];
  options: string[];
  correct: number[];
  answers: string[] | null;
  timeLimitSeconds?: number;
}

/**
 * Markdown format (see README.md):
 *   # Title
 *   mode: speed                  (optional, before the first question)
 *   ranking: reaction            (optional, before the first question)
 *   attempts: 5                  (optional, before the first question: maxAttempts)
 *   ## Question text             (further plain lines extend the text)
 *   - [x] correct option
 *   - [ ] other option
 *   answer: spelling | other     (short answer instead of options)
 *   time: 20                     (optional countdown in seconds)
 */
export function parseQuizMarkdown(source: string): ParseResult {
  if (source.length > LIMITS.fileBytes) return { ok: false, errors: [`file is larger than ${LIMITS.fileBytes} characters`] };
  const errors: string[] = [];
  let title: string | null = null;
  let mode: string | undefined;
  let ranking: string | undefined;
  let maxAttempts: number | undefined;
  const questions: MdQuestion[] = [];
  let inFence = false;
  const lines = source.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  lines.forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trim();
    if (line.startsWith('```')) {
      inFence = !inFence;
      return;
    }
    if (inFence || line === '' || line.startsWith('<!--')) return;
    const current = questions.at(-1);
    let m: RegExpMatchArray | null;
    if ((m = /^##\s+(.*)$/.exec(line))) {
      questions.push({ line: n, text: [m[1].trim()], options: [], correct: [], answers: null });
    } else if ((m = /^#\s+(.*)$/.exec(line))) {
      if (title !== null) errors.push(`line ${n}: a second "# " title (use "## " for questions)`);
      else if (current) errors.push(`line ${n}: the "# " title must come before the first question`);
      else title = m[1].trim();
    } else if ((m = /^[-*+]\s+\[([ xX])\]\s*(.*)$/.exec(line))) {
      if (!current) errors.push(`line ${n}: option outside a question (start one with "## ")`);
      else if (current.answers) errors.push(`line ${n}: a question has either options or "answer:", not both`);
      else {
        if (m[1] !== ' ') current.correct.push(current.options.length);
        current.options.push(m[2].trim());
      }
    } else if ((m = /^answers?\s*:\s*(.*)$/i.exec(line))) {
      if (!current) errors.push(`line ${n}: "answer:" outside a question`);
      else if (current.options.length > 0) errors.push(`line ${n}: a question has either options or "answer:", not both`);
      else current.answers = [...(current.answers ?? []), ...m[1].split('|').map((a) => a.trim())];
    } else if ((m = /^time\s*:\s*(.*)$/i.exec(line))) {
      const seconds = Number(m[1].replace(/s$/i, '').trim());
      if (!current) errors.push(`line ${n}: "time:" outside a question`);
      else if (!Number.isFinite(seconds) || m[1].trim() === '') errors.push(`line ${n}: "time:" needs a number of seconds`);
      else current.timeLimitSeconds = seconds;
    } else if ((m = /^mode\s*:\s*(.*)$/i.exec(line)) && !current) {
      mode = m[1].trim().toLowerCase();
    } else if ((m = /^ranking\s*:\s*(.*)$/i.exec(line)) && !current) {
      ranking = m[1].trim().toLowerCase();
    } else if ((m = /^attempts\s*:\s*(.*)$/i.exec(line)) && !current) {
      // A bad value is reported here once, and left out of the schema check (which would report it again).
      const attempts = Number(m[1].trim());
      if (m[1].trim() === '' || !Number.isInteger(attempts)) errors.push(`line ${n}: "attempts:" needs a whole number`);
      else maxAttempts = attempts;
    } else if (/^[-*+]\s/.test(line)) {
      errors.push(`line ${n}: options are written "- [x] correct" or "- [ ] wrong"`);
    } else if (current) {
      current.text.push(line);
    } else {
      errors.push(`line ${n}: text before the first question (start one with "## ")`);
    }
  });
  if (title === null) errors.push('missing "# Title" line');
  // Questions whose shape is already wrong are left out of the schema check: one error each is enough.
  const checkable = questions.filter((q) => {
    if (q.options.length === 0 && !q.answers) errors.push(`line ${q.line}: question has no options ("- [x] …") and no "answer:" line`);
    else if (q.options.length > 0 && q.correct.length === 0) errors.push(`line ${q.line}: no option is marked correct with "[x]"`);
    else return true;
    return false;
  });
  const value = {
    title: title ?? 'untitled',
    ...(mode === undefined ? {} : { mode }),
    ...(ranking === undefined ? {} : { ranking }),
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
    questions: checkable.map((q) => ({
      ...(q.answers
        ? { type: 'short', text: q.text.join('\n'), answers: q.answers }
        : { type: 'choice', text: q.text.join('\n'), options: q.options, answer: q.correct }),
      ...(q.timeLimitSeconds === undefined ? {} : { timeLimitSeconds: q.timeLimitSeconds }),
    })),
  };
  const result = parseQuizValue(value);
  if (result.ok && errors.length === 0) return result;
  // Every problem at once, each with its line (JSON paths mapped back to the question's heading), in file order.
  const schemaErrors = result.ok
    ? []
    : result.errors
        .filter((e) => !(questions.length > checkable.length && /^questions: a quiz needs at least 1 question/.test(e)))
        .map((e) => {
          const m = /^questions\[(\d+)\]/.exec(e);
          return m && checkable[Number(m[1])] ? `line ${checkable[Number(m[1])].line}: ${e}` : e;
        });
  const lineOf = (e: string): number => Number(/^line (\d+):/.exec(e)?.[1] ?? Infinity);
  return { ok: false, errors: [...errors, ...schemaErrors].sort((a, b) => lineOf(a) - lineOf(b)) };
}
