/** Real baro clients speaking the quiz protocol, for tests and the benchmark's simulated players. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClockSync, connect, type BaroClient, type TransportName } from '@baro/client';
import { WebSocket } from 'baro';
import { startQuizApp, type QuizApp, type QuizAppOptions } from '../quiz-app.js';
import type { ClientToServer, HostState, PlayerView, PublicState, QuizEvents } from '../shared/protocol.js';

export type QuizClient = BaroClient<QuizEvents>;
export const HOST_PASSWORD = 'test-host-password';

export function quizClient(url: string, transports?: readonly TransportName[]): QuizClient {
  const client = connect<QuizEvents>(url, {
    WebSocket: WebSocket as never,
    ...(transports ? { transports } : {}),
    pollInterval: 50,
    reconnect: { initialDelay: 50, maxDelay: 500 },
  });
  client.on('ping', (_data, ack) => ack({}));
  return client;
}

/** Waits until `predicate` holds for a value the callback is given, or fails after `timeoutMs`. */
export function waitFor<T>(subscribe: (listener: (value: T) => void) => void, predicate: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      reject(new Error(`condition not met within ${timeoutMs} ms`));
    }, timeoutMs);
    subscribe((value) => {
      if (done || !predicate(value)) return;
      done = true;
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/** The real clock every test player shares (ms), whatever their own clock says. */
export const realNow = (): number => performance.timeOrigin + performance.now();

export interface TestPlayerOptions {
  /** The player's clock runs this many ms ahead of the real one (negative: behind). Default 0. */
  skewMs?: number;
  /**
   * What a test player waits out after the opening instant by its clock, so that its instant
   * answers are never false starts: `half-rtt` (default), the hard bound of the clock's error
   * whatever the path; `uncertainty`, the estimate's own (symmetric paths, as DelayingProxy's).
   */
  margin?: 'half-rtt' | 'uncertainty';
  /**
   * False: the player never syncs its clock (it then waits out `opensInMs` from arrival), for
   * tests that count what the server writes: each exchange's answer would be counted. Default true.
   */
  syncClock?: boolean;
}

/**
 * A player as the page behaves: it syncs its clock to the server's, and an opening state takes
 * effect (the button turns on) when its synced clock reaches `opensAt`, not when it arrives.
 */
export class TestPlayer {
  state: PublicState | null = null;
  you: PlayerView | null = null;
  readonly states: PublicState[] = [];
  readonly sync: ClockSync;
  /**
   * When the button last turned on: the player's own clock, and the real one; `planned`, the real
   * instant its timer was set for (the timer itself runs late on a loaded machine).
   */
  buttonOn: { local: number; real: number; planned: number } | null = null;
  /** Every state as it arrived, the opening one included before it takes effect. */
  readonly received: PublicState[] = [];
  readonly #skew: number;
  readonly #margin: 'half-rtt' | 'uncertainty';
  #pending?: NodeJS.Timeout;
  readonly #listeners = new Set<() => void>();

  constructor(
    readonly client: QuizClient,
    options: TestPlayerOptions = {},
  ) {
    this.#skew = options.skewMs ?? 0;
    this.#margin = options.margin ?? 'half-rtt';
    this.sync = new ClockSync(client, { now: () => realNow() + this.#skew, burstSpacingMs: 20 });
    if (options.syncClock === false) this.sync.close();
    client.on('state', (state) => this.receive(state));
    client.on('you', (you) => {
      this.you = you;
      this.#changed();
    });
  }

  /** A state from the server (pushed, or in a join reply). */
  receive(state: PublicState): void {
    const arrived = this.sync.now();
    this.received.push(state);
    if (this.state && state.version < this.state.version) return;
    clearTimeout(this.#pending);
    if (state.stage === 'open' && state.opensAt !== null && state.version !== this.state?.version) {
      // By the synced clock; unsynced, the wait the server announced, counted from arrival (never
      // early). Unlike a page, a test player answers the instant its button is on, faster than any
      // person: it waits out its clock's possible error too, so that it never false-starts.
      const estimate = this.sync.estimate;
      const margin = estimate && (this.#margin === 'uncertainty' ? estimate.uncertaintyMs : Math.max(estimate.uncertaintyMs, estimate.rttMs / 2));
      const at = estimate ? state.opensAt - estimate.offsetMs + margin! : arrived + (state.opensInMs ?? 0);
      const planned = Math.max(at, arrived) - this.#skew;
      this.#pending = setTimeout(() => this.#apply(state, planned), Math.max(0, at - this.sync.now()));
      return;
    }
    this.#apply(state);
  }

  /** `planned`: an opening state, and the real instant it was to take effect. */
  #apply(state: PublicState, planned?: number): void {
    if (planned !== undefined) this.buttonOn = { local: this.sync.now(), real: realNow(), planned };
    this.state = state;
    this.states.push(state);
    this.#changed();
  }

  /** Answers, with the reaction time the page measured since its button turned on. */
  submit(questionIndex: number, answer: number | string, clientSubmissionId = `${Math.random()}`, reactionMs = this.reactionMs()) {
    return this.client.emitWithAck('submit', { questionIndex, answer, clientSubmissionId, ...(reactionMs === undefined ? {} : { reactionMs }) });
  }

  reactionMs(): number | undefined {
    return this.buttonOn ? this.sync.now() - this.buttonOn.local : undefined;
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }

  /** Resolves when the player's state satisfies `predicate`. */
  until(predicate: (player: TestPlayer) => boolean, timeoutMs = 5000): Promise<TestPlayer> {
    if (predicate(this)) return Promise.resolve(this);
    return waitFor<TestPlayer>((listener) => this.#listeners.add(() => listener(this)), predicate, timeoutMs);
  }
}

export class TestHost {
  state: HostState | null = null;
  readonly #listeners = new Set<() => void>();

  constructor(readonly client: QuizClient) {
    client.on('host:state', (state) => {
      this.state = state;
      for (const listener of this.#listeners) listener();
    });
  }

  async hello(liveId: string, password = HOST_PASSWORD): Promise<void> {
    const reply = await this.client.emitWithAck('host:hello', { liveId, password });
    if (!reply.ok) throw new Error(reply.error);
    this.state = reply.state;
  }

  async command(command: Parameters<ClientToServer['host:command']>[0]): Promise<void> {
    const reply = await this.client.emitWithAck('host:command', command);
    if (!reply.ok) throw new Error(`${command.command}: ${reply.error}`);
  }

  until(predicate: (state: HostState) => boolean, timeoutMs = 5000): Promise<HostState> {
    if (this.state && predicate(this.state)) return Promise.resolve(this.state);
    return waitFor<HostState>((listener) => this.#listeners.add(() => this.state && listener(this.state)), predicate, timeoutMs);
  }
}

export async function joinAs(url: string, code: string, nickname: string, transports?: readonly TransportName[], options: TestPlayerOptions = {}) {
  const player = new TestPlayer(quizClient(url, transports), options);
  const reply = await player.client.emitWithAck('join', { code, nickname });
  if (!reply.ok) throw new Error(reply.error);
  if (!player.state) player.receive(reply.state);
  player.you ??= reply.you;
  return { player, seat: reply };
}

/** A quiz server on 127.0.0.1 with its SQLite file in a fresh temporary folder. */
export async function startTestApp(options: QuizAppOptions = {}): Promise<QuizApp & { dir: string; restart(): Promise<QuizApp>; dispose(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'baro-quiz-'));
  const base = { host: '127.0.0.1', port: 0, dbPath: join(dir, 'quiz.db'), hostPassword: HOST_PASSWORD, ...options };
  let app = await startQuizApp(base);
  const handle = {
    ...app,
    dir,
    async restart() {
      const port = Number(new URL(app.url).port);
      await app.close();
      app = await startQuizApp({ ...base, port });
      return app;
    },
    async dispose() {
      await app.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return handle;
}
