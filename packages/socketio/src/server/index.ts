export { Server, type ServerOptions } from './server.js';
export { Namespace, type NamespaceMiddleware, type ConnectionMiddlewareError } from './namespace.js';
export { Socket, ACK_TIMEOUT_MESSAGE, type DisconnectReason, type SocketMiddleware, type SocketReservedEvents } from './socket.js';
export { SocketClient } from './client.js';
export { BroadcastOperator, type OperatorFlags } from './broadcast-operator.js';
export { InMemoryRoomAdapter, type RoomAdapter, type RoomMember, type BroadcastTarget, type BroadcastFlags, type EncodedPacket } from './room-adapter.js';
export { SessionHistory, type ConnectionStateRecoveryOptions, type PersistedSession, type RestoredSession } from './session-history.js';
export type { Handshake } from './handshake.js';
export type * from './typed-events.js';
