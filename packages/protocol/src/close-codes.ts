/**
 * Close codes (RFC 6455 §7.4) and the one table that maps a failure to the code it closes with.
 * 1004, 1005, 1006 and 1015 are reserved for reporting and never appear on the wire.
 */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  unsupportedData: 1003,
  noStatus: 1005,
  abnormal: 1006,
  invalidPayload: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
  mandatoryExtension: 1010,
  internalError: 1011,
  serviceRestart: 1012,
  tryAgainLater: 1013,
  badGateway: 1014,
  tlsHandshake: 1015,
} as const;

/** Codes that may be sent in a close frame and accepted from a peer. */
export function isValidWireCloseCode(code: number): boolean {
  if (code >= 1000 && code <= 1003) return true;
  if (code >= 1007 && code <= 1014) return true;
  return code >= 3000 && code <= 4999;
}

/**
 * baro's own codes, after centrifuge: 4000–4499 ask the client to reconnect, 4500–4999 are terminal.
 */
export const BaroCloseCode = {
  slowConsumer: 4001,
  heartbeatTimeout: 4002,
  serverRestart: 4003,
  kicked: 4500,
} as const;

export function closeCodeAllowsReconnect(code: number): boolean {
  if (code >= 4500 && code <= 4999) return false;
  return code !== CloseCode.normal && code !== CloseCode.policyViolation && code !== CloseCode.protocolError;
}
