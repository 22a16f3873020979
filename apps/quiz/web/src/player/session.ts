import type { StateEvent } from '@baro/client';
import type { JoinReply, PlayerView, PublicState, SeatTaken, SubmitRequest } from '../../../src/shared/protocol.ts';
import { errorMessage } from '../errors.ts';
import { messages } from '../i18n/index.ts';
import { ACK_TIMEOUT, askUntilAnswered, whenOpen, type QuizClient } from '../realtime.ts';
import { forgetSeat, loadSeat, saveSeat, type Seat } from '../storage.ts';
import { Store } from '../store.ts';
import { buttonOnAt, syncClock } from '../clock.ts';

/** What became of the player's last submit, for the question it was sent to. */
export type Feedback =
  | { questionIndex: number; kind: 'sending' }
  | { questionIndex: number; kind: 'accepted'; ticket: number; correct: boolean }
  | { questionIndex: number; kind: 'refused'; message: string };

export interface Game {
  state: PublicState;
  you: PlayerView;
  /** When the countdown of an open question ends (`performance.now()`). */
  deadline: number | null;
  /** When the submit button turned on for the open question (`performance.now()`); null: not (yet). */
  buttonOn: number | null;
}

export interface PlayerSnapshot {
  seat: Seat | null;
  /** A join or rejoin is under way. */
  joining: boolean;
  joinError: string | null;
  game: Game | null;
  feedback: Feedback | null;
  /** The host removed this player. */
  kicked: boolean;
}

/** A submit whose answer got lost is sent again this many times at most (same id: counted once). */
const SUBMIT_ATTEMPTS = 5;

/** A stored seat is good only for the live session it was taken in: a code may come back for another one. */
function storedSeat(code: string, liveId: string): Seat | null {
  const seat = loadSeat(code);
  if (seat?.liveId === liveId) return seat;
  if (seat) forgetSeat(code);
  return null;
}

/** crypto.randomUUID exists only in secure contexts, and a quiz on a LAN is often served over plain http. */
function newSubmissionId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The countdown runs from the button turning on. */
const deadlineOf = (state: PublicState, buttonOn: number): number | null => (state.stage === 'open' && state.remainingMs !== null ? buttonOn + state.remainingMs : null);

/** One player's seat in a live session: joining, coming back to it, following the pushed state, submitting. */
export class PlayerSession extends Store<PlayerSnapshot> {
  /** The baro session the seat was last taken on: a new one means the server forgot who we are. */
  #seatedOn: string | null = null;
  /** The baro session a rejoin was last sent for, so that its `open` and `resync` send one between them. */
  #rejoinedFor: string | null = null;
  #rejoining: Promise<void> | null = null;
  readonly #clock: ReturnType<typeof syncClock>;
  #buttonTimer?: ReturnType<typeof setTimeout>;

  constructor(
    readonly client: QuizClient,
    private readonly code: string,
    liveId: string,
  ) {
    const seat = storedSeat(code, liveId);
    super({ seat, joining: seat !== null, joinError: null, game: null, feedback: null, kicked: false });
    this.#clock = syncClock(client);
    client.on('state', this.#onState).on('you', this.#onYou).on('kicked', this.#onKicked).on('seat:taken', this.#onSeatTaken);
    client.onState(this.#onSessionEvent);
    if (seat) this.#rejoin(seat);
  }

  dispose(): void {
    clearTimeout(this.#buttonTimer);
    this.#clock.sync.close();
    this.client.close('page left');
  }

  /** Not sent again when its answer is lost: a second join would find the nickname taken by the first. */
  join(nickname: string): void {
    this.update({ joining: true, joinError: null });
    this.client.emitWithAck('join', { code: this.code, nickname }, { timeout: ACK_TIMEOUT }).then(
      (reply) => (reply.ok ? this.#seated(reply) : this.update({ joining: false, joinError: reply.error })),
      (error: unknown) => this.update({ joining: false, joinError: errorMessage(error) }),
    );
  }

  submit(answer: number | string): void {
    const question = this.value.game?.state.question;
    if (!question || this.value.feedback?.kind === 'sending') return;
    const questionIndex = question.index;
    const buttonOn = this.value.game?.buttonOn;
    const reactionMs = buttonOn == null ? undefined : Math.max(0, performance.now() - buttonOn);
    const request: SubmitRequest = { questionIndex, answer, clientSubmissionId: newSubmissionId(), ...(reactionMs === undefined ? {} : { reactionMs }) };
    this.update({ feedback: { questionIndex, kind: 'sending' } });
    askUntilAnswered(() => this.client.emitWithAck('submit', request, { timeout: ACK_TIMEOUT }), () => this.#ready(), SUBMIT_ATTEMPTS).then(
      (reply) =>
        this.update({
          feedback: reply.accepted
            ? { questionIndex, kind: 'accepted', ticket: reply.ticket, correct: reply.correct }
            : { questionIndex, kind: 'refused', message: messages().refusal[reply.reason] ?? reply.message },
        }),
      (error: unknown) => this.update({ feedback: { questionIndex, kind: 'refused', message: errorMessage(error) } }),
    );
  }

  #seated(reply: Extract<JoinReply, { ok: true }>): void {
    const seat: Seat = { liveId: reply.liveId, playerId: reply.playerId, secret: reply.secret, nickname: reply.you.nickname };
    saveSeat(this.code, seat);
    this.#seatedOn = this.client.sessionId;
    // The reply replaces whatever was shown: after a server restart, versions may have started over.
    this.update({ seat, joining: false, joinError: null });
    this.#show(reply.state, reply.you);
  }

  #rejoin(seat: Seat): void {
    this.update({ joining: true });
    const request = { code: this.code, playerId: seat.playerId, secret: seat.secret };
    const rejoining = askUntilAnswered(
      () => this.client.emitWithAck('rejoin', request, { timeout: ACK_TIMEOUT }),
      () => whenOpen(this.client),
    )
      .then(
        (reply) => {
          if (reply.ok) return this.#seated(reply);
          // The server does not know this seat (any more): a new nickname is the way back in.
          forgetSeat(this.code);
          this.update({ seat: null, game: null, joining: false, joinError: messages().join.couldNotRejoin });
        },
        (error: unknown) => this.update({ joining: false, joinError: errorMessage(error) }),
      )
      .finally(() => {
        if (this.#rejoining === rejoining) this.#rejoining = null;
      });
    this.#rejoining = rejoining;
  }

  /** Ready to send again: connected, and seated again if the server had lost the session. */
  async #ready(): Promise<void> {
    await whenOpen(this.client);
    await this.#rejoining;
  }

  #onSessionEvent = (event: StateEvent): void => {
    const lost =
      event.type === 'resync' || (event.type === 'open' && !event.resumed && this.#seatedOn !== null && event.sid !== this.#seatedOn);
    if (!lost || event.sid === this.#rejoinedFor || !this.value.seat) return;
    this.#rejoinedFor = event.sid;
    this.#rejoin(this.value.seat);
  };

  #onState = (state: PublicState): void => {
    const game = this.value.game;
    // Before the join is answered there is nothing to update: the answer carries the state.
    if (!game) return;
    if (state.liveId === game.state.liveId && state.version < game.state.version) return;
    if (state.version === game.state.version) return;
    this.#show(state, game.you);
  };

  /** Shows a new state; an opening one turns the button on at the opening instant (clock.ts). */
  #show(state: PublicState, you: PlayerView): void {
    clearTimeout(this.#buttonTimer);
    const receivedAt = performance.now();
    if (state.stage !== 'open') return this.update({ game: { state, you, deadline: null, buttonOn: null } });
    const at = buttonOnAt(state, receivedAt, this.#clock);
    const turnOn = (): void => {
      const now = performance.now();
      const game = this.value.game;
      if (game) this.update({ game: { ...game, buttonOn: now, deadline: deadlineOf(state, now) } });
    };
    this.update({ game: { state, you, deadline: null, buttonOn: null } });
    if (at <= receivedAt) turnOn();
    else this.#buttonTimer = setTimeout(turnOn, at - receivedAt);
  }
  /** Removed by the host: the seat is gone for good, so is the stored secret. */
  #onKicked = (): void => {
    clearTimeout(this.#buttonTimer);
    forgetSeat(this.code);
    this.update({ seat: null, game: null, joining: false, joinError: null, kicked: true });
  };

  /** The seat was taken on another page (one too many): this page stops showing the game until reloaded. */
  #onSeatTaken = ({ message }: SeatTaken): void => {
    clearTimeout(this.#buttonTimer);
    this.update({ game: null, joining: false, joinError: `${message[0].toUpperCase()}${message.slice(1)}.` });
  };

  #onYou = (you: PlayerView): void => {
    const game = this.value.game;
    if (game) this.update({ game: { ...game, you } });
  };
}
