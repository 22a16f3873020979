import type { ComponentChildren } from 'preact';
import type { HostPlayerView, QuizMode } from '../../../../src/shared/protocol.ts';
import { useT } from '../../i18n/index.ts';

/** Past this round trip a player's network may cost them answers: the host should see it. */
const SLOW_RTT_MS = 200;

interface Props {
  players: HostPlayerView[];
  total: number;
  online: number;
  mode: QuizMode;
  /** Moderation controls for a row (kick), when the host may use them. */
  actions?: (player: HostPlayerView) => ComponentChildren;
}

export function PlayerTable({ players, total, online, mode, actions }: Props) {
  const t = useT();
  return (
    <section class="card">
      <h2>
        {t.players.title} <span class="muted small">{t.players.online(online, total)}</span>
        {players.length < total && <span class="muted small"> · {t.players.firstListed(players.length)}</span>}
      </h2>
      <div class="scroll-x">
        <table class="table" data-testid="player-list">
          <thead>
            <tr>
              <th>{t.table.player}</th>
              <th>{t.players.status}</th>
              <th>{t.players.transport}</th>
              <th class="num">{t.players.rtt}</th>
              <th class="num" title={t.players.clockHint}>
                {t.players.clock}
              </th>
              <th class="num">{t.players.answers}</th>
              <th class="num">{mode === 'cotato' ? t.table.wins : t.table.points}</th>
              {actions && <th />}
            </tr>
          </thead>
          <tbody>
            {players.map((player) => {
              const slow = player.rttMs !== null && player.rttMs > SLOW_RTT_MS;
              return (
                <tr key={player.id} data-testid="player-row" data-nickname={player.nickname} data-connected={String(player.connected)} data-status={player.status}>
                  <td class="name">
                    <span class={`dot status-${player.status}`} aria-hidden="true" />
                    {player.nickname}
                  </td>
                  <td class={`small status-text-${player.status}`} data-testid="player-status">
                    {t.players.statuses[player.status]}
                  </td>
                  <td class="muted small">{player.transport ?? '—'}</td>
                  <td class={slow ? 'num slow' : 'num'} data-testid="player-rtt">
                    {player.rttMs === null ? '—' : `${Math.round(player.rttMs)} ms`}
                  </td>
                  <td class={player.clockSynced ? 'num' : 'num slow'} data-testid="player-clock" data-synced={String(player.clockSynced)}>
                    {player.clockUncertaintyMs === null ? '—' : `±${player.clockUncertaintyMs.toFixed(1)} ms`}
                    {!player.clockSynced && player.connected && <span class="small"> {t.players.byArrival}</span>}
                  </td>
                  <td class="num">{player.answers}</td>
                  <td class="num">{mode === 'cotato' ? player.wins : player.points}</td>
                  {actions && <td>{actions(player)}</td>}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
