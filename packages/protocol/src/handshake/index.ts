/** The opening handshake (RFC 6455 §4) and extension negotiation (RFC 6455 §9, RFC 7692), sans-I/O. */

export { sha1 } from './sha1.js';
export { encodeBase64, decodeBase64 } from './base64.js';
export {
  type HeaderValue,
  type HeaderMap,
  type OutgoingHeaders,
  isToken,
  getHeader,
  getHeaderValues,
  splitHeaderList,
  headerListHasToken,
} from './header-tokens.js';
export {
  type ExtensionParam,
  type ExtensionOffer,
  type ParseExtensionsResult,
  parseExtensions,
  serializeExtensions,
  serializeExtension,
} from './extensions-header.js';
export {
  type ServerDeflateOptions,
  type ClientDeflateOptions,
  type ServerDeflateAgreement,
  type ClientDeflateResult,
  PERMESSAGE_DEFLATE,
  negotiateDeflateAsServer,
  buildDeflateOffer,
  checkDeflateOffer,
  negotiateDeflateAsClient,
} from './permessage-deflate-negotiation.js';
export {
  type UpgradeRequest,
  type AcceptedUpgrade,
  type RejectedUpgrade,
  type UpgradeValidation,
  type AcceptResponseOptions,
  WEBSOCKET_VERSION,
  validateUpgradeRequest,
  computeAccept,
  buildAcceptResponse,
  buildRejectResponse,
} from './server-handshake.js';
export {
  type ClientHandshakeOptions,
  type ClientHandshake,
  type ServerHandshakeResponse,
  type ServerResponseVerification,
  createClientHandshake,
  verifyServerResponse,
} from './client-handshake.js';
