import type { RankingView } from '../../../src/shared/protocol.ts';

/** A question's ranking in the server's arrival order (tickets): the fair order of answers. */
export function Ranking({ rows, highlight }: { rows: RankingView[]; highlight?: string }) {
  return (
    <div class="scroll-x" data-testid="ranking">
      {rows.length === 0 && <p class="muted">No answers ranked yet.</p>}
      <table class="table" hidden={rows.length === 0}>
        <thead>
          <tr>
            <th>#</th>
            <th>Player</th>
            <th class="num">Ticket</th>
            <th class="num">Time</th>
            <th class="num" title="Measured on the phone from its button turning on; checked by the server">Reaction</th>
            <th class="num">Points</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr
              key={`${row.playerId}:${row.ticket}`}
              class={row.playerId === highlight ? 'me' : undefined}
              data-testid="ranking-row"
              data-nickname={row.nickname}
              data-ticket={row.ticket}
              data-rank={row.rank}
            >
              <td>{row.rank}</td>
              <td class="name">{row.nickname}</td>
              <td class="num">#{row.ticket}</td>
              <td class="num">{Math.round(row.elapsedMs).toLocaleString()} ms</td>
              <td class="num" data-testid="ranking-reaction" data-flag={row.reactionFlag ?? ''}>
                {row.reactionMs === null ? '—' : `${Math.round(row.reactionMs).toLocaleString()} ms`}
                {row.reactionFlag === 'capped' && <span class="slow" title="The claimed time did not fit what the server saw: capped"> ⚑</span>}
              </td>
              <td class="num">{row.points}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
