/** Validation of what browsers send: clear messages for bad input, never a crash. */
import { z } from 'zod';
import type { HostCommand, SubmitRequest } from '../shared/protocol.js';
import { ANSWER_MAX } from '../shared/protocol.js';
import { LIMITS } from '../domain/quiz-schema.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const submitSchema = z.strictObject({
  questionIndex: z.int('questionIndex must be an integer').min(0),
  answer: z.union([z.int().min(0).max(LIMITS.options - 1), z.string().max(ANSWER_MAX, `an answer has at most ${ANSWER_MAX} characters`)], 'answer must be an option index or text'),
  clientSubmissionId: z.string('clientSubmissionId must be a string').min(1).max(64),
  reactionMs: z.number('reactionMs must be a number').min(0).max(LIMITS.maxTimeLimitMs).optional(),
});

const timeLimitMs = z.int().min(LIMITS.minTimeLimitMs).max(LIMITS.maxTimeLimitMs);

const commandSchema = z.discriminatedUnion(
  'command',
  [
    z.strictObject({ command: z.literal('show'), index: z.int().min(0) }),
    z.strictObject({
      command: z.literal('open'),
      delayMs: z.union([z.literal('random'), z.int().min(0).max(60_000)]).optional(),
      timeLimitMs: timeLimitMs.optional(),
    }),
    z.strictObject({ command: z.literal('cancel-open') }),
    z.strictObject({ command: z.literal('close') }),
    z.strictObject({ command: z.literal('next') }),
    z.strictObject({ command: z.literal('finish') }),
    z.strictObject({ command: z.literal('kick'), playerId: z.string().min(1).max(100) }),
    z.strictObject({ command: z.literal('lock'), locked: z.boolean() }),
    z.strictObject({ command: z.literal('regrade'), questionIndex: z.int().min(0), answer: z.string().trim().min(1).max(LIMITS.answerLength) }),
  ],
  'unknown command',
);

function parse<T>(schema: z.ZodType<T>, value: unknown): Parsed<T> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  return { ok: false, error: issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message };
}

export const parseSubmit = (value: unknown): Parsed<SubmitRequest> => parse(submitSchema, value);
export const parseCommand = (value: unknown): Parsed<HostCommand> => parse(commandSchema, value);
