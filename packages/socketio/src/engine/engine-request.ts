import type { IncomingMessage } from 'node:http';
import { EngineErrorCode, engineRefusal, type EngineRefusal } from './errors.js';
import type { EngineSocket } from './engine-socket.js';
import type { EngineSettings, EngineTransportName } from './options.js';

/** The query of an Engine.IO request, or null when the URL does not parse. */
export function engineQuery(request: IncomingMessage): URLSearchParams | null {
  try {
    return new URL(request.url ?? '/', 'http://engine.invalid').searchParams;
  } catch {
    return null;
  }
}

export function pathnameOf(url: string | undefined): string {
  if (!url) return '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * The reference server's checks of a request, in its order: transport, session id (known, same
 * transport unless upgrading, same protocol), and for a handshake the method and protocol version.
 * Returns null when the request may go on.
 */
export function verifyEngineRequest(
  request: IncomingMessage,
  query: URLSearchParams,
  upgrade: boolean,
  settings: EngineSettings,
  sessionOf: (sid: string) => EngineSocket | undefined,
): EngineRefusal | null {
  const transport = query.get('transport');
  if (transport === null || !settings.transports.includes(transport as EngineTransportName)) return engineRefusal(EngineErrorCode.UNKNOWN_TRANSPORT);
  const sid = query.get('sid');
  if (sid) {
    const session = sessionOf(sid);
    if (!session) return engineRefusal(EngineErrorCode.UNKNOWN_SID);
    if (!upgrade && session.transport.name !== transport) return engineRefusal(EngineErrorCode.BAD_REQUEST);
    if (query.get('EIO') !== '4') return engineRefusal(EngineErrorCode.BAD_REQUEST);
    if (upgrade && !(transport === 'websocket' && session.canUpgrade)) return engineRefusal(EngineErrorCode.BAD_REQUEST);
    return null;
  }
  if (request.method !== 'GET') return engineRefusal(EngineErrorCode.BAD_HANDSHAKE_METHOD);
  if ((transport === 'websocket') !== upgrade) return engineRefusal(EngineErrorCode.BAD_REQUEST);
  if (query.get('EIO') !== '4') return engineRefusal(EngineErrorCode.UNSUPPORTED_PROTOCOL_VERSION);
  return null;
}

/** CORS headers for an allowed cross-origin request (none for same-origin and non-browser ones). */
export function corsHeaders(crossOrigin: string | null): Record<string, string> {
  if (crossOrigin === null) return {};
  return { 'Access-Control-Allow-Origin': crossOrigin, 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin' };
}
