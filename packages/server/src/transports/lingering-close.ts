import type { Socket } from 'node:net';

/** How long a refused client may go on sending its body before its connection is cut. */
export const LINGER_MS = 2000;

/**
 * Closes the connection after this response the way nginx's `lingering_close` does. Node ends a
 * `Connection: close` response by closing the socket at once; a client still sending the body
 * nobody reads then gets a reset, its next write fails (EPIPE), and a client that tears its socket
 * down on that error never reads the 401 waiting for it. Here the answer and a FIN go out, what
 * the client still sends is read and dropped (Node's parser discards an unread body), and the
 * socket goes when the client ends its side or after `lingerMs`.
 */
export function closeLingering(socket: Socket | null, lingerMs = LINGER_MS): void {
  if (socket === null) return;
  socket.destroySoon = function lingeringClose(this: Socket) {
    if (this.writable) this.end();
    const timer = setTimeout(() => this.destroy(), lingerMs);
    timer.unref();
    this.once('end', () => this.destroy());
    this.once('close', () => clearTimeout(timer));
  };
}
