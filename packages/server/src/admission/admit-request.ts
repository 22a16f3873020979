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
export async function admitRequest<Context>(
  request: IncomingMessage,
  options: RequestAdmissionOptions<Context>,
  onError: (error: Error) => void,
): Promise<AdmittedRequest<Context> | Refusal> {
  const origin = checkOrigin(request, options.allowedOrigins);
  if (!origin.ok) return origin;
  const auth = await runAuthenticate(options.authenticate, request, onError);
  if (!auth.ok) return auth;
  return { ok: true, context: auth.context, crossOrigin: origin.crossOrigin };
}
