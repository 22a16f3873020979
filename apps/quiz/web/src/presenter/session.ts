import type { StateEvent } from '@baro/client';
import type { PresenterState, PublicState } from '../../../src/shared/protocol.ts';
import { errorMessage } from '../errors.ts';
import { ACK_TIMEOUT, askUntilAnswered, whenOpen, type QuizClient } from '../realtime.ts';
import { Store } from '../store.ts';
import { deadlineIn } from '../time.ts';
import { buttonOnAt, syncClock } from '../clock.ts';

export interface PresenterSnapshot {
  /** The lobby's numbers, as last pushed. */
  extras: PresenterState | null;
  /** The game as the players see it: the newest of the players' pushes and the presenter's. */
  shown: PublicState | null;
  deadline: number | null;
  error: string | null;
}

/**
 * The projector's page: read-only, with the host's sign-in token (never the password). It follows the players' state
 * (which never carries the answer before close, and turns "open" only when the players' does) and
 * the presenter view for the join numbers. An opening is announced a little ahead of its instant:
 * like the phones, the screen turns "open" at the instant, by its synced clock (clock.ts).
 */
export class PresenterSession extends Store<PresenterSnapshot> {
  #helloOn: string | null = null;
  #helloFor: string | null = null;
  readonly #clock: ReturnType<typeof syncClock>;
  #openTimer?: ReturnType<typeof setTimeout>;

  constructor(
    readonly client: QuizClient,
    private readonly liveId: string,
    private readonly token: string,
  ) {
    super({ extras: null, shown: null, deadline: null, error: null });
    this.#clock = syncClock(client);
    client.on('state', this.#onState).on('presenter:state', this.#onPresenter);
    client.onState(this.#onSessionEvent);
    this.#hello();
  }

  dispose(): void {
    clearTimeout(this.#openTimer);
    this.#clock.sync.close();
    this.client.close('page left');
  }

  #hello(): void {
    const hello = { liveId: this.liveId, token: this.token };
    askUntilAnswered(
      () => this.client.emitWithAck('presenter:hello', hello, { timeout: ACK_TIMEOUT }),
      () => whenOpen(this.client),
    ).then(
      (reply) => {
        if (!reply.ok) return this.update({ error: reply.error });
        this.#helloOn = this.client.sessionId;
        this.update({ extras: reply.state, error: null });
        this.#show(reply.state.public, true);
      },
      (error: unknown) => this.update({ error: errorMessage(error) }),
    );
  }

  #show(state: PublicState, replace: boolean): void {
    const shown = this.value.shown;
    if (!replace && shown && state.version < shown.version) return;
    clearTimeout(this.#openTimer);
    const receivedAt = performance.now();
    const at = state.stage === 'open' ? buttonOnAt(state, receivedAt, this.#clock) : receivedAt;
    const show = (): void => this.update({ shown: state, deadline: state.stage === 'open' ? deadlineIn(state.remainingMs) : null });
    if (at <= receivedAt) return show();
    // Until the instant the room sees what the phones show: the question, answers not open yet.
    this.update({ shown: { ...state, stage: 'shown' }, deadline: null });
    this.#openTimer = setTimeout(show, at - receivedAt);
  }

  #onState = (state: PublicState): void => this.#show(state, false);

  #onPresenter = (state: PresenterState): void => {
    this.update({ extras: state });
    this.#show(state.public, false);
  };

  #onSessionEvent = (event: StateEvent): void => {
    const lost = event.type === 'resync' || (event.type === 'open' && !event.resumed && this.#helloOn !== null && event.sid !== this.#helloOn);
    if (!lost || event.sid === this.#helloFor) return;
    this.#helloFor = event.sid;
    this.#hello();
  };
}
