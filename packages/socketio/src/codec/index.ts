export { type Decoded } from './result.js';
export {
  ENGINE_PACKET_CODES,
  RECORD_SEPARATOR,
  decodeEnginePacket,
  decodeEnginePayload,
  encodeEnginePacket,
  encodeEnginePayload,
  openPacket,
  type DecodedPayload,
  type EngineHandshake,
  type EnginePacket,
  type EnginePacketType,
} from './engine-packet.js';
export { SocketPacketType, RESERVED_EVENTS, type SocketPacket } from './socket-packet.js';
export { encodeSocketPacket } from './socket-encoder.js';
export { SocketDecoder, DEFAULT_SOCKET_DECODER_LIMITS, type SocketDecoderLimits } from './socket-decoder.js';
export { hasBinary } from './binary-attachments.js';
