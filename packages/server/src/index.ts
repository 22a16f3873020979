export { WebSocketServer, type WebSocketServerOptions, type AuthDecision, type DeflateOptions } from './websocket/server.js';
export { WebSocketConnection, DEFAULT_LIMITS, type ConnectionLimits, type SendOptions, type SendData } from './websocket/connection.js';
export { WebSocket, type WebSocketClientOptions, type BinaryType } from './websocket/client.js';
export { CloseEvent, ErrorEvent } from './websocket/client-events.js';
export { ReadyState } from './websocket/ready-state.js';
export { PerMessageDeflate } from './permessage-deflate.js';
export { CloseCode, BaroCloseCode, prepareFrame, type PreparedFrame } from '@baro/protocol';
