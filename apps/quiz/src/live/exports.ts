/** The CSV exports of a live session, from the store (which keeps even removed players' answers). */
import { submissionsReport, resultsReport } from '../domain/report.js';
import type { QuizStore } from '../store/store.js';
import type { LiveRoom } from './live-room.js';
import { decodeAnswer } from './persistence.js';

export function submissionsCsv(store: QuizStore, room: LiveRoom): string {
  const removed = new Set(room.session.toSnapshot({ records: false }).kicked ?? []);
  const submissions = store.listSubmissions(room.id).map((x) => ({
    ticket: x.ticket,
    playerId: x.playerId,
    questionIndex: x.questionIndex,
    answer: decodeAnswer(x.answer),
    receivedAt: x.receivedAt,
    correct: x.correct === true,
    ...(x.reactionMs == null ? {} : { reactionMs: x.reactionMs }),
    ...(x.reactionFlag == null ? {} : { reactionFlag: x.reactionFlag }),
  }));
  return submissionsReport(room.session.quiz, store.listPlayers(room.id), submissions, removed);
}

export const resultsCsv = (room: LiveRoom): string => resultsReport(room.session);
