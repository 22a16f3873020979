import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'baro';
import { IFRAME_PATH } from '../protocol/index.js';
import type { ServerContext } from './context.js';
import { answerError, answerNotFound, answerPreflight, setCacheForAYear, setCors, setNoCache, setSessionCookie } from './http-answers.js';
import { eventSource, htmlfile, jsonpPolling, jsonpSend, xhrPolling, xhrSend, xhrStreaming } from './http-transports.js';
import { chunkingTest, iframe, info, welcome } from './prefix-endpoints.js';
import { rawWebSocket, sockjsWebSocket } from './websocket-transports.js';

export interface RequestParts {
  request: IncomingMessage;
  sessionId: string;
  query: URLSearchParams;
}

export interface Route {
  method: string;
  pattern: RegExp;
  http(parts: RequestParts, response: ServerResponse): void | Promise<void>;
  /** Routes that take WebSocket upgrades; others answer an upgrade with 404. */
  upgrade?(parts: RequestParts, socket: Duplex, head: Buffer): Promise<void> | void;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The reference's dispatch table, in its order: a path that matches with another method answers
 * 405 with every method it matched, so the order and the set must be the same.
 */
export function buildRoutes(context: ServerContext, websockets: WebSocketServer): Route[] {
  const { prefix, jsessionid } = context.options;
  const base = escapeRegExp(prefix);
  const underPrefix = (path: string): RegExp => new RegExp('^' + base + path + '[/]?$');
  const underSession = (transport: string): RegExp => underPrefix('/([^/.]+)/([^/.]+)/' + transport);
  const sessionCookie = (request: IncomingMessage, response: ServerResponse): void => {
    if (jsessionid) setSessionCookie(request, response);
  };
  const preflight = (methods: string) => ({ request }: RequestParts, response: ServerResponse): void => {
    sessionCookie(request, response);
    setCors(request, response);
    setCacheForAYear(response);
    answerPreflight(response, methods);
  };
  const noCacheSession = (handler: (parts: RequestParts, response: ServerResponse) => void | Promise<void>) => (parts: RequestParts, response: ServerResponse) => {
    sessionCookie(parts.request, response);
    setNoCache(response);
    return handler(parts, response);
  };
  const websocketDisabled = (_parts: RequestParts, response: ServerResponse): void => {
    setCacheForAYear(response);
    answerNotFound(response);
  };
  const notAWebSocket = (_parts: RequestParts, response: ServerResponse): void => answerError(response, 400, 'Not a valid websocket request');

  const routes: Route[] = [
    { method: 'GET', pattern: underPrefix(''), http: (_parts, response) => welcome(response) },
    { method: 'GET', pattern: new RegExp('^' + base + IFRAME_PATH.source.slice(1, -1) + '[/]?$'), http: ({ request }, response) => iframe(context, request, response) },
    { method: 'OPTIONS', pattern: underPrefix('/info'), http: preflight('OPTIONS, GET') },
    { method: 'GET', pattern: underPrefix('/info'), http: ({ request }, response) => info(context, request, response) },
    { method: 'OPTIONS', pattern: underPrefix('/chunking_test'), http: preflight('OPTIONS, POST') },
    { method: 'POST', pattern: underPrefix('/chunking_test'), http: ({ request }, response) => chunkingTest(request, response) },
    { method: 'GET', pattern: underSession('jsonp'), http: noCacheSession(({ request, sessionId, query }, response) => jsonpPolling(context, request, response, sessionId, query)) },
    { method: 'POST', pattern: underSession('jsonp_send'), http: noCacheSession(({ request, sessionId }, response) => jsonpSend(context, request, response, sessionId)) },
    { method: 'POST', pattern: underSession('xhr'), http: noCacheSession(({ request, sessionId }, response) => xhrPolling(context, request, response, sessionId)) },
    { method: 'OPTIONS', pattern: underSession('xhr'), http: preflight('OPTIONS, POST') },
    { method: 'POST', pattern: underSession('xhr_send'), http: noCacheSession(({ request, sessionId }, response) => xhrSend(context, request, response, sessionId)) },
    { method: 'OPTIONS', pattern: underSession('xhr_send'), http: preflight('OPTIONS, POST') },
    { method: 'POST', pattern: underSession('xhr_streaming'), http: noCacheSession(({ request, sessionId }, response) => xhrStreaming(context, request, response, sessionId)) },
    { method: 'OPTIONS', pattern: underSession('xhr_streaming'), http: preflight('OPTIONS, POST') },
    { method: 'GET', pattern: underSession('eventsource'), http: noCacheSession(({ request, sessionId }, response) => eventSource(context, request, response, sessionId)) },
    { method: 'GET', pattern: underSession('htmlfile'), http: noCacheSession(({ request, sessionId, query }, response) => htmlfile(context, request, response, sessionId, query)) },
  ];
  if (context.options.websocket) {
    routes.push(
      { method: 'GET', pattern: underPrefix('/websocket'), http: notAWebSocket, upgrade: ({ request }, socket, head) => rawWebSocket(context, websockets, request, socket, head) },
      { method: 'GET', pattern: underSession('websocket'), http: notAWebSocket, upgrade: ({ request }, socket, head) => sockjsWebSocket(context, websockets, request, socket, head) },
    );
  } else {
    routes.push({ method: 'GET', pattern: underPrefix('/websocket'), http: websocketDisabled }, { method: 'GET', pattern: underSession('websocket'), http: websocketDisabled });
  }
  return routes;
}

export type RouteLookup = { found: Route; match: RegExpMatchArray } | { found: null; allowed: string[] };

export function findRoute(routes: readonly Route[], method: string, pathname: string): RouteLookup {
  const allowed: string[] = [];
  for (const route of routes) {
    const match = pathname.match(route.pattern);
    if (!match) continue;
    if (route.method !== method) {
      allowed.push(route.method);
      continue;
    }
    return { found: route, match };
  }
  return { found: null, allowed };
}
