import type { StateEvent } from '@baro/client';
import type { HostCommand, HostState } from '../../../../src/shared/protocol.ts';
import { errorMessage } from '../../errors.ts';
import { ACK_TIMEOUT, askUntilAnswered, whenOpen, type QuizClient } from '../../realtime.ts';
import { Store } from '../../store.ts';
import { deadlineIn } from '../../time.ts';

export interface HostSnapshot {
  state: HostState | null;
  /** When the random delay before submissions open ends (see `deadlineIn`). */
  opensAt: number | null;
  /** When the open question's countdown ends. */
  deadline: number | null;
  helloError: string | null;
  commandError: string | null;
  /** A command is waiting for its answer. */
  busy: boolean;
}

/** The host's page in a live session: says hello (again after the server lost the session), follows the state, commands. */
export class HostLiveSession extends Store<HostSnapshot> {
  /** The baro session the hello was last answered on: a new one means the server forgot this page. */
  #helloOn: string | null = null;
  /** The baro session a hello was last sent for, so that its `open` and `resync` send one between them. */
  #helloFor: string | null = null;

  constructor(
    readonly client: QuizClient,
    private readonly liveId: string,
    private readonly token: string,
  ) {
    super({ state: null, opensAt: null, deadline: null, helloError: null, commandError: null, busy: false });
    client.on('host:state', this.#onState);
    client.onState(this.#onSessionEvent);
    this.#hello();
  }

  dispose(): void {
    this.client.close('page left');
  }

  /** Resolves to whether the server took the command. Not sent again when its answer is lost: `next` twice skips a question. */
  async command(command: HostCommand): Promise<boolean> {
    this.update({ busy: true, commandError: null });
    try {
      const reply = await this.client.emitWithAck('host:command', command, { timeout: ACK_TIMEOUT });
      this.update({ busy: false, commandError: reply.ok ? null : reply.error });
      return reply.ok;
    } catch (error) {
      this.update({ busy: false, commandError: errorMessage(error) });
      return false;
    }
  }

  #hello(): void {
    const hello = { liveId: this.liveId, token: this.token };
    askUntilAnswered(
      () => this.client.emitWithAck('host:hello', hello, { timeout: ACK_TIMEOUT }),
      () => whenOpen(this.client),
    ).then(
      (reply) => {
        if (!reply.ok) return this.update({ helloError: reply.error });
        this.#helloOn = this.client.sessionId;
        this.#show(reply.state, true);
      },
      (error: unknown) => this.update({ helloError: errorMessage(error) }),
    );
  }

  /** `replace`: a hello's answer is taken whatever its version (after a server restart, versions may have started over). */
  #show(state: HostState, replace: boolean): void {
    const shown = this.value.state?.public;
    if (!replace && shown && shown.liveId === state.public.liveId && state.public.version < shown.version) return;
    this.update({
      state,
      helloError: null,
      opensAt: deadlineIn(state.opensInMs),
      deadline: state.public.stage === 'open' ? deadlineIn(state.public.remainingMs) : null,
    });
  }

  #onState = (state: HostState): void => this.#show(state, false);

  #onSessionEvent = (event: StateEvent): void => {
    const lost =
      event.type === 'resync' || (event.type === 'open' && !event.resumed && this.#helloOn !== null && event.sid !== this.#helloOn);
    if (!lost || event.sid === this.#helloFor) return;
    this.#helloFor = event.sid;
    this.#hello();
  };
}
