import type { ComponentChild } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { JoinInfo } from '../../../src/shared/protocol.ts';
import { ConnectionStatus } from '../components/ConnectionStatus.tsx';
import { createQuizClient, useConnection } from '../realtime.ts';
import { useStore } from '../store.ts';
import { NicknameForm } from './NicknameForm.tsx';
import { PlayerGame } from './PlayerGame.tsx';
import { PlayerSession } from './session.ts';

/** A player's page once the code is known: the nickname form, then the game. */
export function PlayerRoom({ code, info }: { code: string; info: JoinInfo }) {
  const [session] = useState(() => new PlayerSession(createQuizClient(), code, info.liveId));
  useEffect(() => () => session.dispose(), [session]);
  const { seat, joining, joinError, game, feedback } = useStore(session);
  const connection = useConnection(session.client);

  let body: ComponentChild;
  if (game) {
    body = (
      <>
        {joinError && (
          <p class="card error" role="alert">
            {joinError}
          </p>
        )}
        <PlayerGame game={game} feedback={feedback} onSubmit={(answer) => session.submit(answer)} />
      </>
    );
  } else if (seat) {
    body = <p class={joinError ? 'card error' : 'card muted'}>{joinError ?? 'Taking your seat again…'}</p>;
  } else if (info.phase === 'finished') {
    body = <p class="card">This quiz has ended.</p>;
  } else {
    body = <NicknameForm busy={joining} error={joinError} onJoin={(nickname) => session.join(nickname)} />;
  }

  return (
    <main class="page narrow player">
      <header class="bar">
        <h1>{game?.state.title ?? info.title}</h1>
        <span class="tag">{code}</span>
      </header>
      {body}
      <ConnectionStatus connection={connection} />
    </main>
  );
}
