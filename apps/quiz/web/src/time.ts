import { useEffect, useState } from 'preact/hooks';

/**
 * The moment a server-given duration ends, on the page's monotonic clock: server and device clocks
 * disagree, so a countdown runs from the moment the duration was received.
 */
export const deadlineIn = (ms: number | null): number | null => (ms === null ? null : performance.now() + ms);

/** Milliseconds left until `deadline` (from `deadlineIn`), re-rendering every `step` ms until it passes. */
export function useRemaining(deadline: number | null, step = 100): number | null {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    if (deadline === null) return;
    setNow(performance.now());
    const timer = setInterval(() => {
      const time = performance.now();
      setNow(time);
      if (time >= deadline) clearInterval(timer);
    }, step);
    return () => clearInterval(timer);
  }, [deadline, step]);
  return deadline === null ? null : Math.max(0, deadline - now);
}
