/** Seconds left of an open question (see `useRemaining`). */
export function Countdown({ remainingMs }: { remainingMs: number }) {
  const seconds = Math.ceil(remainingMs / 1000);
  return (
    <p class={seconds <= 5 ? 'countdown urgent' : 'countdown'} data-testid="countdown" aria-label={`${seconds} seconds left`}>
      {seconds}
      <small> s</small>
    </p>
  );
}
