import type { LeaderboardView, QuizMode } from '../../../src/shared/protocol.ts';

/** Cotato ranks by questions won, speed by points: the board leads with what decides it. */
export function Leaderboard({ rows, mode, highlight }: { rows: LeaderboardView[]; mode: QuizMode; highlight?: string }) {
  return (
    <div class="scroll-x" data-testid="leaderboard">
      {rows.length === 0 && <p class="muted">Nobody on the board yet.</p>}
      <table class="table" hidden={rows.length === 0}>
        <thead>
          <tr>
            <th>#</th>
            <th>Player</th>
            <th class="num">{mode === 'cotato' ? 'Wins' : 'Points'}</th>
            <th class="num">Correct</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.playerId} class={row.playerId === highlight ? 'me' : undefined} data-testid="leaderboard-row" data-nickname={row.nickname}>
              <td>{row.rank}</td>
              <td class="name">{row.nickname}</td>
              <td class="num strong">{mode === 'cotato' ? row.wins : row.points}</td>
              <td class="num">{row.correct}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
