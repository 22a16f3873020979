import type { FinalResultsView } from '../../../src/shared/protocol.ts';
import { useT } from '../i18n/index.ts';
import { Leaderboard } from './Leaderboard.tsx';
import { Podium } from './Podium.tsx';

export function FinalResults({ results, highlight }: { results: FinalResultsView; highlight?: string }) {
  const t = useT();
  const { crowned, winner, leaderboard, mode } = results;
  return (
    <section class="card final" data-testid="final-results">
      <h2>{t.final.title}</h2>
      <Podium leaderboard={leaderboard} mode={mode} />
      {winner && crowned.length > 1 && <p class="muted">{t.final.tieBreak(winner.nickname)}</p>}
      <Leaderboard rows={leaderboard} mode={mode} highlight={highlight} />
    </section>
  );
}
