/** The session protocol (docs/protocol.md): packets, their codec and sequencing, sans-I/O. */
export * from './packets.js';
export * from './packet-codec.js';
export { containsBytes } from './binary-json.js';
export { encodeBytesBase64, decodeBytesBase64 } from './base64-bytes.js';
export { InboundSequence, ReplayBuffer, type InboundVerdict } from './sequencing.js';
export { StreamPositions, decodePositions, MAX_POSITIONS_TEXT, EPOCH_PATTERN } from './positions.js';
export { CLOCK_EVENT, type ClockRequest, type ClockReply } from './clock.js';
export type { EventMap, EventContract, UntypedEvents, DataOf, ReplyOf, Ack, EventName } from './events.js';
