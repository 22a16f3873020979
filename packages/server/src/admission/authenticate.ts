import type { IncomingMessage } from 'node:http';
import type { Refusal } from './refusal.js';

/**
 * What `authenticate` decides: accept (with anything the app wants to keep) or refuse with a status
 * (and headers, e.g. Retry-After or WWW-Authenticate).
 */
export type AuthDecision<Context = unknown> =
  | boolean
  | { ok: true; context?: Context }
  | { ok: false; status?: number; reason?: string; headers?: Record<string, string> };

/** The app's hook: runs for every request that opens or uses a connection or session. */
export type Authenticate<Context> = (request: IncomingMessage) => AuthDecision<Context> | Promise<AuthDecision<Context>>;

/**
 * Runs the app's authenticate hook and reads its decision: `false` is 401, a refusal keeps its
 * status (401 by default), a throw is 500 (reported through `onError`, never shown to the client).
 */
export async function runAuthenticate<Context>(
  authenticate: Authenticate<Context> | undefined,
  request: IncomingMessage,
  onError: (error: Error) => void,
): Promise<{ ok: true; context: Context | undefined } | Refusal> {
  if (!authenticate) return { ok: true, context: undefined };
  let decision: AuthDecision<Context>;
  try {
    decision = await authenticate(request);
  } catch (error) {
    onError(error instanceof Error ? error : new Error(String(error)));
    return { ok: false, status: 500, reason: 'authentication failed' };
  }
  if (decision === true) return { ok: true, context: undefined };
  if (decision === false) return { ok: false, status: 401, reason: 'unauthorized' };
  if (decision.ok) return { ok: true, context: decision.context };
  return { ok: false, status: decision.status ?? 401, reason: decision.reason ?? 'unauthorized', ...(decision.headers ? { headers: decision.headers } : {}) };
}
