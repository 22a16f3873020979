import type { IncomingMessage } from 'node:http';
import { runAuthenticate, type Authenticate } from './authenticate.js';
import { checkOrigin, type AllowedOrigins } from './origin-policy.js';
import type { Refusal } from './refusal.js';

export interface RequestAdmissionOptions<Context> {
  /** Browser origins allowed besides the server's own (see `checkOrigin`). Default: none. */
  allowedOrigins?: AllowedOrigins;
  /** Runs for every request after its origin passed; may refuse with a status. */
  authenticate?: Authenticate<Context>;
}

export type AdmittedRequest<Context> = { ok: true; context: Context | undefined; crossOrigin: string | null };

/**
 * The checks every endpoint runs on a request before it gets anything: its Host and Origin, then
 * the app's authenticate hook. WebSocketServer runs them on each upgrade, BaroServer on each
 * request of a session, whatever the transport.
 */
export function admitRequest<Context>(
  request: IncomingMessage,
  options: RequestAdmissionOptions<Context>,
  onError: (error: Error) => void,
): AdmittedRequest<Context> | Refusal | Promise<AdmittedRequest<Context> | Refusal> {
  const origin = checkOrigin(request, options.allowedOrigins);
  if (!origin.ok) return origin;
  // Without a hook there is nothing to wait for: every poll and POST runs this, so no promises.
  if (!options.authenticate) return { ok: true, context: undefined, crossOrigin: origin.crossOrigin };
  return runAuthenticate(options.authenticate, request, onError).then((auth) =>
    auth.ok ? { ok: true, context: auth.context, crossOrigin: origin.crossOrigin } : auth,
  );
}
