import { useT } from '../i18n/index.ts';

/** Seconds left of an open question (see `useRemaining`). */
export function Countdown({ remainingMs }: { remainingMs: number }) {
  const t = useT();
  const seconds = Math.ceil(remainingMs / 1000);
  return (
    <p class={seconds <= 5 ? 'countdown urgent' : 'countdown'} data-testid="countdown" aria-label={t.player.secondsLeft(seconds)}>
      {seconds}
      <small> s</small>
    </p>
  );
}
