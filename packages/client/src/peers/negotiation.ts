/**
 * "Perfect negotiation" (W3C WebRTC, section 10.7): both peers run the same code, and when both
 * offer at once (glare) the impolite one ignores the other's offer while the polite one rolls its
 * own back. The roles come from a rule both sides compute alike, so nobody has to decide.
 */

/** The peer with the greater id is polite. */
export function isPolite(self: string, other: string): boolean {
  return self > other;
}

/** Whether an arriving offer collides with one of ours, and so whether an impolite peer ignores it. */
export function ignoresOffer(state: { polite: boolean; makingOffer: boolean; signalingState: string }, type: string): boolean {
  // Signals are handled one at a time, so no answer is being applied while an offer is judged.
  const ready = !state.makingOffer && state.signalingState === 'stable';
  const collision = type === 'offer' && !ready;
  return collision && !state.polite;
}
