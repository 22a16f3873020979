import { useEffect, useState } from 'preact/hooks';
import type { HostApi } from '../api.ts';
import { ConnectionStatus } from '../components/ConnectionStatus.tsx';
import { LanguageSwitch } from '../components/LanguageSwitch.tsx';
import { FinalResults } from '../components/FinalResults.tsx';
import { Leaderboard } from '../components/Leaderboard.tsx';
import { Link } from '../components/Link.tsx';
import { Ranking } from '../components/Ranking.tsx';
import { Controls } from '../host/live/Controls.tsx';
import { ExportButtons } from '../host/live/ExportButtons.tsx';
import { JoinPanel } from '../host/live/JoinPanel.tsx';
import { KickButton, LobbyLock } from '../host/live/Moderation.tsx';
import { PlayerTable } from '../host/live/PlayerTable.tsx';
import { QuestionPanel } from '../host/live/QuestionPanel.tsx';
import { Regrade } from '../host/live/Regrade.tsx';
import { HostLiveSession } from '../host/live/session.ts';
import { createQuizClient, useConnection } from '../realtime.ts';
import { useStore } from '../store.ts';
import { useT } from '../i18n/index.ts';

/** The host's control room for one live session; everything comes back after a reload from the URL and the stored sign-in token. */
export function HostLivePage({ api, liveId }: { api: HostApi; liveId: string }) {
  const [session] = useState(() => new HostLiveSession(createQuizClient(), liveId, api.token));
  useEffect(() => () => session.dispose(), [session]);
  const { state, opensAt, deadline, helloError, commandError, busy } = useStore(session);
  const connection = useConnection(session.client);
  const command = session.command.bind(session);
  const shown = state?.public;
  const t = useT();

  return (
    <main class="page wide" data-testid="host-view" data-phase={shown?.phase ?? ''} data-stage={shown?.stage ?? ''}>
      <header class="bar">
        <h1>{shown?.title ?? t.host.liveSession}</h1>
        {shown && <span class="tag">{shown.mode}</span>}
        <a href={`/present/${encodeURIComponent(liveId)}`} target="_blank" rel="noopener" data-testid="open-presenter">
          {t.presenter.open}
        </a>
        <Link href="/host">{t.host.allQuizzes}</Link>
      </header>
      {helloError && (
        <p class="card error" role="alert">
          {helloError}
        </p>
      )}
      {!state || !shown ? (
        !helloError && <p class="muted">{t.host.connecting}</p>
      ) : (
        <div class="live-grid">
          <div class="stack side">
            <JoinPanel code={shown.code} joinUrl={state.joinUrl} />
            <LobbyLock locked={state.locked} finished={shown.phase === 'finished'} busy={busy} onCommand={command} />
            <Controls
              state={state}
              total={shown.questionCount}
              busy={busy}
              error={commandError}
              opensAt={opensAt}
              onCommand={command}
            />
          </div>
          <div class="stack main">
            {/* Finished: the final results carry the leaderboard. */}
            {shown.phase === 'finished' && shown.results && <FinalResults results={shown.results} />}
            <QuestionPanel state={state} deadline={deadline} />
            {shown.question?.kind === 'short' && shown.stage === 'closed' && (
              <Regrade questionIndex={shown.question.index} busy={busy} onCommand={command} />
            )}
            <section class="card">
              <h2>{t.host.ranking}</h2>
              <Ranking rows={state.ranking} reaction={state.public.rankingRule === 'reaction'} />
            </section>
            {shown.phase !== 'finished' && (
              <section class="card">
                <h2>{t.host.leaderboard}</h2>
                <Leaderboard rows={state.leaderboard} mode={shown.mode} />
              </section>
            )}
            <PlayerTable
              players={state.players}
              total={state.playerTotal}
              online={state.onlineTotal}
              mode={shown.mode}
              actions={(player) => <KickButton player={player} busy={busy} onCommand={command} />}
            />
            <ExportButtons api={api} liveId={liveId} code={shown.code} />
          </div>
        </div>
      )}
      <ConnectionStatus connection={connection} />
      <LanguageSwitch />
    </main>
  );
}
