/**
 * Reaction times: what a player's page measured from its button turning on to the tap, checked
 * against what the server can observe. Pure; the room passes the times and the player's link.
 *
 * With answers open at T (server clock), a page whose clock is off by e turns its button on at
 * T − e (or later, when the announcement reached it late), and an answer tapped R ms after that
 * arrives at A = T − e + R + up, `up` being its one-way delay. So an honest R lies in
 *   [A − T − up − late − e,  A − T + e]
 * and the server bounds the unknowns by what it measured: up ≤ the player's round trip, |e| ≤
 * their clock uncertainty, late ≤ how long after T the announcement could have reached them; and
 * A itself may be stamped late by the server's own recent lag (a busy event loop).
 */
export type ReactionFlag =
  /** The claim did not fit what the server observed: it was capped at the nearest bound. */
  | 'capped'
  /** No usable claim (none sent, or the player's clock is not synced well enough): ranked by arrival. */
  | 'unsynced';

export interface CheckedReaction {
  /** The reaction time ranked by, ms; null: the player is ranked by arrival. */
  reactionMs: number | null;
  flag: ReactionFlag | null;
}

export interface ReactionEvidence {
  /** What the page claims, ms (undefined: nothing claimed). */
  claimedMs: number | undefined;
  /** When the answer arrived, and when answers opened, server clock. */
  arrivedAt: number;
  opensAt: number;
  /** When the announcement had left the server (its broadcast written), server clock. */
  announcedAt: number;
  /** The player's round trip as the server measured it (null: not measured). */
  rttMs: number | null;
  /** The player's clock uncertainty (null: not synced). */
  uncertaintyMs: number | null;
  /** How late the server has recently been in handling what arrived (its event loop), ms. Default 0. */
  serverLagMs?: number;
}

export interface FairnessLimits {
  /** A player whose clock uncertainty is above this falls back to arrival. Default 25 ms. */
  maxUncertaintyMs: number;
  /** Added to both bounds for timer and scheduling jitter on the page and the server. Default 10 ms. */
  slackMs: number;
}

export const DEFAULT_FAIRNESS_LIMITS: FairnessLimits = { maxUncertaintyMs: 25, slackMs: 10 };

/** The interval an honest reaction time lies in, by what the server observed. */
export function reactionBounds(evidence: ReactionEvidence, limits: FairnessLimits = DEFAULT_FAIRNESS_LIMITS): { min: number; max: number } {
  const rtt = evidence.rttMs ?? 0;
  const e = evidence.uncertaintyMs ?? 0;
  const sinceOpen = evidence.arrivedAt - evidence.opensAt;
  // The announcement left at `announcedAt` and took at most a round trip: after T, that is lateness.
  const late = Math.max(0, evidence.announcedAt + rtt - evidence.opensAt);
  const lag = evidence.serverLagMs ?? 0;
  return { min: Math.max(0, sinceOpen - rtt - late - e - lag - limits.slackMs), max: Math.max(0, sinceOpen + e + limits.slackMs) };
}

export function checkReaction(evidence: ReactionEvidence, limits: FairnessLimits = DEFAULT_FAIRNESS_LIMITS): CheckedReaction {
  const { claimedMs, uncertaintyMs, rttMs } = evidence;
  const usable = typeof claimedMs === 'number' && Number.isFinite(claimedMs) && claimedMs >= 0;
  if (!usable || uncertaintyMs === null || uncertaintyMs > limits.maxUncertaintyMs || rttMs === null) return { reactionMs: null, flag: 'unsynced' };
  const { min, max } = reactionBounds(evidence, limits);
  if (claimedMs < min) return { reactionMs: round(min), flag: 'capped' };
  if (claimedMs > max) return { reactionMs: round(max), flag: 'capped' };
  return { reactionMs: round(claimedMs), flag: null };
}

/** Tenths of a millisecond: finer than any page's timer, and short in a view. */
const round = (ms: number): number => Math.round(ms * 10) / 10;
