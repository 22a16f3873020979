import { CloseCode } from './close-codes.js';

/**
 * Every way a peer can break the protocol, with the close code it earns. This is the only place
 * that decides a close code for a failure; parser, connection and handshake all throw these.
 */
const failures = {
  WS_ERR_INVALID_OPCODE: CloseCode.protocolError,
  WS_ERR_UNEXPECTED_RSV: CloseCode.protocolError,
  WS_ERR_EXPECTED_MASK: CloseCode.protocolError,
  WS_ERR_UNEXPECTED_MASK: CloseCode.protocolError,
  WS_ERR_INVALID_CONTROL_LENGTH: CloseCode.protocolError,
  WS_ERR_FRAGMENTED_CONTROL: CloseCode.protocolError,
  WS_ERR_UNEXPECTED_CONTINUATION: CloseCode.protocolError,
  WS_ERR_EXPECTED_CONTINUATION: CloseCode.protocolError,
  WS_ERR_UNSUPPORTED_LENGTH: CloseCode.protocolError,
  WS_ERR_INVALID_CLOSE_LENGTH: CloseCode.protocolError,
  WS_ERR_INVALID_CLOSE_CODE: CloseCode.protocolError,
  WS_ERR_DATA_AFTER_CLOSE: CloseCode.protocolError,
  WS_ERR_INVALID_UTF8: CloseCode.invalidPayload,
  WS_ERR_MESSAGE_TOO_BIG: CloseCode.messageTooBig,
  WS_ERR_TOO_MANY_FRAGMENTS: CloseCode.messageTooBig,
  WS_ERR_INFLATE_FAILED: CloseCode.protocolError,
  WS_ERR_INFLATE_TOO_BIG: CloseCode.messageTooBig,
  /** The process's budget of inflated bytes in flight is spent (see the server's `InflateBudget`). */
  WS_ERR_INFLATE_BUDGET: CloseCode.tryAgainLater,
  WS_ERR_INTERNAL: CloseCode.internalError,
} as const satisfies Record<string, number>;

export type ProtocolErrorKind = keyof typeof failures;

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  /** A stable string for programs, e.g. `WS_ERR_INVALID_UTF8`. */
  readonly kind: ProtocolErrorKind;
  /** The close code this failure is answered with. */
  readonly closeCode: number;

  constructor(kind: ProtocolErrorKind, message: string) {
    super(message);
    this.kind = kind;
    this.closeCode = failures[kind];
  }
}

export function closeCodeFor(kind: ProtocolErrorKind): number {
  return failures[kind];
}
