import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AnySession } from './session-gateway.js';
import { corsFor, preflightHeaders } from './cors.js';
import { isRefusal, refuse, type ExtraHeaders } from './http-reply.js';
import { ResponseTracker } from './http-context.js';
import type { SessionGateway } from './session-gateway.js';
import { handlePoll, type PollingCarrier, type PollMode } from './polling-transport.js';
import { handleSend } from './send-endpoint.js';
import { handleSse } from './sse-transport.js';
import { pathOf } from '../websocket/request-path.js';
import { readQuery } from '../session/query.js';

export interface HttpTransportOptions {
  /** How long a long-poll is held open without data, in ms. Default 25 s. */
  pollTimeout?: number;
  /** Largest POST body, in bytes. Default: the session's maxPayload. */
  maxBodyBytes?: number;
  /** How often an idle SSE stream gets a keep-alive comment, in ms. Default 15 s. */
  keepAliveInterval?: number;
  /**
   * A `BaroServer` listening by itself (`port`): ms a client may take to send a request's head
   * (Node's `headersTimeout`), then 408. Default 10 s. An app's own `http.Server` keeps its settings.
   */
  headersTimeout?: number;
  /**
   * Like `headersTimeout`, for the whole request, body included (Node's `requestTimeout`). Default
   * 30 s. It ends when the request has arrived: SSE streams and long-polls are not cut by it.
   */
  requestTimeout?: number;
}

/** The HTTP transports as a request handler, for apps that route requests themselves. */
export interface HttpTransportHandler {
  /**
   * Serves the request if it is for one of the transports (and returns true), or leaves it alone
   * (false). `expectsContinue`: the request came through 'checkContinue' and awaits `100 Continue`.
   */
  handle(request: IncomingMessage, response: ServerResponse, expectsContinue?: boolean): boolean;
  /** The paths it serves (none when the server offers no HTTP transport). */
  readonly paths: readonly string[];
  /** Ends the streams and requests still open and stops the keep-alive timer. */
  close(): void;
}

type Route = 'sse' | 'poll' | 'send';

export function createHttpTransportHandler(server: SessionGateway, options: HttpTransportOptions = {}): HttpTransportHandler {
  const pollTimeout = options.pollTimeout ?? 25_000;
  const maxBodyBytes = options.maxBodyBytes ?? server.limits.maxPayload;
  const tracker = new ResponseTracker(options.keepAliveInterval ?? 15_000);
  const carriers = new WeakMap<AnySession, PollingCarrier>();
  const offers = (name: Parameters<typeof server.transports.has>[0]): boolean => server.transports.has(name);
  const routes = new Map<string, Route>();
  if (offers('sse')) routes.set(`${server.path}/sse`, 'sse');
  if (offers('long-polling') || offers('polling')) routes.set(`${server.path}/poll`, 'poll');
  if (routes.size > 0) routes.set(`${server.path}/send`, 'send');
  const prefix = `${server.path}/`;
  let closed = false;

  const serve = async (route: Route, pathname: string, request: IncomingMessage, response: ServerResponse, headers: ExtraHeaders, expectsContinue: boolean): Promise<void> => {
    const method = request.method ?? 'GET';
    const expected = route === 'send' ? 'POST' : 'GET';
    if (method !== expected) {
      return refuse(response, { status: 405, reason: `${pathname} takes ${expected}`, headers: { Allow: `${expected}, OPTIONS` } }, headers, route === 'send');
    }
    if (route === 'sse') return handleSse(server, request, response, headers, tracker);
    if (route === 'send') return handleSend(server, request, response, headers, { maxBodyBytes, expectsContinue });
    const mode = pollMode(waitParam(request.url ?? '/'));
    if (mode === null) return refuse(response, { status: 400, reason: 'wait must be 1 (long-polling) or 0 (polling)' }, headers);
    if (!offers(mode)) return refuse(response, { status: 400, reason: `${mode} is not offered` }, headers);
    return handlePoll(server, request, response, headers, tracker, carriers, { mode, pollTimeout });
  };

  return {
    paths: [...routes.keys()],
    handle(request, response, expectsContinue = false) {
      if (closed || !(request.url ?? '').startsWith(prefix)) return false;
      const pathname = pathOf(request.url ?? '/');
      const route = routes.get(pathname);
      if (route === undefined) return false;
      tracker.track(response);
      const cors = corsFor(request, server.allowedOrigins);
      if (isRefusal(cors)) {
        refuse(response, cors, { Vary: 'Origin' }, route === 'send');
        return true;
      }
      if (request.method === 'OPTIONS') {
        response.writeHead(204, { ...preflightHeaders(cors, request), 'Content-Length': '0' });
        response.end();
        return true;
      }
      serve(route, pathname, request, response, cors.headers, expectsContinue).catch(() => {
        refuse(response, { status: 500, reason: 'internal error' }, cors.headers, true);
      });
      return true;
    },
    close() {
      closed = true;
      tracker.close();
    },
  };
}

/**
 * Mounts SSE, long-polling, polling and POST on the HTTP server; returns an unmount function.
 *
 * Coexisting with the app's own 'request' listeners: the transports take their requests before
 * any listener sees them, by wrapping the server's `emit` for 'request' (and 'checkContinue').
 * Requests for the transport paths (`<path>/sse`, `<path>/poll`, `<path>/send`, for the transports
 * offered) are answered here and never reach the app's listeners, whether those were added before
 * or after mounting; every other request is emitted as usual. Unmounting restores `emit` (or, if
 * something wrapped it after us, turns our wrapper into a pass-through). Apps that route requests
 * themselves use `BaroServer.handleRequest` (`noServer`) instead.
 */
export function mountHttpTransports(handler: HttpTransportHandler, httpServer: HttpServer | HttpsServer): () => void {
  if (handler.paths.length === 0) return () => handler.close();
  const hadOwnEmit = Object.prototype.hasOwnProperty.call(httpServer, 'emit');
  const original = httpServer.emit;
  let active = true;
  const emit = function (this: HttpServer, event: string | symbol, ...args: unknown[]): boolean {
    if (active && (event === 'request' || event === 'checkContinue')) {
      const [request, response] = args as [IncomingMessage, ServerResponse];
      if (handler.handle(request, response, event === 'checkContinue')) return true;
    }
    return Reflect.apply(original, this, [event, ...args]) as boolean;
  };
  httpServer.emit = emit as typeof httpServer.emit;
  return () => {
    if (!active) return;
    active = false;
    handler.close();
    if (httpServer.emit === emit) {
      if (hadOwnEmit) httpServer.emit = original;
      else delete (httpServer as { emit?: unknown }).emit;
    }
  };
}

/** `wait` from the query (polls only). */
function waitParam(target: string): string | null {
  return readQuery(target).get('wait');
}

function pollMode(wait: string | null): PollMode | null {
  if (wait === null || wait === '1') return 'long-polling';
  if (wait === '0') return 'polling';
  return null;
}
