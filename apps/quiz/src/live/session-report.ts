/**
 * A finished (or running) session's results page: the whole leaderboard, each question with its
 * answer, chart and first answers, and each player's answers. Built from the game as it counts:
 * removed players' answers are in the CSV exports, not here.
 */
import { answerDistribution } from '../domain/distribution.js';
import { rankingRuleOf } from '../domain/quiz.js';
import { answerLabel } from '../domain/report.js';
import type { QuizStore } from '../store/store.js';
import type { SessionReport } from '../shared/protocol.js';
import type { LiveRoom } from './live-room.js';
import { answerKey, leaderboardView, rankingView } from './views.js';

/** First answers listed per question on the page (the CSV has them all). */
const RANKING_ROWS = 10;

export function sessionReport(store: QuizStore, room: LiveRoom): SessionReport {
  const session = room.session;
  const quiz = session.quiz;
  const record = store.getLiveSession(room.id)!;
  const answersOf = new Map<string, SessionReport['players'][number]['answers']>();
  for (const sub of session.submissions) {
    const list = answersOf.get(sub.playerId) ?? [];
    list.push({ question: sub.questionIndex + 1, answer: answerLabel(quiz, sub.questionIndex, sub.answer), correct: sub.correct, at: sub.at });
    answersOf.set(sub.playerId, list);
  }
  return {
    liveId: room.id,
    code: room.code,
    title: quiz.title,
    mode: quiz.mode,
    rankingRule: rankingRuleOf(quiz),
    phase: session.phase,
    createdAt: record.createdAt,
    leaderboard: session.leaderboard().map(leaderboardView),
    questions: quiz.questions.map((question, index) => {
      const ranking = session.questionRanking(index);
      const key = answerKey(session, index);
      return {
        number: index + 1,
        text: question.text,
        played: session.questionState(index)!.stage === 'closed',
        answer: question.kind === 'choice' ? (key.correctOptions ?? []).map((i) => answerLabel(quiz, index, i)) : (key.acceptedAnswers ?? []),
        options: question.kind === 'choice' ? question.options : undefined,
        correctOptions: key.correctOptions,
        distribution: answerDistribution(question, session.submissionsAt(index)),
        correctCount: ranking.length,
        ranking: ranking.slice(0, RANKING_ROWS).map(rankingView),
      };
    }),
    players: session.players.map((player) => ({ nickname: player.nickname, answers: answersOf.get(player.id) ?? [] })),
  };
}
