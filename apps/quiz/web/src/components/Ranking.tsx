import type { RankingView } from '../../../src/shared/protocol.ts';
import { useT } from '../i18n/index.ts';

/**
 * A question's ranking in the server's order: by arrival, or by checked reaction time under the
 * "reaction" rule (`reaction`: then each row's reaction time is shown, ⚑ where it was capped).
 * `compact` (a player's phone) leaves out the arrival number and points, which need explaining.
 */
export function Ranking({ rows, highlight, compact = false, reaction = false }: { rows: RankingView[]; highlight?: string; compact?: boolean; reaction?: boolean }) {
  const t = useT();
  return (
    <div class="scroll-x" data-testid="ranking">
      {rows.length === 0 && <p class="muted">{t.table.noAnswers}</p>}
      <table class="table" hidden={rows.length === 0}>
        <thead>
          <tr>
            <th>#</th>
            <th>{t.table.player}</th>
            {!compact && <th class="num">{t.table.order}</th>}
            <th class="num">{t.table.time}</th>
            {reaction && (
              <th class="num" title={t.table.reactionHint}>
                {t.table.reaction}
              </th>
            )}
            {!compact && <th class="num">{t.table.points}</th>}
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
              {!compact && <td class="num">#{row.ticket}</td>}
              <td class="num">{(row.elapsedMs / 1000).toFixed(2)} s</td>
              {reaction && (
                <td class="num" data-testid="ranking-reaction" data-flag={row.reactionFlag ?? ''}>
                  {row.reactionMs === null ? '—' : `${Math.round(row.reactionMs).toLocaleString()} ms`}
                  {row.reactionFlag === 'capped' && <span class="slow" title={t.table.capped}> ⚑</span>}
                </td>
              )}
              {!compact && <td class="num">{row.points}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
