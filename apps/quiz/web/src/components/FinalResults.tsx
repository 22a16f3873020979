import type { FinalResultsView } from '../../../src/shared/protocol.ts';
import { Leaderboard } from './Leaderboard.tsx';

/** Drawn rather than an emoji: not every device (or projector PC) has an emoji font. */
function Crown() {
  return (
    <svg class="crown" viewBox="0 0 24 18" width="22" height="16" aria-hidden="true">
      <path d="M2 16h20l1-12-6 5-5-8-5 8-6-5z" fill="currentColor" />
    </svg>
  );
}

export function FinalResults({ results, highlight }: { results: FinalResultsView; highlight?: string }) {
  const { crowned, winner, leaderboard, mode } = results;
  return (
    <section class="card final" data-testid="final-results">
      <h2>Final results</h2>
      {crowned.length === 0 ? (
        <p class="muted">Nobody scored this time.</p>
      ) : (
        <ul class="crowned">
          {crowned.map((player) => (
            <li key={player.playerId} class={player.playerId === winner?.playerId ? 'winner' : undefined}>
              <Crown /> {player.nickname}
              <small>{mode === 'cotato' ? ` ${player.wins} won` : ` ${player.points} pts`}</small>
            </li>
          ))}
        </ul>
      )}
      {winner && crowned.length > 1 && <p class="muted">Winner after tie-breaks: {winner.nickname}</p>}
      <Leaderboard rows={leaderboard} mode={mode} highlight={highlight} />
    </section>
  );
}
