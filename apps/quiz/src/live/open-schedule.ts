/**
 * How far ahead of the opening instant the players are told it. Long enough for the announcement
 * to reach nearly everyone before it (each page then turns its button on by its synced clock, at
 * the same instant), short enough that the game does not stall: the 99th percentile of the
 * players' one-way delays, plus the time the server takes to write the announcement to every
 * socket, plus a margin; capped. A player whose announcement arrives after the instant turns the
 * button on at arrival: only they are late, and their reaction time still counts from their own
 * button (fairness.ts). The random delay before it stays secret: nothing is sent until it has run.
 */
export interface LeadOptions {
  /** Floor and cap of the lead, ms. Default 30 and 1,000. */
  minMs: number;
  maxMs: number;
  /** Write time per connected player, ms (10,000 sockets take ~150 ms on one core here). Default 0.02. */
  writeMsPerPlayer: number;
  /** Added for jitter and timers. Default 15 ms. */
  marginMs: number;
}

export const DEFAULT_LEAD: LeadOptions = { minMs: 30, maxMs: 1000, writeMsPerPlayer: 0.02, marginMs: 15 };

/** The lead for players whose round trips (ms) are `rtts`: a one-way delay counts as half a round trip. */
export function openLeadMs(rtts: readonly number[], options: LeadOptions = DEFAULT_LEAD): number {
  const oneWays = rtts.filter(Number.isFinite).map((rtt) => rtt / 2).sort((a, b) => a - b);
  const p99 = oneWays.length === 0 ? 0 : oneWays[Math.min(oneWays.length - 1, Math.ceil(oneWays.length * 0.99) - 1)];
  const lead = p99 + rtts.length * options.writeMsPerPlayer + options.marginMs;
  return Math.round(Math.min(options.maxMs, Math.max(options.minMs, lead)));
}
