import { invokeListener } from './listeners.js';
import { Namespace } from './namespace.js';
import type { RoomAdapter } from './room-adapter.js';
import type { Server } from './server.js';
import type { DefaultEventsMap, EventNames, EventParams, EventsMap } from './typed-events.js';

/** Which names a dynamic namespace takes: a RegExp, or a function that may look at the CONNECT's auth. */
export type ParentNamespaceMatcher = RegExp | ((name: string, auth: Record<string, unknown>, next: (error: Error | null, allow: boolean) => void) => void);

/**
 * A dynamic namespace (`io.of(/^\/room-\d+$/)`), as socket.io's ParentNamespace: a client may
 * connect to any name it matches; that child namespace is made then, with the middlewares and
 * connection listeners the parent has at that moment. `emit` reaches every child.
 */
export class ParentNamespace<ListenEvents extends EventsMap = DefaultEventsMap, EmitEvents extends EventsMap = ListenEvents, ServerSideEvents extends EventsMap = DefaultEventsMap, SocketData = any> extends Namespace<
  ListenEvents,
  EmitEvents,
  ServerSideEvents,
  SocketData
> {
  readonly children = new Set<Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>();
  readonly #matcher: ParentNamespaceMatcher;

  constructor(
    server: Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    name: string,
    makeAdapter: (nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => RoomAdapter,
    matcher: ParentNamespaceMatcher,
  ) {
    super(server, name, makeAdapter, null);
    this.#matcher = matcher;
  }

  /** Sends to every socket of every child. */
  override emit<Ev extends EventNames<EmitEvents>>(event: Ev, ...args: EventParams<EmitEvents, Ev>): boolean {
    for (const child of this.children) child.emit(event, ...args);
    return true;
  }

  /** @internal Whether a client may connect to `name`; a matcher that throws or errs says no. */
  _matches(name: string, auth: Record<string, unknown>, done: (allow: boolean) => void): void {
    const matcher = this.#matcher;
    if (matcher instanceof RegExp) {
      matcher.lastIndex = 0;
      return done(matcher.test(name));
    }
    let answered = false;
    invokeListener(
      matcher,
      this,
      [
        name,
        auth,
        (error: Error | null, allow: boolean) => {
          if (answered) return;
          answered = true;
          done(!error && allow === true);
        },
      ],
      (thrown) => {
        this.server._reportError(thrown);
        if (answered) return;
        answered = true;
        done(false);
      },
    );
  }

  /** @internal A child made for a client: it gets the parent's middlewares and connection listeners. */
  _adopt(child: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>): void {
    this.children.add(child);
    this._copyHandlersTo(child);
  }
}
