/**
 * The app's events, declared once and used by both ends: the server (`BaroServer<MyEvents>`) and
 * the client (`connect<MyEvents>(url)`) read the same declaration, so a payload that one end
 * sends and the other does not expect fails to compile on both.
 *
 * ```ts
 * interface ChatEvents {
 *   clientToServer: { say: (text: string) => { ok: boolean }; typing: { on: boolean } };
 *   serverToClient: { message: { from: string; text: string } };
 * }
 * ```
 */

/**
 * Event name → payload type, or a function type `(data: D) => R` for an event that is answered
 * (acknowledged) with R. Payloads are JSON values with byte arrays allowed anywhere, so a function
 * type is never a payload and the two forms cannot be confused.
 */
export type EventMap = object;

/** Both directions of an app's events. */
export interface EventContract {
  readonly clientToServer: EventMap;
  readonly serverToClient: EventMap;
}

/** Any event, any payload: what an end is typed with when the app gives no contract. */
export interface UntypedEvents extends EventContract {
  readonly clientToServer: Record<string, unknown>;
  readonly serverToClient: Record<string, unknown>;
}

/** The payload of an event map entry. */
export type DataOf<T> = T extends (data: infer D) => unknown ? D : T;
/** What an acknowledged event is answered with (`unknown` for plain entries). */
export type ReplyOf<T> = T extends (data: never) => infer R ? R : unknown;
/** Answers an event that asked for it; calls after the first are ignored. */
export type Ack<R> = (reply: R) => void;
/** Event names of a map (any string for an untyped map). */
export type EventName<M> = keyof M & string;
