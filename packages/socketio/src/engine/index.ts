export { EngineServer, type EngineConnectionError, type EngineServerEvents } from './engine-server.js';
export { EngineSocket, type EngineCloseReason, type EngineSendData, type EngineSocketEvents, type EngineSocketState } from './engine-socket.js';
export { EngineErrorCode, ENGINE_ERROR_MESSAGES } from './errors.js';
export type { EngineServerOptions, EngineTransportName } from './options.js';
export type { EngineTransport } from './transport.js';
