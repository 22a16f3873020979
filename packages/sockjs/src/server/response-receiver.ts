import type { ServerResponse } from 'node:http';
import type { Receiver } from './receiver.js';

/**
 * Frames over one HTTP response. Ends the response once `maxBytes` of wrapped frames went out
 * (1 for polling transports: one frame per response), so a client's response never grows without
 * bound; the client then opens the next one.
 */
export class ResponseReceiver implements Receiver {
  readonly protocol: string;
  delayDisconnect = true;
  readonly #response: ServerResponse;
  readonly #wrap: (frame: string) => string;
  readonly #maxBytes: number;
  #sentBytes = 0;
  #onEnd: (() => void) | null = null;
  #open = true;

  constructor(protocol: string, response: ServerResponse, wrap: (frame: string) => string, maxBytes: number) {
    this.protocol = protocol;
    this.#response = response;
    this.#wrap = wrap;
    this.#maxBytes = maxBytes;
    response.socket?.setKeepAlive(true, 5000);
    response.on('close', this.#aborted);
  }

  attach(onEnd: () => void): void {
    this.#onEnd = onEnd;
  }

  sendFrame(frame: string): void {
    if (!this.#open) return;
    const wrapped = this.#wrap(frame);
    // Counted in UTF-16 units, as the reference counts: the limit is a knob, not an exact size.
    this.#sentBytes += wrapped.length;
    this.#response.write(wrapped);
    if (this.#sentBytes >= this.#maxBytes) this.close();
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#response.off('close', this.#aborted);
    this.#response.end();
    this.#finish();
  }

  readonly #aborted = (): void => {
    if (!this.#open) return;
    this.#open = false;
    this.delayDisconnect = false;
    this.#finish();
  };

  #finish(): void {
    const onEnd = this.#onEnd;
    this.#onEnd = null;
    onEnd?.();
  }
}
