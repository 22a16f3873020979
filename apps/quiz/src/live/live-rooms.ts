import { LiveSession } from '../domain/live-session.js';
import type { NicknameFilter } from '../domain/nickname-filter.js';
import type { Quiz } from '../domain/quiz.js';
import { normalizeJoinCode, type AddPlayerResult, type AppendResult, type NewPlayer, type NewSubmission, type QuizStore } from '../store/store.js';
import { LiveRoom, type RoomOptions } from './live-room.js';
import { loadLiveSession, quizOf, saveLiveSession } from './persistence.js';
import { GroupCommit } from './group-commit.js';

export interface LiveRoomsOptions {
  /** The address players reach the server on (known once it listens); join links and QR codes point there. */
  publicUrl: () => string;
  now?: () => number;
  random?: () => number;
  randomDelayMs?: { min: number; max: number };
  maxPlayers?: number;
  openLead?: RoomOptions['openLead'];
  fairness?: RoomOptions['fairness'];
  serverLagMs?: RoomOptions['serverLagMs'];
  nicknameFilter?: NicknameFilter;
}

/**
 * The live sessions in memory. A session is loaded from the store the first time it is asked for,
 * so after a restart every session comes back as it was, pending opens and countdowns included.
 */
export class LiveRooms {
  /** Answers and joins are each stored in group commits shared by every room: one fsync per batch. */
  readonly answers: GroupCommit<NewSubmission, AppendResult>;
  readonly joins: GroupCommit<NewPlayer, AddPlayerResult>;
  readonly #store: QuizStore;
  readonly #options: LiveRoomsOptions;
  readonly #rooms = new Map<string, LiveRoom>();
  readonly #listeners = new Set<(room: LiveRoom) => void>();

  constructor(store: QuizStore, options: LiveRoomsOptions) {
    this.#store = store;
    this.#options = options;
    this.answers = new GroupCommit((inputs) => store.appendSubmissions(inputs));
    // A join waits up to 2 ms for others: at hundreds of joins a second they then share an fsync.
    this.joins = new GroupCommit((inputs) => store.addPlayers(inputs), { delayMs: 2 });
  }

  /** Called for every room as it comes into memory (the realtime layer connects its outlet). */
  onRoom(listener: (room: LiveRoom) => void): void {
    this.#listeners.add(listener);
  }

  /** Starts a live session of a stored quiz (its body is a validated `Quiz`). */
  create(quizId: string): LiveRoom {
    const quiz = this.#quiz(quizId);
    const session = LiveSession.create(quiz);
    const record = this.#store.createLiveSession({ quizId, phase: session.phase });
    saveLiveSession(this.#store, record.id, session);
    return this.#add(new LiveRoom(this.#roomOptions(record, session)));
  }

  get(liveId: string): LiveRoom | undefined {
    const loaded = this.#rooms.get(liveId);
    if (loaded) return loaded;
    const record = this.#store.getLiveSession(liveId);
    if (!record) return undefined;
    const session = loadLiveSession(this.#store, record, this.#quiz(record.quizId));
    return this.#add(new LiveRoom(this.#roomOptions(record, session)));
  }

  byCode(code: unknown): LiveRoom | undefined {
    const normalized = typeof code === 'string' ? normalizeJoinCode(code) : undefined;
    const record = normalized === undefined ? undefined : this.#store.getLiveSessionByCode(normalized);
    return record && this.get(record.id);
  }

  joinUrl(code: string): string {
    return `${this.#options.publicUrl()}/join/${code}`;
  }

  /** Stores the joins and answers still queued and stops every timer. */
  close(): void {
    this.joins.flush();
    this.answers.flush();
    for (const room of this.#rooms.values()) room.dispose();
    this.#rooms.clear();
  }

  #quiz(quizId: string): Quiz {
    const record = this.#store.getQuiz(quizId);
    if (!record) throw new Error(`no quiz ${quizId}`);
    return quizOf(record);
  }

  #roomOptions(record: ReturnType<QuizStore['createLiveSession']>, session: LiveSession) {
    const { now, random, randomDelayMs, maxPlayers, openLead, fairness, serverLagMs, nicknameFilter } = this.#options;
    return {
      store: this.#store,
      answers: this.answers,
      joins: this.joins,
      record,
      session,
      joinUrl: this.joinUrl(record.code),
      now,
      random,
      randomDelayMs,
      maxPlayers,
      openLead,
      fairness,
      serverLagMs,
      nicknameFilter,
    };
  }

  #add(room: LiveRoom): LiveRoom {
    this.#rooms.set(room.id, room);
    for (const listener of this.#listeners) listener(room);
    return room;
  }
}
