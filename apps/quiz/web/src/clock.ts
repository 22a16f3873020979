import { ClockSync } from '@baro/client';
import type { PublicState } from '../../src/shared/protocol.ts';
import type { QuizClient } from './realtime.ts';

/**
 * `?clockSkew=<ms>` makes this page's clock run that far off the real one (for testing clock sync);
 * the reaction time is still measured with `performance.now()`, which no skew touches.
 */
function skewFromUrl(): number {
  const skew = Number(new URLSearchParams(location.search).get('clockSkew') ?? 0);
  return Number.isFinite(skew) ? skew : 0;
}

/** The page's estimate of the server's clock, kept up to date over the quiz's baro session. */
export function syncClock(client: QuizClient): { sync: ClockSync; skew: number } {
  const skew = skewFromUrl();
  return { sync: new ClockSync(client, { now: () => performance.timeOrigin + performance.now() + skew }), skew };
}

/**
 * When (on `performance.now()`) the submit button turns on for an opening `state` that arrived at
 * `receivedAt`: when the synced clock reads `opensAt`, so that every page turns on at the same
 * instant; without a synced clock yet, after the wait the server announced, counted from arrival
 * (late by this page's delay, never early).
 */
export function buttonOnAt(state: PublicState, receivedAt: number, clock: { sync: ClockSync; skew: number }): number {
  if (state.opensAt === null) return receivedAt;
  const local = clock.sync.toLocal(state.opensAt);
  if (local === null) return receivedAt + (state.opensInMs ?? 0);
  return local - clock.skew - performance.timeOrigin;
}
