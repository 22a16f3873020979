import type { Duplex } from 'node:stream';
import { buildRejectResponse } from '@baro/protocol';

/** Answers a refused upgrade with a small HTTP response and closes the socket once it is written. */
export function rejectHandshake(socket: Duplex, status: number, reason: string, headers: Record<string, string> = {}): void {
  if (socket.destroyed) return;
  socket.on('error', () => socket.destroy());
  if (socket.writable) socket.end(buildRejectResponse(status, reason, headers));
  else socket.destroy();
  // A peer that never reads must not hold the socket open.
  setTimeout(() => socket.destroy(), 1000).unref();
}
