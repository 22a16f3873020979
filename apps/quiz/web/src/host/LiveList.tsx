import type { LiveSummary } from '../../../src/shared/protocol.ts';
import { Link } from '../components/Link.tsx';
import { useLanguage, useT } from '../i18n/index.ts';

export function LiveList({ lives }: { lives: LiveSummary[] }) {
  const t = useT();
  const language = useLanguage();
  const date = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' });
  const newestFirst = [...lives].sort((a, b) => b.createdAt - a.createdAt);
  return (
    <>
      {lives.length === 0 && <p class="muted">{t.lives.none}</p>}
      <ul class="list" data-testid="live-list">
        {newestFirst.map((live) => (
          <li key={live.id} class="list-item" data-testid="live-item" data-phase={live.phase}>
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
          </li>
        ))}
      </ul>
    </>
  );
}
