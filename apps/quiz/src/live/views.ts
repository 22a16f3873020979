/**
 * What each audience sees of a live session, computed from the domain state. Pure: the room
 * passes `now`, and presence (who is connected, their latency) comes in as a function.
 */
import { crownedOf, type LiveSession, type LeaderboardEntry, type RankingEntry } from '../domain/live-session.js';
import { answerDistribution } from '../domain/distribution.js';
import { rankingRuleOf } from '../domain/quiz.js';
import { HOST_ROWS, PLAYER_VIEW_ANSWERS } from '../shared/protocol.js';
import type {
  AnswerDistribution,
  HostPlayerView,
  HostState,
  LeaderboardView,
  PlayerView,
  PublicQuestion,
  PublicState,
  RankingView,
  RevealView,
  Stage,
} from '../shared/protocol.js';

/** How many ranking and leaderboard rows go to every player (the host sees them all). */
export const PUBLIC_ROWS = 10;

export interface RoomIdentity {
  liveId: string;
  code: string;
  joinUrl: string;
}

export interface Presence {
  connected: boolean;
  /** Not connected, but a session of the seat waits to be resumed (a dropped network, not a closed page). */
  reconnecting: boolean;
  rttMs: number | null;
  transport: string | null;
  /** The page's clock sync: uncertainty (null: not synced yet) and whether it is good enough to rank by reaction time. */
  clockUncertaintyMs: number | null;
  clockSynced: boolean;
}

/** What the realtime layer knows of a player; the room decides whether the clock counts as synced. */
export type Link = Omit<Presence, 'clockSynced'>;

/**
 * The rankings of one moment, computed once and shared by every view built from it: with 10,000
 * players, each player's own view must not recompute the leaderboard.
 */
export class Standings {
  readonly leaderboard: LeaderboardEntry[];
  readonly ranking: RankingEntry[];
  readonly #rankOf = new Map<string, LeaderboardEntry>();
  readonly #placementOf = new Map<string, number>();
  #distribution: AnswerDistribution | undefined;

  constructor(readonly session: LiveSession) {
    this.leaderboard = session.leaderboard();
    this.ranking = session.currentIndex === null ? [] : session.questionRanking(session.currentIndex);
    for (const entry of this.leaderboard) this.#rankOf.set(entry.playerId, entry);
    for (const entry of this.ranking) this.#placementOf.set(entry.playerId, entry.rank);
  }

  /**
   * The current question's answer chart, computed once per standings (a closed question takes no
   * more answers; a regrade or a removal makes new standings): every join's reply carries it.
   */
  get distribution(): AnswerDistribution | null {
    const index = this.session.currentIndex;
    if (index === null) return null;
    this.#distribution ??= answerDistribution(this.session.quiz.questions[index], this.session.submissionsAt(index));
    return this.#distribution;
  }

  leaderboardEntry(playerId: string): LeaderboardEntry | undefined {
    return this.#rankOf.get(playerId);
  }

  placement(playerId: string): number | null {
    return this.#placementOf.get(playerId) ?? null;
  }
}

/** The stage players see: an opened question stays "shown" until its random delay has passed. */
export function visibleStage(session: LiveSession, now: number): Stage | null {
  const index = session.currentIndex;
  if (index === null) return null;
  const q = session.questionState(index)!;
  if (q.stage === 'open' && (q.announcedAt === null || (q.announcedAt === undefined && q.opensAt !== null && now < q.opensAt))) return 'shown';
  return q.stage;
}

export function publicState(session: LiveSession, room: RoomIdentity, standings: Standings, now: number, version: number): PublicState {
  const quiz = session.quiz;
  const index = session.currentIndex;
  const stage = visibleStage(session, now);
  const q = index === null ? undefined : session.questionState(index);
  const closedOrDone = stage === 'closed' || session.phase === 'finished';
  const finished = session.phase === 'finished';
  return {
    liveId: room.liveId,
    code: room.code,
    title: quiz.title,
    mode: quiz.mode,
    rankingRule: rankingRuleOf(quiz),
    phase: session.phase,
    questionCount: quiz.questions.length,
    question: index === null ? null : publicQuestion(session, index),
    stage,
    remainingMs: stage === 'open' && q?.deadline != null ? Math.max(0, q.deadline - Math.max(now, q.opensAt ?? now)) : null,
    opensAt: stage === 'open' ? (q?.opensAt ?? null) : null,
    opensInMs: stage === 'open' && q?.opensAt != null ? Math.max(0, q.opensAt - now) : null,
    reveal: index !== null && stage === 'closed' ? reveal(session, index, standings) : null,
    leaderboard: closedOrDone ? standings.leaderboard.slice(0, PUBLIC_ROWS).map(leaderboardView) : [],
    results: finished ? finalResults(session, standings) : null,
    version,
  };
}

export function publicQuestion(session: LiveSession, index: number): PublicQuestion {
  const quiz = session.quiz;
  const question = quiz.questions[index];
  return {
    index,
    total: quiz.questions.length,
    kind: question.kind,
    text: question.text,
    ...(question.kind === 'choice' ? { options: question.options } : {}),
    ...(question.image ? { image: mediaUrl(question.image) } : {}),
    ...(question.kind === 'choice' && question.optionImages ? { optionImages: question.optionImages.map((id) => (id ? mediaUrl(id) : null)) } : {}),
  };
}

const mediaUrl = (imageId: string): string => `/media/${encodeURIComponent(imageId)}`;

export function answerKey(session: LiveSession, index: number): Pick<RevealView, 'correctOptions' | 'acceptedAnswers'> {
  const question = session.quiz.questions[index];
  if (question.kind === 'choice') return { correctOptions: question.correct };
  return { acceptedAnswers: [...question.accepted, ...session.questionState(index)!.extraAccepted] };
}

function reveal(session: LiveSession, index: number, standings: Standings): RevealView {
  const ranking = standings.ranking;
  const top = ranking[0];
  return {
    questionIndex: index,
    ...answerKey(session, index),
    ranking: ranking.slice(0, PUBLIC_ROWS).map(rankingView),
    correctCount: ranking.length,
    scorer: top ? { playerId: top.playerId, nickname: top.nickname } : null,
    distribution: standings.distribution!,
  };
}

function finalResults(session: LiveSession, standings: Standings): PublicState['results'] {
  const board = standings.leaderboard;
  const crowned = crownedOf(session.mode, board);
  return {
    mode: session.mode,
    crowned: crowned.map(leaderboardView),
    winner: crowned[0] ? leaderboardView(crowned[0]) : null,
    leaderboard: board.slice(0, PUBLIC_ROWS).map(leaderboardView),
  };
}

export function rankingView(entry: RankingEntry): RankingView {
  return {
    rank: entry.rank,
    playerId: entry.playerId,
    nickname: entry.nickname,
    ticket: entry.ticket,
    elapsedMs: entry.elapsedMs,
    reactionMs: entry.reactionMs,
    reactionFlag: entry.reactionFlag,
    attempt: entry.attempt,
    points: entry.points,
  };
}

export function leaderboardView(entry: LeaderboardEntry): LeaderboardView {
  return { rank: entry.rank, playerId: entry.playerId, nickname: entry.nickname, wins: entry.wins, correct: entry.correct, points: entry.points };
}

export function playerView(session: LiveSession, playerId: string, standings: Standings): PlayerView | null {
  const player = session.findPlayer(playerId);
  if (!player) return null;
  const index = session.currentIndex;
  const mine = index === null ? [] : session.submissionsOf(playerId, index);
  const closed = index !== null && session.questionState(index)!.stage === 'closed';
  const board = standings.leaderboardEntry(playerId);
  return {
    playerId,
    nickname: player.nickname,
    current: mine.slice(-PLAYER_VIEW_ANSWERS).map((x) => ({ ticket: x.ticket, correct: x.correct, attempt: x.attempt })),
    attempts: mine.length,
    canSubmit: session.maySubmit(playerId),
    placement: closed ? standings.placement(playerId) : null,
    wins: board?.wins ?? 0,
    points: board?.points ?? 0,
    rank: board?.rank ?? null,
  };
}

export function hostState(
  session: LiveSession,
  room: RoomIdentity,
  standings: Standings,
  presence: (playerId: string) => Presence,
  now: number,
  version: number,
): HostState {
  const index = session.currentIndex;
  const q = index === null ? undefined : session.questionState(index);
  const answersOf = new Map<string, number>();
  let submissionCount = 0;
  if (index !== null) {
    for (const sub of session.submissionsAt(index)) {
      answersOf.set(sub.playerId, (answersOf.get(sub.playerId) ?? 0) + 1);
      submissionCount++;
    }
  }
  const players: HostPlayerView[] = [];
  let onlineTotal = 0;
  for (const p of session.players) {
    const seen = presence(p.id);
    if (seen.connected) onlineTotal++;
    if (players.length === HOST_ROWS.players) continue;
    const board = standings.leaderboardEntry(p.id);
    const status = seen.connected ? 'online' : seen.reconnecting ? 'reconnecting' : 'gone';
    players.push({ id: p.id, nickname: p.nickname, connected: seen.connected, status, rttMs: seen.rttMs, transport: seen.transport, clockUncertaintyMs: seen.clockUncertaintyMs, clockSynced: seen.clockSynced, answers: answersOf.get(p.id) ?? 0, wins: board?.wins ?? 0, points: board?.points ?? 0 });
  }
  return {
    public: publicState(session, room, standings, now, version),
    answerKey: index === null ? null : answerKey(session, index),
    opensInMs: q?.stage === 'open' && q.opensAt !== null && now < q.opensAt ? q.opensAt - now : null,
    openingPending: q?.stage === 'open' && q.announcedAt === null,
    players,
    playerTotal: session.playerCount,
    onlineTotal,
    ranking: standings.ranking.slice(0, HOST_ROWS.ranking).map(rankingView),
    submissionCount,
    leaderboard: standings.leaderboard.slice(0, HOST_ROWS.ranking).map(leaderboardView),
    joinUrl: room.joinUrl,
    locked: session.locked,
    playedQuestions: session.quiz.questions.flatMap((_, i) => (session.questionState(i)!.stage === 'closed' ? [i] : [])),
  };
}
