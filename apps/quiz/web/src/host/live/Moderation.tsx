import type { HostCommand, HostPlayerView } from '../../../../src/shared/protocol.ts';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { useT } from '../../i18n/index.ts';

type Command = (command: HostCommand) => Promise<boolean>;

/** Entry to the quiz: open to new players, or closed (those seated still come back). */
export function LobbyLock({ locked, finished, busy, onCommand }: { locked: boolean; finished: boolean; busy: boolean; onCommand: Command }) {
  const t = useT();
  return (
    <section class="card row wrap lobby-lock" data-testid="lobby-lock" data-locked={String(locked)}>
      <p class="grow" role="status">
        {locked ? t.moderation.locked : t.moderation.open}
      </p>
      <button data-testid="lock-button" aria-pressed={locked} disabled={busy || finished} onClick={() => void onCommand({ command: 'lock', locked: !locked })}>
        {locked ? t.moderation.unlock : t.moderation.lock}
      </button>
    </section>
  );
}

/** Removes a player after asking: their answers stop counting, their seat is closed to them. */
export function KickButton({ player, busy, onCommand }: { player: HostPlayerView; busy: boolean; onCommand: Command }) {
  const t = useT();
  return (
    <ConfirmButton class="small danger" testId="kick-button" disabled={busy} question={t.moderation.confirmKick(player.nickname)} onConfirm={() => void onCommand({ command: 'kick', playerId: player.id })}>
      {t.moderation.kick}
    </ConfirmButton>
  );
}
