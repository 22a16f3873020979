import type { EventContract, EventMap } from '@baro/protocol';
import type { Session } from './session.js';

/**
 * Event maps, as Socket.IO users write them: each event is a function type whose first parameter is
 * the payload and whose optional second is the acknowledgement callback.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EventsMap = { [event: string]: (...args: any[]) => void };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type DefaultEvents = { [event: string]: (data: any, ack?: (response: any) => void) => void };

export type EventNames<Map extends EventsMap> = keyof Map & string;
export type EventPayload<F> = F extends (data: infer D, ...rest: never[]) => void ? D : never;
export type AckResponse<F> = F extends (data: never, ack: (response: infer R) => void) => void ? R : unknown;

export interface EmitOptions {
  /** Drop this event instead of queueing it when the client is behind or away. */
  volatile?: boolean;
  /** Keep only the newest queued event with this key while the client is behind (e.g. a leaderboard). */
  latest?: string;
}

/** Names the session uses for its own lifecycle; clients may not send events with these names. */
export const LIFECYCLE_EVENTS = new Set(['disconnect', 'offline', 'online', 'transport']);

/**
 * The server's side of an app's event contract (`@baro/protocol`'s `EventContract`, the same
 * declaration the client is typed with): each event as its handler takes it, `(data, ack) => void`
 * for an answered event `(data: D) => R`, `(data) => void` for a plain one. An event typed
 * `unknown` or `any` (an untyped contract) may be answered or not.
 */
export type HandlersOf<M extends EventMap> = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [K in keyof M & string]: unknown extends M[K] ? (data: any, ack?: (response: any) => void) => void
    : M[K] extends (data: infer D) => infer R ? (data: D, ack: (reply: R) => void) => void
    : (data: M[K]) => void;
};

/** A session typed by the app's event contract. */
export type SessionOf<Events extends EventContract> = Session<HandlersOf<Events['clientToServer']>, HandlersOf<Events['serverToClient']>>;
