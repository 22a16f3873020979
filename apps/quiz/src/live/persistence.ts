/**
 * How a live session is kept in the store. Players and accepted answers have their own tables
 * (written when they happen, and the source of truth); the snapshot holds the rest of the domain
 * state (phase, question stages and times, regrades) and is rewritten after every host command.
 * Keeping players and answers out of the snapshot keeps it small and its writes cheap.
 */
import { LiveSession, type LiveSessionSnapshot, type SubmissionRecord } from '../domain/live-session.js';
import type { Answer, Quiz } from '../domain/quiz.js';
import type { ReactionFlag } from '../domain/fairness.js';
import type { LiveSessionRecord, QuizRecord, QuizStore } from '../store/store.js';

export function saveLiveSession(store: QuizStore, liveId: string, session: LiveSession): void {
  store.saveSnapshot(liveId, JSON.stringify(session.toSnapshot({ records: false })));
  const index = session.currentIndex;
  store.updateLiveSession(liveId, {
    phase: session.phase,
    stage: index === null ? null : session.questionState(index)!.stage,
    currentQuestion: index,
  });
}

/** Rebuilds a live session: the snapshot, with the players and answers the store holds. */
export function loadLiveSession(store: QuizStore, record: LiveSessionRecord, quiz: Quiz): LiveSession {
  const saved = store.loadSnapshot(record.id);
  const base: LiveSessionSnapshot = saved ? (JSON.parse(saved.data) as LiveSessionSnapshot) : LiveSession.create(quiz).toSnapshot();
  const players = store.listPlayers(record.id).map((p) => ({ id: p.id, nickname: p.nickname, joinedAt: p.joinedAt }));
  const attempts = new Map<string, number>();
  const submissions: SubmissionRecord[] = store.listSubmissions(record.id).map((x) => {
    const key = `${x.playerId}\u0000${x.questionIndex}`;
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    return {
      ticket: x.ticket,
      playerId: x.playerId,
      questionIndex: x.questionIndex,
      answer: decodeAnswer(x.answer),
      clientSubmissionId: x.clientSubmissionId,
      at: x.receivedAt,
      attempt,
      correct: x.correct === true,
      ...(x.reactionMs == null ? {} : { reactionMs: x.reactionMs }),
      ...(x.reactionFlag == null ? {} : { reactionFlag: x.reactionFlag as ReactionFlag }),
    };
  });
  const nextTicket = submissions.length === 0 ? 1 : submissions[submissions.length - 1].ticket + 1;
  return LiveSession.fromSnapshot({ ...base, players, submissions, nextTicket });
}

/** A stored quiz's body: the `Quiz` the API validated (with `parseQuiz*`) before storing it. */
export function quizOf(record: QuizRecord): Quiz {
  return record.body as unknown as Quiz;
}

/** Answers are stored as JSON text, so an option index and the text "1" stay different. */
export function encodeAnswer(answer: Answer): string {
  return JSON.stringify(answer);
}

export function decodeAnswer(text: string): Answer {
  const value: unknown = JSON.parse(text);
  return typeof value === 'number' ? value : String(value);
}
