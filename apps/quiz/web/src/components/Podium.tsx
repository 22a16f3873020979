import type { LeaderboardView, QuizMode } from '../../../src/shared/protocol.ts';
import { useT } from '../i18n/index.ts';

/**
 * The top three on steps, second-first-third on screen. They rise in one after another (third, second, first);
 * under `prefers-reduced-motion` the CSS shows them at once.
 */
export function Podium({ leaderboard, mode }: { leaderboard: LeaderboardView[]; mode: QuizMode }) {
  const t = useT();
  const top = leaderboard.filter((row) => (mode === 'cotato' ? row.wins > 0 : row.points > 0)).slice(0, 3);
  if (top.length === 0) return <p class="muted">{t.final.nobody}</p>;
  return (
    <ol class="podium" data-testid="podium" aria-label={t.final.podium}>
      {/* In reading order (first place first); CSS places second on the left and third on the right. */}
      {top.map((row) => (
        <li key={row.playerId} class={`step step-${row.rank}`} data-testid="podium-step" data-rank={row.rank} data-nickname={row.nickname}>
          <span class="podium-name">{row.nickname}</span>
          <span class="podium-score">{mode === 'cotato' ? t.final.won(row.wins) : t.final.pts(row.points)}</span>
          <span class="podium-place">{t.final.place(row.rank)}</span>
        </li>
      ))}
    </ol>
  );
}
