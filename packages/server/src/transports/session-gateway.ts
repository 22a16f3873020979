import type { IncomingMessage } from 'node:http';
import type { TransportName } from '@baro/protocol';
import type { AllowedOrigins, SessionSlot } from '../admission/index.js';
import type { Carrier } from '../session/carrier.js';
import type { Refusal, SessionParams } from '../session/gateway.js';
import type { SessionCore } from '../session/session-core.js';
import type { WireFormat } from '../wire/wire-format.js';
import type { StreamPosition } from '../hub/broker.js';

/**
 * A session whatever its app's events: its core, which transports drive (they move packets, never
 * read them); the app holds the typed façade.
 */
export type AnySession = SessionCore;

/**
 * What `admit` grants: attach to a session, or open a new one in a slot already taken (released by
 * `abandon` when the request goes no further). Both carry what the request's authentication gave.
 */
export type Admission =
  | { readonly kind: 'attach'; readonly session: AnySession; readonly seq: number; readonly positions: ReadonlyMap<string, number> | null; readonly context: unknown }
  | { readonly kind: 'new'; readonly context: unknown; readonly remoteAddress: string; readonly slot: SessionSlot; readonly stored?: StoredOpening };

/** With a session store: a new session already recorded there (and watched) before its open packet goes out. */
export interface StoredOpening {
  readonly id: string;
  readonly token: string;
  readonly joinedEveryone: StreamPosition;
  readonly watch: SessionWatch;
}

/** A node's subscription to a session's commits, made before the session is (changes meanwhile are kept for it). */
export interface SessionWatch {
  bind(session: AnySession): void;
  stop(): void;
}

/**
 * All a transport sees of the server: where it is mounted, which transports are offered, and the
 * admission of requests to sessions. Not generic: the app's event maps are no business of a
 * transport, which moves packets whatever they say. `BaroServer` implements it.
 */
export interface SessionGateway {
  /** Base path of the endpoints (`/baro`). */
  readonly path: string;
  readonly transports: ReadonlySet<TransportName>;
  /** Browser origins allowed besides the server's own. */
  readonly allowedOrigins: AllowedOrigins | undefined;
  readonly limits: { readonly maxPayload: number };
  /** How packets look on the wire. */
  readonly wireFormat: WireFormat;
  /**
   * Checks a request that opens or attaches a session (origin, authentication, token, resume rate,
   * slots). A transport that does not go on to `connect` must `abandon` the admission.
   */
  admit(request: IncomingMessage, params: SessionParams): Promise<Admission | Refusal>;
  abandon(admission: Admission): void;
  /** Finds the session of a request that only sends (POST), checking its token. */
  authorize(request: IncomingMessage, params: SessionParams): Promise<AnySession | Refusal>;
  /** Starts or resumes the session on a carrier; null when the server is shutting down. */
  connect(admission: Admission, carrier: Carrier): AnySession | null;
}
