/**
 * The HTTP API: quizzes (host only), live sessions (host only), CSV exports (host only), join
 * code lookup and QR codes (public). Shapes: `shared/protocol.ts`. Errors are `{ error, details? }`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { parseQuizJson, parseQuizMarkdown, parseQuizValue, toQuizFile, type ParseResult } from '../domain/quiz-schema.js';
import { hashSecret, normalizeJoinCode, StoreError, type QuizRecord, type QuizStore } from '../store/store.js';
import type { HostAuth } from '../live/host-auth.js';
import type { LiveRooms } from '../live/live-rooms.js';
import { quizOf } from '../live/persistence.js';
import { resultsCsv, submissionsCsv } from '../live/exports.js';
import { sessionReport } from '../live/session-report.js';
import type { ApiError, JoinInfo, LiveSummary, QuizSummary, QuizUpload } from '../shared/protocol.js';

export interface ApiDeps {
  store: QuizStore;
  rooms: LiveRooms;
  auth: HostAuth;
  hostPassword: string;
}

const fail = (reply: FastifyReply, status: number, error: string, details?: string[]) =>
  reply.code(status).send({ error, ...(details ? { details } : {}) } satisfies ApiError);

export function registerApi(app: FastifyInstance, { store, rooms, auth, hostPassword }: ApiDeps): void {
  const host = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!auth.checkHeader(request.headers.authorization)) return fail(reply, 401, 'the host password is missing or wrong');
  };

  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    if (error instanceof StoreError) return fail(reply, error.code === 'not_found' ? 404 : error.code === 'conflict' ? 409 : 400, error.message);
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) app.log.error(error);
    return fail(reply, status, status === 500 ? 'internal error' : error.message);
  });

  app.get('/api/auth', { preHandler: host }, async (_request, reply) => reply.code(204).send());

  app.get('/api/quizzes', { preHandler: host }, async () => store.listQuizzes().map(quizSummary));

  app.get<{ Params: { id: string } }>('/api/quizzes/:id', { preHandler: host }, async (request, reply) => {
    const record = store.getQuiz(request.params.id);
    if (!record) return fail(reply, 404, 'no such quiz');
    return { id: record.id, title: record.title, file: toQuizFile(quizOf(record)) };
  });

  app.post<{ Body: QuizUpload }>('/api/quizzes', { preHandler: host }, async (request, reply) => {
    const parsed = parseUpload(request.body);
    if (!parsed.ok) return fail(reply, 400, 'the quiz is not valid', parsed.errors);
    const record = store.createQuiz({ title: parsed.quiz.title, body: parsed.quiz as never });
    return reply.code(201).send(quizSummary(record));
  });

  app.put<{ Params: { id: string }; Body: QuizUpload }>('/api/quizzes/:id', { preHandler: host }, async (request, reply) => {
    const parsed = parseUpload(request.body);
    if (!parsed.ok) return fail(reply, 400, 'the quiz is not valid', parsed.errors);
    return quizSummary(store.updateQuiz(request.params.id, { title: parsed.quiz.title, body: parsed.quiz as never }));
  });

  app.delete<{ Params: { id: string } }>('/api/quizzes/:id', { preHandler: host }, async (request, reply) => {
    if (!store.deleteQuiz(request.params.id)) return fail(reply, 404, 'no such quiz');
    return reply.code(204).send();
  });

  app.post<{ Params: { id: string } }>('/api/quizzes/:id/live', { preHandler: host }, async (request, reply) => {
    if (!store.getQuiz(request.params.id)) return fail(reply, 404, 'no such quiz');
    const room = rooms.create(request.params.id, hashSecret(hostPassword));
    return reply.code(201).send(liveSummary(store, room.id));
  });

  app.get('/api/live', { preHandler: host }, async () => {
    const archived = store.archivedSessions();
    return store.listLiveSessions().map((record) => liveSummary(store, record.id, archived));
  });

  app.post<{ Params: { id: string }; Body: unknown }>('/api/live/:id/archive', { preHandler: host }, async (request, reply) => {
    const archived = (request.body as { archived?: unknown } | null)?.archived;
    if (typeof archived !== 'boolean') return fail(reply, 400, 'send { archived: true | false }');
    store.setArchived(request.params.id, archived);
    return reply.code(204).send();
  });

  app.get<{ Params: { id: string; kind: string } }>('/api/live/:id/:kind', { preHandler: host }, async (request, reply) => {
    const { id, kind } = request.params;
    if (kind !== 'results.csv' && kind !== 'submissions.csv' && kind !== 'report') return fail(reply, 404, 'unknown export');
    const room = rooms.get(id);
    if (!room) return fail(reply, 404, 'no such live session');
    if (kind === 'report') return sessionReport(store, room);
    const csv = kind === 'results.csv' ? resultsCsv(room) : submissionsCsv(store, room);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="quiz-${room.code}-${kind}"`)
      .send(csv);
  });

  app.get<{ Params: { code: string } }>('/api/join/:code', async (request, reply) => {
    const room = rooms.byCode(request.params.code);
    if (!room) return fail(reply, 404, `no quiz has the code ${request.params.code.slice(0, 12)}`);
    return { liveId: room.id, code: room.code, title: room.session.quiz.title, phase: room.session.phase } satisfies JoinInfo;
  });

  app.get<{ Params: { file: string } }>('/qr/:file', async (request, reply) => {
    const code = normalizeJoinCode(request.params.file.replace(/\.svg$/, ''));
    if (!code || !request.params.file.endsWith('.svg')) return fail(reply, 404, 'not a join code');
    const svg = await QRCode.toString(rooms.joinUrl(code), { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    return reply.type('image/svg+xml').header('cache-control', 'public, max-age=3600').send(svg);
  });
}

function parseUpload(body: unknown): ParseResult {
  const upload = body as Partial<Record<'format' | 'text' | 'quiz', unknown>> | null;
  if (upload?.format === 'value') return parseQuizValue(upload.quiz);
  if ((upload?.format === 'json' || upload?.format === 'markdown') && typeof upload.text === 'string') {
    return upload.format === 'json' ? parseQuizJson(upload.text) : parseQuizMarkdown(upload.text);
  }
  return { ok: false, errors: ['send { format: "json" | "markdown", text } or { format: "value", quiz }'] };
}

function quizSummary(record: QuizRecord): QuizSummary {
  const quiz = quizOf(record);
  return { id: record.id, title: record.title, mode: quiz.mode, questionCount: quiz.questions.length, createdAt: record.createdAt };
}

function liveSummary(store: QuizStore, liveId: string, archived = store.archivedSessions()): LiveSummary {
  const record = store.getLiveSession(liveId)!;
  return {
    id: record.id,
    quizId: record.quizId,
    code: record.code,
    title: store.getQuiz(record.quizId)?.title ?? '',
    phase: record.phase as LiveSummary['phase'],
    playerCount: store.countPlayers(record.id),
    createdAt: record.createdAt,
    archived: archived.has(record.id),
  };
}
