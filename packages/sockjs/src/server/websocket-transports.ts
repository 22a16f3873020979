import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'baro';
import { isHixie76 } from '../protocol/index.js';
import type { ServerContext } from './context.js';
import { acceptHixie76 } from './hixie76-socket.js';
import { fromBaroConnection, type MessageSocket } from './message-socket.js';
import { writeRawResponse } from './http-answers.js';
import { WebSocketReceiver } from './websocket-receiver.js';

/** The check faye-websocket (the reference's WebSocket layer) makes before any handshake. */
export function isWebSocketRequest(request: IncomingMessage): boolean {
  const connection = (request.headers.connection ?? '').toLowerCase().split(/ *, */);
  return request.method === 'GET' && connection.includes('upgrade') && (request.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

const NOT_A_WEBSOCKET = 'Not a valid websocket request';

async function accept(context: ServerContext, websockets: WebSocketServer, request: IncomingMessage, socket: Duplex, head: Buffer): Promise<MessageSocket | null> {
  if (isHixie76(request.headers)) {
    const { maxMessageBytes, handshakeTimeout } = context.options.limits;
    return acceptHixie76(request, socket, head, { maxMessageBytes, handshakeTimeout });
  }
  if (request.headers['sec-websocket-version'] === undefined) {
    // hixie-75 (no keys, no version) predates every browser SockJS supports.
    writeRawResponse(socket, request.httpVersion, 400, {}, NOT_A_WEBSOCKET);
    return null;
  }
  const connection = await websockets.handleUpgrade(request, socket, head);
  return connection ? fromBaroConnection(connection) : null;
}

/** `/<prefix>/<server>/<session>/websocket`: a SockJS session over one WebSocket. */
export async function sockjsWebSocket(context: ServerContext, websockets: WebSocketServer, request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  if (!isWebSocketRequest(request)) return writeRawResponse(socket, request.httpVersion, 400, {}, NOT_A_WEBSOCKET);
  // Admission first: a refused client hears 503 instead of a handshake.
  const session = context.anonymousSession(request);
  if (!session) return writeRawResponse(socket, request.httpVersion, 503, { 'Retry-After': '5' }, 'Too many sessions.\n');
  const messageSocket = await accept(context, websockets, request, socket, head);
  if (!messageSocket) return session.terminate();
  session.register(request, new WebSocketReceiver(messageSocket, (messages) => session.deliver(messages)));
}

/** `/<prefix>/websocket`: plain WebSocket messages, RFC 6455 only. */
export async function rawWebSocket(context: ServerContext, websockets: WebSocketServer, request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  if (!isWebSocketRequest(request)) return writeRawResponse(socket, request.httpVersion, 400, {}, NOT_A_WEBSOCKET);
  const version = request.headers['sec-websocket-version'] ?? '';
  if (version !== '8' && version !== '13') return writeRawResponse(socket, request.httpVersion, 400, {}, 'Only supported WebSocket protocol is RFC 6455.');
  if (!context.admitRaw(request)) return writeRawResponse(socket, request.httpVersion, 503, { 'Retry-After': '5' }, 'Too many sessions.\n');
  const connection = await websockets.handleUpgrade(request, socket, head);
  if (connection) context.openRaw(fromBaroConnection(connection), request);
  else context.releaseRaw(request);
}
