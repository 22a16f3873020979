import type { LeaderboardView, QuizMode } from '../../../src/shared/protocol.ts';
import { useT } from '../i18n/index.ts';

/** Cotato ranks by questions won, speed by points: the board leads with what decides it. */
export function Leaderboard({ rows, mode, highlight }: { rows: LeaderboardView[]; mode: QuizMode; highlight?: string }) {
  const t = useT();
  return (
    <div class="scroll-x" data-testid="leaderboard">
      {rows.length === 0 && <p class="muted">{t.table.nobody}</p>}
      <table class="table" hidden={rows.length === 0}>
        <thead>
          <tr>
            <th>#</th>
            <th>{t.table.player}</th>
            <th class="num">{mode === 'cotato' ? t.table.wins : t.table.points}</th>
            <th class="num">{t.table.correct}</th>
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
