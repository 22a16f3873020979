import { CLOCK_EVENT, type ClockReply } from '@baro/protocol';
import type { BaroServer } from '../baro-server.js';
import type { Session } from '../session/session.js';

/** What a client last said of its clock estimate, and when (server clock). */
export interface ClockReport {
  /** Server − client, ms. */
  offsetMs: number;
  uncertaintyMs: number;
  /** The best round trip of its exchanges, ms. */
  rttMs: number;
  at: number;
}

export interface ClockResponderOptions {
  /** The server's clock (ms since the epoch). Default `Date.now`. */
  now?: () => number;
}

/** Reports past these are not estimates but noise or a lie, and are ignored. */
const MAX_REPORTED_MS = 24 * 3600_000;

type AnySession = Session<any, any>;

/**
 * Answers clock-sync exchanges (`ClockSync` in @baro/client) on every session of a server, over
 * whatever transport carries it, and keeps each client's latest reported estimate. A report is
 * the client's word: use it for display and for bounds that only limit what a liar can gain.
 */
export class ClockResponder {
  readonly #now: () => number;
  readonly #reports = new WeakMap<AnySession, ClockReport>();

  constructor(server: BaroServer<any>, options: ClockResponderOptions = {}) {
    this.#now = options.now ?? Date.now;
    server.on('connection', (session: AnySession) => this.attach(session));
  }

  /** Answers on one session (the constructor does it for every new one). */
  attach(session: AnySession): void {
    session.on(CLOCK_EVENT, (request: unknown, ack?: (reply: ClockReply) => void) => {
      const now = this.#now();
      ack?.({ t: now });
      const report = parseReport(request, now);
      if (report) this.#reports.set(session, report);
    });
  }

  /** The session's latest report, or undefined before its second exchange. */
  report(session: AnySession): ClockReport | undefined {
    return this.#reports.get(session);
  }
}

function parseReport(request: unknown, now: number): ClockReport | null {
  if (typeof request !== 'object' || request === null) return null;
  const { offset, uncertainty, rtt } = request as Record<string, unknown>;
  const finite = (x: unknown, min: number): x is number => typeof x === 'number' && Number.isFinite(x) && x >= min && Math.abs(x) <= MAX_REPORTED_MS;
  if (!finite(offset, -MAX_REPORTED_MS) || !finite(uncertainty, 0) || !finite(rtt, 0)) return null;
  return { offsetMs: offset, uncertaintyMs: uncertainty, rttMs: rtt, at: now };
}
