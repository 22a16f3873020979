import type { ServerResponse } from 'node:http';
import { refuse } from './http-reply.js';

/** Something that sends a keep-alive comment now and then (an SSE stream). */
export interface KeepAlive {
  keepAlive(): void;
}

/**
 * The responses the HTTP transports hold: which are still open (to end them on unmount), which
 * closed while a request waited for its admission, and the SSE streams that need keep-alives.
 */
/** Set on a tracked response once it closed: a flag on the object, not a WeakSet entry per request. */
const CLOSED = Symbol('baro.closed');
type Tracked = ServerResponse & { [CLOSED]?: true };

export class ResponseTracker {
  readonly #open = new Set<ServerResponse>();
  /** One listener for every response (`this` is the response): no closure per request. */
  readonly #onClose: (this: Tracked) => void;
  readonly #streams = new Set<KeepAlive>();
  readonly #timer: NodeJS.Timeout;

  constructor(keepAliveInterval: number) {
    const open = this.#open;
    this.#onClose = function (this: Tracked): void {
      open.delete(this);
      this[CLOSED] = true;
    };
    this.#timer = setInterval(() => {
      for (const stream of this.#streams) stream.keepAlive();
    }, keepAliveInterval);
    this.#timer.unref();
  }

  track(response: ServerResponse): void {
    this.#open.add(response);
    // 'close' comes once per response.
    response.on('close', this.#onClose);
  }

  /** The client went away (or the response was already answered). */
  gone(response: ServerResponse): boolean {
    return (response as Tracked)[CLOSED] === true || response.writableEnded || response.destroyed;
  }

  keepAlive(stream: KeepAlive): void {
    this.#streams.add(stream);
  }

  forgetKeepAlive(stream: KeepAlive): void {
    this.#streams.delete(stream);
  }

  /** Ends everything still open: streams end, requests not yet answered get 503. */
  close(): void {
    clearInterval(this.#timer);
    this.#streams.clear();
    for (const response of [...this.#open]) {
      if (response.headersSent) response.end();
      else refuse(response, { status: 503, reason: 'server is shutting down', headers: { 'Retry-After': '5' } });
    }
  }
}
