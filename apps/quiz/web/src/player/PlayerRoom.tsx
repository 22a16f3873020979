import type { ComponentChild } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { JoinInfo } from '../../../src/shared/protocol.ts';
import { ConnectionStatus } from '../components/ConnectionStatus.tsx';
import { LanguageSwitch } from '../components/LanguageSwitch.tsx';
import { useT } from '../i18n/index.ts';
import { translateServerError } from '../i18n/server-errors.ts';
import { createQuizClient, useConnection } from '../realtime.ts';
import { useStore } from '../store.ts';
import { NicknameForm } from './NicknameForm.tsx';
import { PlayerGame } from './PlayerGame.tsx';
import { PlayerSession } from './session.ts';

/** A player's page once the code is known: the nickname form, then the game. */
export function PlayerRoom({ code, info }: { code: string; info: JoinInfo }) {
  const [session] = useState(() => new PlayerSession(createQuizClient(), code, info.liveId));
  useEffect(() => () => session.dispose(), [session]);
  const { seat, joining, joinError: rawJoinError, game, feedback, kicked } = useStore(session);
  const connection = useConnection(session.client);
  const t = useT();
  const joinError = rawJoinError && translateServerError(t, rawJoinError);

  let body: ComponentChild;
  if (kicked) {
    body = (
      <p class="card error" role="alert" data-testid="kicked">
        {t.errors.kicked}
      </p>
    );
  } else if (game) {
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
    body = <p class={joinError ? 'card error' : 'card muted'}>{joinError ?? t.join.rejoining}</p>;
  } else if (info.phase === 'finished') {
    body = <p class="card">{t.join.ended}</p>;
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
      <LanguageSwitch />
    </main>
  );
}
