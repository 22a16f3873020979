/**
 * The quiz's contract between server and browser: the baro events each side sends, the views it
 * pushes and the HTTP API's shapes. Types only (plus a few constants), no imports from Node, so the
 * web UI (`apps/quiz/web`) imports it too.
 *
 * Rooms: every player of a live session is in `players:<liveId>`, the host's pages in
 * `host:<liveId>`. What goes to the players' room is the same bytes for everyone (encoded once);
 * what is personal (`you`) is sent to one session.
 */

// Type-only imports from the pure domain: nothing of it reaches the browser bundle.
import type { LeaderboardEntry, Phase, RankingEntry, RefusalReason as DomainRefusalReason, Stage } from '../domain/live-session.js';
import type { QuizMode, RankingRule } from '../domain/quiz.js';
import type { ReactionFlag } from '../domain/fairness.js';
import type { AnswerDistribution } from '../domain/distribution.js';

/** As the domain defines them; a question's stage goes hidden → shown (submit off) → open (submit on) → closed. */
export type { AnswerDistribution, Phase, QuizMode, RankingRule, ReactionFlag, Stage };

/** A question as players see it: never the correct answer before it closes. */
export interface PublicQuestion {
  index: number;
  total: number;
  kind: 'choice' | 'short';
  text: string;
  /** Choice questions only. */
  options?: string[];
  /** The question's picture (a same-origin URL), if it has one. */
  image?: string;
  /** Choice questions: each option's picture, or null. */
  optionImages?: (string | null)[];
}

/**
 * A question's ranking row as the domain computes it: `ticket` is the server's arrival order (the
 * fair order), `elapsedMs` the time from opening to arrival. The server clock time stays inside.
 */
export type RankingView = Omit<RankingEntry, 'at'>;

/** A leaderboard row (the tie-break sum of tickets stays inside). */
export type LeaderboardView = Omit<LeaderboardEntry, 'ticketSum'>;

/** What a closed question reveals to everyone. */
export interface RevealView {
  questionIndex: number;
  /** Choice: the correct option indexes. */
  correctOptions?: number[];
  /** Short: the accepted spellings (including those added by a regrade). */
  acceptedAnswers?: string[];
  /** The first entries of the question's ranking (cotato: first correct answers by ticket). */
  ranking: RankingView[];
  /** How many players answered correctly. */
  correctCount: number;
  scorer: { playerId: string; nickname: string } | null;
  /** How the room answered (each player's first answer), for the chart. */
  distribution: AnswerDistribution;
}

export interface FinalResultsView {
  mode: QuizMode;
  /** Players with the top score (cotato: most scorer wins), when somebody scored. */
  crowned: LeaderboardView[];
  winner: LeaderboardView | null;
  /** The first entries of the leaderboard. */
  leaderboard: LeaderboardView[];
}

/**
 * The state every player sees, pushed to the players' room on every change of phase or stage.
 * `stage: 'open'` is pushed once the host's random delay has run on the server (nothing is pushed
 * to players before, so a client cannot anticipate it), a little ahead of `opensAt`: each page
 * turns its button on when its synced clock reaches `opensAt`, so all do at the same instant.
 */
export interface PublicState {
  liveId: string;
  code: string;
  title: string;
  mode: QuizMode;
  /** How a question's ranking is ordered: by arrival, or by the checked reaction time. */
  rankingRule: RankingRule;
  phase: Phase;
  questionCount: number;
  question: PublicQuestion | null;
  stage: Stage | null;
  /** While open with a countdown: milliseconds left when this state was sent, counted from `opensAt` if that is later. */
  remainingMs: number | null;
  /** While open: when answers open, server clock (ms since the epoch). A page turns its button on then, by its synced clock. */
  opensAt: number | null;
  /** While open: ms from sending this state to `opensAt`. A page without a synced clock waits this long after it arrives. */
  opensInMs: number | null;
  /** After close: the answer and the question's ranking. */
  reveal: RevealView | null;
  /** After close and when finished: the top of the leaderboard. */
  leaderboard: LeaderboardView[];
  /** When finished. */
  results: FinalResultsView | null;
  /** Increases with every change; a client ignores a state older than the one it has. */
  version: number;
}

export interface MySubmission {
  ticket: number;
  correct: boolean;
  attempt: number;
}

/** One player's own view: sent to that player only. */
export interface PlayerView {
  playerId: string;
  nickname: string;
  /** The player's last accepted answers to the current question (at most `PLAYER_VIEW_ANSWERS`), in order. */
  current: MySubmission[];
  /** How many answers to the current question were accepted (the quiz's `maxAttempts` at most). */
  attempts: number;
  /** Whether the player may still submit to the current question (mode rules). */
  canSubmit: boolean;
  /** The player's place in the current question's ranking once it is closed (null: not ranked). */
  placement: number | null;
  wins: number;
  points: number;
  /** Place on the leaderboard (ties share a place). */
  rank: number | null;
}

export interface HostPlayerView {
  id: string;
  nickname: string;
  connected: boolean;
  /** online; reconnecting (their link dropped, their session waits to be resumed); gone (page closed or session expired). */
  status: 'online' | 'reconnecting' | 'gone';
  /** Round trip of the last server ping in ms (null: not measured yet). */
  rttMs: number | null;
  transport: string | null;
  /** How far the page's clock sync may be off, ms (null: not synced yet). */
  clockUncertaintyMs: number | null;
  /** False: the clock is not synced well enough, the player is ranked by arrival. */
  clockSynced: boolean;
  /** Accepted answers to the current question. */
  answers: number;
  wins: number;
  points: number;
}

/** The host's view: everything, including the answer before it is revealed. */
export interface HostState {
  public: PublicState;
  /** The current question with its answer (host only). */
  answerKey: { correctOptions?: number[]; acceptedAnswers?: string[] } | null;
  /** Open command given, submissions not accepted yet (random delay): ms left. */
  opensInMs: number | null;
  /** Open command given, its delay still running: the players have been told nothing yet. */
  openingPending: boolean;
  /** The first `HOST_ROWS.players` players in join order (the view of 10,000 would be megabytes). */
  players: HostPlayerView[];
  playerTotal: number;
  onlineTotal: number;
  /** Live ranking of the current question (host sees it while open): its first `HOST_ROWS.ranking` rows. */
  ranking: RankingView[];
  /** Accepted submissions to the current question. */
  submissionCount: number;
  /** The first `HOST_ROWS.ranking` rows (the CSV export has everyone). */
  leaderboard: LeaderboardView[];
  joinUrl: string;
  /** No new players may join. */
  locked: boolean;
  /** Questions already played (closed): showing one again is refused, or does nothing if it is the current one. */
  playedQuestions: number[];
}

/**
 * The presenter screen's view (the projector): only what every player may see, so it never carries
 * the answer before close, and "open" reaches it with the players' state, never earlier. It is
 * pushed with the host's view; the game state itself comes with the players' `state` pushes.
 */
export interface PresenterState {
  public: PublicState;
  playerTotal: number;
  onlineTotal: number;
  /** The first `PRESENTER_NICKNAMES` nicknames in join order, for the lobby. */
  nicknames: string[];
  /** Players who answered the current question (not whether rightly). */
  answered: number;
  joinUrl: string;
}
export const PRESENTER_NICKNAMES = 60;
/** How many of a player's own answers their view carries: it is sent after every accepted answer. */
export const PLAYER_VIEW_ANSWERS = 5;

/** How many rows the host's view carries. */
export const HOST_ROWS = { players: 1000, ranking: 100 } as const;

// ---- events ----------------------------------------------------------------------------------

/**
 * A refusal. `code`, when present, says why in a word a page can act on: `rate-limited` (this
 * address sent too many joins or wrong host passwords: wait `retryAfterMs`).
 */
export type Failure = { ok: false; error: string; code?: 'rate-limited'; retryAfterMs?: number };

export interface JoinRequest {
  code: string;
  nickname: string;
}
export interface RejoinRequest {
  code: string;
  playerId: string;
  secret: string;
}
/** `secret` is the seat's key: the page keeps it (localStorage) to come back after a reload. */
export type JoinReply = { ok: true; liveId: string; playerId: string; secret: string; state: PublicState; you: PlayerView } | Failure;

export interface SubmitRequest {
  questionIndex: number;
  /** Option index (choice) or text (short). */
  answer: number | string;
  /** Chosen by the client; a retry with the same id is answered with the original outcome. */
  clientSubmissionId: string;
  /** From the button turning on to the tap, measured by the page (ms); the server checks it (README: "Ranking rules"). */
  reactionMs?: number;
}
/** The domain's refusals, plus the transport's own: not joined yet, or the answer could not be stored. */
export type RefusalReason = DomainRefusalReason | 'not-joined' | 'server-error';
/** Sent only after an accepted answer is stored. */
export type SubmitReply =
  | { accepted: true; ticket: number; correct: boolean; attempt: number; duplicate: boolean; at: number }
  | { accepted: false; reason: RefusalReason; message: string };

export type HostCommand =
  | { command: 'show'; index: number }
  /** `delayMs: 'random'`: a random delay (default 1–5 s) so nobody can anticipate the signal. */
  | { command: 'open'; delayMs?: number | 'random'; timeLimitMs?: number }
  /** Takes back an open still inside its delay: the question is shown again. */
  | { command: 'cancel-open' }
  | { command: 'close' }
  | { command: 'next' }
  | { command: 'finish' }
  | { command: 'regrade'; questionIndex: number; answer: string }
  /** Removes a player: their answers stop counting (they stay in the store and the exports), their seat is closed to them, their nickname stays taken. */
  | { command: 'kick'; playerId: string }
  /** Closes the session to new players (the seated still come back), or reopens it. */
  | { command: 'lock'; locked: boolean };
export type CommandReply = { ok: true } | Failure;

/** The host's page proves itself with the token it got for the password (`POST /api/auth/token`), or the password. */
export type HostHello = { liveId: string; token: string } | { liveId: string; password: string };
export type HostHelloReply = { ok: true; state: HostState } | Failure;

/** The presenter screen needs the host's credentials: it shows the join code and the players. */
export type PresenterHello = HostHello;
export type PresenterHelloReply = { ok: true; state: PresenterState } | Failure;

/** Events the browser sends (acknowledged ones are functions: request → reply). */
export interface ClientToServer {
  join: (request: JoinRequest) => JoinReply;
  rejoin: (request: RejoinRequest) => JoinReply;
  submit: (request: SubmitRequest) => SubmitReply;
  'host:hello': (request: HostHello) => HostHelloReply;
  'host:command': (command: HostCommand) => CommandReply;
  'presenter:hello': (request: PresenterHello) => PresenterHelloReply;
}

/**
 * Sent to a seat's oldest page when one page too many takes the seat (a seat keeps at most a few
 * pages): that page is unseated and stays so until the player reloads it.
 */
export interface SeatTaken {
  message: string;
}

/** Events the server sends. `ping` is answered with `{}` at once: the server measures the round trip. */
export interface ServerToClient {
  state: PublicState;
  you: PlayerView;
  'seat:taken': SeatTaken;
  'host:state': HostState;
  'presenter:state': PresenterState;
  /** The host removed this player: the page forgets its seat. */
  kicked: { message: string };
  ping: (data: { t: number }) => Record<string, never>;
}

/** The quiz's event contract: the server (`BaroServer<QuizEvents>`) and the pages (`connect<QuizEvents>`) both read it. */
export interface QuizEvents {
  clientToServer: ClientToServer;
  serverToClient: ServerToClient;
}

// ---- HTTP API (host routes need `Authorization: Bearer <host password>`) ------------------------

export interface QuizSummary {
  id: string;
  title: string;
  mode: QuizMode;
  questionCount: number;
  createdAt: number;
}
/** POST /api/quizzes and PUT /api/quizzes/:id: a quiz file as text, or as a JSON value. */
export type QuizUpload = { format: 'json' | 'markdown'; text: string } | { format: 'value'; quiz: unknown };
export interface LiveSummary {
  id: string;
  quizId: string;
  code: string;
  title: string;
  phase: Phase;
  playerCount: number;
  createdAt: number;
  /** Put away by the host (POST /api/live/:id/archive): listed apart. */
  archived: boolean;
}
/** GET /api/join/:code (public). */
export interface JoinInfo {
  liveId: string;
  code: string;
  title: string;
  phase: Phase;
}
/** GET /api/live/:id/report (host): a session's results page. */
export interface SessionReport extends Pick<PublicState, 'liveId' | 'code' | 'title' | 'mode' | 'rankingRule' | 'phase'> {
  createdAt: number;
  leaderboard: LeaderboardView[];
  questions: {
    /** 1-based, as people count. */
    number: number;
    text: string;
    played: boolean;
    /** The correct options ("2. Paris") or the accepted spellings. */
    answer: string[];
    options?: string[];
    correctOptions?: number[];
    distribution: AnswerDistribution;
    correctCount: number;
    ranking: RankingView[];
  }[];
  players: { nickname: string; answers: { question: number; answer: string; correct: boolean; at: number }[] }[];
}

/** POST /api/images (host): the picture's id (what a quiz refers to) and where it is served. */
export interface ImageUploaded {
  id: string;
  url: string;
}
/** POST /api/auth/token (with the password): a host session token and when it expires (ms since epoch). */
export interface HostTokenReply {
  token: string;
  expiresAt: number;
}
/** Every API error: a status code and `{ error }` (several lines for quiz file errors). 429s carry `Retry-After`. */
export interface ApiError {
  error: string;
  details?: string[];
}

// The domain's limits (dependency-free modules, so the browser bundle stays small).
export { NICKNAME_MAX_LENGTH as NICKNAME_MAX } from '../domain/nickname.js';
export { ANSWER_MAX_LENGTH as ANSWER_MAX } from '../domain/quiz.js';
export { IMAGE_MAX_BYTES, IMAGE_TYPES } from '../domain/image-type.js';
