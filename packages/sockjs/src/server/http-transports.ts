import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  EVENTSOURCE_PRELUDE,
  JSONP_CALLBACK_MAX_LENGTH,
  XHR_STREAMING_PRELUDE,
  checkCallback,
  eventSourceFrame,
  htmlfileFrame,
  htmlfilePrelude,
  jsonpFrame,
  parseJsonpSend,
  parseXhrSend,
  xhrFrame,
  type Inbound,
} from '../protocol/index.js';
import type { ServerContext } from './context.js';
import { closeLingering, readBody } from 'baro';
import { answerError, answerNotFound, answerText, setCors } from './http-answers.js';
import { ResponseReceiver } from './response-receiver.js';

/** Receiving and sending HTTP transports; the router has set cookie and cache headers already. */

interface Receiving {
  protocol: string;
  contentType: string;
  prelude: string;
  wrap: (frame: string) => string;
  /** Polling transports answer one frame per request. */
  polling: boolean;
}

function receive(context: ServerContext, request: IncomingMessage, response: ServerResponse, sessionId: string, transport: Receiving): void {
  const session = context.sessionFor(sessionId, request);
  if (!session) return answerText(response, 503, 'Too many sessions.\n');
  response.setHeader('Content-Type', transport.contentType);
  response.writeHead(200);
  if (transport.prelude) response.write(transport.prelude);
  session.register(request, new ResponseReceiver(transport.protocol, response, transport.wrap, transport.polling ? 1 : context.options.responseLimit));
}

const JAVASCRIPT = 'application/javascript; charset=UTF-8';

export function xhrPolling(context: ServerContext, request: IncomingMessage, response: ServerResponse, sessionId: string): void {
  setCors(request, response);
  receive(context, request, response, sessionId, { protocol: 'xhr-polling', contentType: JAVASCRIPT, prelude: '', wrap: xhrFrame, polling: true });
}

export function xhrStreaming(context: ServerContext, request: IncomingMessage, response: ServerResponse, sessionId: string): void {
  setCors(request, response);
  receive(context, request, response, sessionId, { protocol: 'xhr-streaming', contentType: JAVASCRIPT, prelude: XHR_STREAMING_PRELUDE, wrap: xhrFrame, polling: false });
}

export function eventSource(context: ServerContext, request: IncomingMessage, response: ServerResponse, sessionId: string): void {
  setCors(request, response, { nullOriginIsAny: true });
  receive(context, request, response, sessionId, { protocol: 'eventsource', contentType: 'text/event-stream', prelude: EVENTSOURCE_PRELUDE, wrap: eventSourceFrame, polling: false });
}

export function htmlfile(context: ServerContext, request: IncomingMessage, response: ServerResponse, sessionId: string, query: URLSearchParams): void {
  const checked = checkCallback(query);
  if (!checked.ok) return answerError(response, 500, checked.message);
  receive(context, request, response, sessionId, { protocol: 'htmlfile', contentType: 'text/html; charset=UTF-8', prelude: htmlfilePrelude(checked.callback), wrap: htmlfileFrame, polling: false });
}

export function jsonpPolling(context: ServerContext, request: IncomingMessage, response: ServerResponse, sessionId: string, query: URLSearchParams): void {
  const checked = checkCallback(query, JSONP_CALLBACK_MAX_LENGTH);
  if (!checked.ok) return answerError(response, 500, checked.message);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  const callback = checked.callback;
  receive(context, request, response, sessionId, { protocol: 'jsonp-polling', contentType: JAVASCRIPT, prelude: '', wrap: (frame) => jsonpFrame(callback, frame), polling: true });
}

async function receiveMessages(context: ServerContext, request: IncomingMessage, response: ServerResponse, sessionId: string, parse: (body: string, contentType: string | undefined) => Inbound): Promise<boolean> {
  const read = await readBody(request, context.options.limits.maxMessageBytes);
  if (!read.ok) {
    // Status 0: the client went away, nobody to answer.
    if (read.status === 0) return false;
    response.setHeader('Connection', 'close');
    // The rest of the body is read and dropped while the connection lingers, so the client reads the 413.
    closeLingering(response.socket);
    request.resume();
    answerError(response, 413, 'Payload too large.');
    return false;
  }
  const body = read.body.toString('utf8');
  const parsed = parse(body, request.headers['content-type']);
  if (!parsed.ok) {
    answerError(response, parsed.status, parsed.message);
    return false;
  }
  const session = context.existingSession(sessionId);
  if (!session) {
    answerNotFound(response);
    return false;
  }
  session.deliver(parsed.messages);
  return true;
}

export async function xhrSend(context: ServerContext, request: IncomingMessage, response: ServerResponse, sessionId: string): Promise<void> {
  setCors(request, response);
  if (!(await receiveMessages(context, request, response, sessionId, parseXhrSend))) return;
  response.setHeader('Content-Type', 'text/plain; charset=UTF-8');
  response.writeHead(204);
  response.end();
}

export async function jsonpSend(context: ServerContext, request: IncomingMessage, response: ServerResponse, sessionId: string): Promise<void> {
  if (!(await receiveMessages(context, request, response, sessionId, parseJsonpSend))) return;
  response.setHeader('Content-Length', '2');
  answerText(response, 200, 'ok');
}
