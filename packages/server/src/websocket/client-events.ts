/** The DOM events a browser WebSocket fires; Node 20 has Event and MessageEvent but no CloseEvent. */
export class CloseEvent extends Event {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;

  constructor(type: string, init: { code?: number; reason?: string; wasClean?: boolean } = {}) {
    super(type);
    this.code = init.code ?? 0;
    this.reason = init.reason ?? '';
    this.wasClean = init.wasClean ?? false;
  }
}

/** An 'error' event; unlike the browser's it carries the cause, which Node users need to debug. */
export class ErrorEvent extends Event {
  readonly error: Error;
  readonly message: string;

  constructor(error: Error) {
    super('error');
    this.error = error;
    this.message = error.message;
  }
}
