/**
 * The HTTP API: quizzes (host only), live sessions (host only), CSV exports (host only), join
 * code lookup and QR codes (public). Shapes: `shared/protocol.ts`. Errors are `{ error, details? }`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { parseQuizJson, parseQuizMarkdown, parseQuizValue, toQuizFile, type ParseResult } from '../domain/quiz-schema.js';
import { normalizeJoinCode, StoreError, type QuizRecord, type QuizStore } from '../store/store.js';
import type { AddressBuckets } from '../live/address-buckets.js';
import type { HostAuth } from '../live/host-auth.js';
import { hostGuard, tooMany } from './host-guard.js';
import type { LiveRooms } from '../live/live-rooms.js';
import { quizOf } from '../live/persistence.js';
import { resultsCsv, submissionsCsv } from '../live/exports.js';
import { sessionReport } from '../live/session-report.js';
import type { ApiError, HostTokenReply, JoinInfo, LiveSummary, QuizSummary, QuizUpload } from '../shared/protocol.js';

export interface ApiDeps {
  store: QuizStore;
  rooms: LiveRooms;
  auth: HostAuth;
  /** Lookups of join codes that do not exist (`/api/join/:code`, `/qr/:code.svg`), per address. */
  unknownCodes: AddressBuckets;
  /** The body a quiz upload may have, in bytes (every other route keeps the server's small default). */
  uploadLimitBytes: number;
}

/** QR codes kept rendered, one per live code. */
const QR_CACHE_SIZE = 1000;

const fail = (reply: FastifyReply, status: number, error: string, details?: string[]) =>
  reply.code(status).send({ error, ...(details ? { details } : {}) } satisfies ApiError);

export function registerApi(app: FastifyInstance, { store, rooms, auth, unknownCodes, uploadLimitBytes }: ApiDeps): void {
  const host = hostGuard(auth);
  const hostOnly = { onRequest: host };
  const upload = { onRequest: host, bodyLimit: uploadLimitBytes };

  /** A join code that does not exist costs the address a token: enumerating codes is throttled, players are not. */
  const roomOf = (request: FastifyRequest, reply: FastifyReply, code: string | undefined) => {
    const waitMs = unknownCodes.wait(request.ip);
    if (waitMs > 0) return void tooMany(reply, waitMs, 'too many unknown join codes from this address');
    const room = code === undefined ? undefined : rooms.byCode(code);
    if (!room) unknownCodes.take(request.ip);
    return room;
  };
  const qrCache = new Map<string, string>();

  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    if (error instanceof StoreError) return fail(reply, error.code === 'not_found' ? 404 : error.code === 'conflict' ? 409 : 400, error.message);
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) app.log.error(error);
    return fail(reply, status, status === 500 ? 'internal error' : error.message);
  });

  app.get('/api/auth', hostOnly, async (_request, reply) => reply.code(204).send());

  // The host page trades the password for a token once, and keeps only the token.
  app.post('/api/auth/token', hostOnly, async (_request, reply) => reply.code(201).send(auth.issueToken() satisfies HostTokenReply));

  app.delete('/api/auth/token', hostOnly, async (request, reply) => {
    auth.revokeToken(/^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '');
    return reply.code(204).send();
  });

  app.get('/api/quizzes', hostOnly, async () => store.listQuizzes().map(quizSummary));

  app.get<{ Params: { id: string } }>('/api/quizzes/:id', hostOnly, async (request, reply) => {
    const record = store.getQuiz(request.params.id);
    if (!record) return fail(reply, 404, 'no such quiz');
    return { id: record.id, title: record.title, file: toQuizFile(quizOf(record)) };
  });

  app.post<{ Body: QuizUpload }>('/api/quizzes', upload, async (request, reply) => {
    const parsed = parseUpload(request.body);
    if (!parsed.ok) return fail(reply, 400, 'the quiz is not valid', parsed.errors);
    const record = store.createQuiz({ title: parsed.quiz.title, body: parsed.quiz as never });
    return reply.code(201).send(quizSummary(record));
  });

  app.put<{ Params: { id: string }; Body: QuizUpload }>('/api/quizzes/:id', upload, async (request, reply) => {
    const parsed = parseUpload(request.body);
    if (!parsed.ok) return fail(reply, 400, 'the quiz is not valid', parsed.errors);
    return quizSummary(store.updateQuiz(request.params.id, { title: parsed.quiz.title, body: parsed.quiz as never }));
  });

  app.delete<{ Params: { id: string } }>('/api/quizzes/:id', hostOnly, async (request, reply) => {
    if (!store.deleteQuiz(request.params.id)) return fail(reply, 404, 'no such quiz');
    return reply.code(204).send();
  });

  app.post<{ Params: { id: string } }>('/api/quizzes/:id/live', hostOnly, async (request, reply) => {
    if (!store.getQuiz(request.params.id)) return fail(reply, 404, 'no such quiz');
    const room = rooms.create(request.params.id);
    return reply.code(201).send(liveSummary(store, room.id));
  });

  app.get('/api/live', hostOnly, async () => {
    const archived = store.archivedSessions();
    return store.listLiveSessions().map((record) => liveSummary(store, record.id, archived));
  });

  app.post<{ Params: { id: string }; Body: unknown }>('/api/live/:id/archive', hostOnly, async (request, reply) => {
    const archived = (request.body as { archived?: unknown } | null)?.archived;
    if (typeof archived !== 'boolean') return fail(reply, 400, 'send { archived: true | false }');
    store.setArchived(request.params.id, archived);
    return reply.code(204).send();
  });

  app.get<{ Params: { id: string; kind: string } }>('/api/live/:id/:kind', hostOnly, async (request, reply) => {
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
    const room = roomOf(request, reply, request.params.code);
    if (reply.sent) return reply;
    if (!room) return fail(reply, 404, `no quiz has the code ${request.params.code.slice(0, 12)}`);
    return { liveId: room.id, code: room.code, title: room.session.quiz.title, phase: room.session.phase } satisfies JoinInfo;
  });

  app.get<{ Params: { file: string } }>('/qr/:file', async (request, reply) => {
    const file = request.params.file;
    const code = file.endsWith('.svg') ? normalizeJoinCode(file.slice(0, -'.svg'.length)) : undefined;
    const room = roomOf(request, reply, code);
    if (reply.sent) return reply;
    // Only a session players can still join has a QR code: a finished one's is not rendered.
    if (!room || room.session.phase === 'finished') return fail(reply, 404, 'no live quiz has this join code');
    let svg = qrCache.get(room.code);
    if (svg === undefined) {
      svg = await QRCode.toString(rooms.joinUrl(room.code), { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
      if (qrCache.size >= QR_CACHE_SIZE) qrCache.delete(qrCache.keys().next().value!);
      qrCache.set(room.code, svg);
    }
    return reply.type('image/svg+xml').header('cache-control', 'private, max-age=300').send(svg);
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
