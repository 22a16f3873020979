/**
 * Clock sync over a session: an ordinary acknowledged event, so it runs on every transport. The
 * client asks with its own time (and reports its current estimate, for the server to show and
 * check against); the server answers at once with its time.
 */
export const CLOCK_EVENT = 'baro:clock';

export interface ClockRequest {
  /** The client's clock when it sent the request (ms). */
  t: number;
  /** The client's current estimate, once it has one: offset (server − client), uncertainty and best round trip, in ms. */
  offset?: number;
  uncertainty?: number;
  rtt?: number;
}

export interface ClockReply {
  /** The server's clock when it answered (ms since the epoch). */
  t: number;
}
