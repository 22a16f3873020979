export { SockJSServer, createServer, type SockJSServerEvents } from './server.js';
export { SockJSConnection, ReadyState } from './connection.js';
export { DEFAULT_SOCKJS_LIMITS, DEFAULT_SOCKJS_URL, type SockJSServerOptions, type SockJSLimits } from './options.js';
export { RoomWriter, MESSAGE_EVENT } from './rooms.js';
