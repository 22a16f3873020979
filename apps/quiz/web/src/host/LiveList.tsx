import type { LiveSummary, Phase } from '../../../src/shared/protocol.ts';
import { Link } from '../components/Link.tsx';

const PHASES: Record<Phase, string> = { before: 'not started', ongoing: 'running', finished: 'finished' };

export function LiveList({ lives }: { lives: LiveSummary[] }) {
  const newestFirst = [...lives].sort((a, b) => b.createdAt - a.createdAt);
  return (
    <>
      {lives.length === 0 && <p class="muted">No live sessions yet.</p>}
      <ul class="list" data-testid="live-list">
        {newestFirst.map((live) => (
          <li key={live.id} class="list-item">
            <Link href={`/host/live/${encodeURIComponent(live.id)}`} class="grow">
              <strong>{live.title}</strong>
            </Link>
            <span class="tag">{live.code}</span>
            <span class={`phase phase-${live.phase}`}>{PHASES[live.phase]}</span>
            <span class="muted small">{live.playerCount === 1 ? '1 player' : `${live.playerCount} players`}</span>
          </li>
        ))}
      </ul>
    </>
  );
}
