import { useState } from 'preact/hooks';
import type { LiveSummary } from '../../../src/shared/protocol.ts';
import type { HostApi } from '../api.ts';
import { Link } from '../components/Link.tsx';
import { errorMessage } from '../errors.ts';
import { useLanguage, useT } from '../i18n/index.ts';

/** Live sessions, newest first, with their date and state; archived ones are folded away below. */
export function LiveList({ api, lives, onChanged }: { api: HostApi; lives: LiveSummary[]; onChanged: () => void }) {
  const t = useT();
  const [error, setError] = useState<string | null>(null);
  const newestFirst = [...lives].sort((a, b) => b.createdAt - a.createdAt);
  const current = newestFirst.filter((live) => !live.archived);
  const archived = newestFirst.filter((live) => live.archived);
  const setArchived = (live: LiveSummary, value: boolean): void => {
    setError(null);
    api.archive(live.id, value).then(onChanged, (failure: unknown) => setError(errorMessage(failure)));
  };
  return (
    <>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {lives.length === 0 && <p class="muted">{t.lives.none}</p>}
      <LiveItems lives={current} onArchive={(live) => setArchived(live, true)} />
      {archived.length > 0 && (
        <details data-testid="archived-lives">
          <summary>{t.lives.showArchived(archived.length)}</summary>
          <LiveItems lives={archived} onArchive={(live) => setArchived(live, false)} />
        </details>
      )}
    </>
  );
}

function LiveItems({ lives, onArchive }: { lives: LiveSummary[]; onArchive: (live: LiveSummary) => void }) {
  const t = useT();
  const language = useLanguage();
  const date = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <ul class="list" data-testid="live-list">
      {lives.map((live) => (
        <li key={live.id} class="list-item" data-testid="live-item" data-phase={live.phase} data-archived={String(live.archived)}>
          <Link href={`/host/live/${encodeURIComponent(live.id)}`} class="grow">
            <strong>{live.title}</strong>
          </Link>
          <time class="muted small" dateTime={new Date(live.createdAt).toISOString()}>
            {date.format(live.createdAt)}
          </time>
          <span class="tag">{live.code}</span>
          <span class={`phase phase-${live.phase}`}>{t.lives.phases[live.phase]}</span>
          <span class="muted small">{t.presenter.players(live.playerCount)}</span>
          <Link href={`/host/results/${encodeURIComponent(live.id)}`}>{t.results.open}</Link>
          <button class="small" data-testid="archive-live" onClick={() => onArchive(live)}>
            {live.archived ? t.lives.unarchive : t.lives.archive}
          </button>
        </li>
      ))}
    </ul>
  );
}
