import type { HostPlayerView, QuizMode } from '../../../../src/shared/protocol.ts';

/** Past this round trip a player's network may cost them answers: the host should see it. */
const SLOW_RTT_MS = 200;

interface Props {
  players: HostPlayerView[];
  total: number;
  online: number;
  mode: QuizMode;
}

export function PlayerTable({ players, total, online, mode }: Props) {
  return (
    <section class="card">
      <h2>
        Players <span class="muted small">{online} online / {total}</span>
        {players.length < total && <span class="muted small"> · the first {players.length} are listed</span>}
      </h2>
      <div class="scroll-x">
        <table class="table" data-testid="player-list">
          <thead>
            <tr>
              <th>Player</th>
              <th>Transport</th>
              <th class="num">RTT</th>
              <th class="num" title="How far this phone's clock sync may be off; ranked by arrival when not synced">Clock</th>
              <th class="num">Answers</th>
              <th class="num">{mode === 'cotato' ? 'Wins' : 'Points'}</th>
            </tr>
          </thead>
          <tbody>
            {players.map((player) => {
              const slow = player.rttMs !== null && player.rttMs > SLOW_RTT_MS;
              return (
                <tr key={player.id} data-testid="player-row" data-nickname={player.nickname} data-connected={String(player.connected)}>
                  <td class="name">
                    <span class={player.connected ? 'dot on' : 'dot off'} title={player.connected ? 'connected' : 'disconnected'} />
                    {player.nickname}
                  </td>
                  <td class="muted small">{player.transport ?? '—'}</td>
                  <td class={slow ? 'num slow' : 'num'} data-testid="player-rtt">
                    {player.rttMs === null ? '—' : `${Math.round(player.rttMs)} ms`}
                  </td>
                  <td class={player.clockSynced ? 'num' : 'num slow'} data-testid="player-clock" data-synced={String(player.clockSynced)}>
                    {player.clockUncertaintyMs === null ? '—' : `±${player.clockUncertaintyMs.toFixed(1)} ms`}
                    {!player.clockSynced && player.connected && <span class="small"> (by arrival)</span>}
                  </td>
                  <td class="num">{player.answers}</td>
                  <td class="num">{mode === 'cotato' ? player.wins : player.points}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {players.length === 0 && <p class="muted">Nobody yet: share the code.</p>}
    </section>
  );
}
