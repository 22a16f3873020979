/* eslint-disable @typescript-eslint/no-explicit-any -- event maps are user-declared function types, as socket.io's */

/**
 * An app's events: name → the listener's signature (the last parameter may be an ack callback). An
 * `any` index signature, as socket.io's, so that plain interfaces satisfy it.
 */
export interface EventsMap {
  [event: string]: any;
}

/** What an untyped server accepts: any event, any arguments. */
export interface DefaultEventsMap {
  [event: string]: (...args: any[]) => void;
}

export type EventNames<Map extends EventsMap> = keyof Map & string;

export type EventParams<Map extends EventsMap, Ev extends EventNames<Map>> = Parameters<Map[Ev]>;

/** The ack callback at the end of an event's parameters, if it has one. */
type Last<T extends unknown[]> = T extends [...unknown[], infer L] ? L : never;
type AllButLast<T extends unknown[]> = T extends [...infer Head, unknown] ? Head : never;

/** An ack's result: its first parameter, or its second after the error a timeout adds. */
type FirstNonError<Params extends unknown[]> = [Params[0]] extends [Error | null] ? Params[1] : Params[0];

/** What an ack callback is called with. */
export type AckResult<Map extends EventsMap, Ev extends EventNames<Map>> =
  number extends EventParams<Map, Ev>['length'] ? any : Last<EventParams<Map, Ev>> extends (...args: infer Params) => void ? FirstNonError<Params> : unknown;

/** The event's arguments without its ack callback, for `emitWithAck`. */
export type ArgsWithoutAck<Map extends EventsMap, Ev extends EventNames<Map>> =
  number extends EventParams<Map, Ev>['length'] ? unknown[] : Last<EventParams<Map, Ev>> extends (...args: any[]) => void ? AllButLast<EventParams<Map, Ev>> : EventParams<Map, Ev>;

/**
 * With `timeout(ms)` the ack callback first receives an error (the timeout) — `(err, ...args)` —
 * as socket.io types it.
 */
export type DecorateAcknowledgementsWithTimeout<Map extends EventsMap> = {
  [Ev in keyof Map]: Map[Ev] extends (...args: infer Params) => void
    ? Params extends [...infer Head, infer Ack]
      ? Ack extends (...ackArgs: infer AckArgs) => void
        ? (...args: [...Head, (err: Error | null, ...ackArgs: AckArgs) => void]) => void
        : Map[Ev]
      : Map[Ev]
    : never;
};

/** A broadcast's ack callback receives every client's answer, in an array. */
export type DecorateAcknowledgementsWithMultipleResponses<Map extends EventsMap> = {
  [Ev in keyof Map]: Map[Ev] extends (...args: infer Params) => void
    ? Params extends [...infer Head, infer Ack]
      ? Ack extends (arg: infer Result, ...rest: any[]) => void
        ? (...args: [...Head, (err: Error | null, responses: Result[]) => void]) => void
        : Map[Ev]
      : Map[Ev]
    : never;
};
