export { CloseCode, BaroCloseCode, isValidWireCloseCode, closeCodeAllowsReconnect } from './close-codes.js';
export { ProtocolError, closeCodeFor, type ProtocolErrorKind } from './errors.js';
export { Opcode, type Role, type DeflateParams, type WsConnectionHandler } from './types.js';
export { Utf8Validator, isValidUtf8, type Utf8Check } from './utf8.js';
export { applyMask, randomMask } from './masking.js';
export {
  FrameParser,
  DEFAULT_MAX_PAYLOAD,
  DEFAULT_MAX_FRAGMENTS,
  type FrameParserOptions,
  type FrameSink,
} from './frame-parser.js';
export { encodeFrame, encodeFrameFromParts, prepareFrame, frameHeaderSize, writeHeader as writeFrameHeader, type FrameOptions, type PreparedFrame, type Allocate } from './frame-encoder.js';
export { parseClosePayload, encodeClosePayload, type ClosePayload } from './close-frame.js';
export { WsConnection, type WsConnectionOptions, type ConnectionState } from './connection.js';
export * from './handshake/index.js';
export * from './session/index.js';
export * from './peers/wire.js';
