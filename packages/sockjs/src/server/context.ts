import type { IncomingMessage } from 'node:http';
import type { ResolvedOptions } from './options.js';
import type { Session } from './session.js';
import type { MessageSocket } from './message-socket.js';

/** What request handlers need from the server that owns the sessions. */
export interface ServerContext {
  readonly options: ResolvedOptions;
  /** The live session with this id, or a new one when admission allows; null when refused. */
  sessionFor(id: string, request: IncomingMessage): Session | null;
  existingSession(id: string): Session | undefined;
  /** A fresh session without an id, for a SockJS WebSocket; null when refused. */
  anonymousSession(request: IncomingMessage): Session | null;
  /** Raw WebSocket connections count as sessions too; false when refused. */
  admitRaw(request: IncomingMessage): boolean;
  /** Gives back the place `admitRaw` took when the handshake then failed. */
  releaseRaw(request: IncomingMessage): void;
  openRaw(socket: MessageSocket, request: IncomingMessage): void;
}

export interface RouteMatch {
  server: string;
  session: string;
}
