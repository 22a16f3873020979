import { isValidWireCloseCode } from './close-codes.js';
import { ProtocolError } from './errors.js';
import { isValidUtf8 } from './utf8.js';

export interface ClosePayload {
  /** 1005 when the frame carried no code (RFC 6455 §7.1.5). */
  code: number;
  reason: string;
}

// ignoreBOM: a reason that starts with U+FEFF keeps it; the default decoder would silently drop it.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
const encoder = new TextEncoder();

/** Reads a close frame body (RFC 6455 §5.5.1): empty, or a valid 2-byte code and a UTF-8 reason. */
export function parseClosePayload(payload: Uint8Array): ClosePayload | ProtocolError {
  if (payload.length === 0) return { code: 1005, reason: '' };
  if (payload.length === 1) return new ProtocolError('WS_ERR_INVALID_CLOSE_LENGTH', 'close frame body of 1 byte');
  const code = (payload[0] << 8) | payload[1];
  if (!isValidWireCloseCode(code)) return new ProtocolError('WS_ERR_INVALID_CLOSE_CODE', `invalid close code ${code}`);
  const reasonBytes = payload.subarray(2);
  if (!isValidUtf8(reasonBytes)) return new ProtocolError('WS_ERR_INVALID_UTF8', 'close reason is not valid UTF-8');
  return { code, reason: decoder.decode(reasonBytes) };
}

/**
 * Builds a close frame body. Throws a RangeError for a code that may not be sent or a reason over
 * 123 bytes: those are programming errors of the caller, not protocol failures of the peer.
 */
export function encodeClosePayload(code?: number, reason = ''): Uint8Array {
  if (code === undefined) {
    if (reason !== '') throw new RangeError('a close reason needs a close code');
    return new Uint8Array(0);
  }
  if (!isValidWireCloseCode(code)) throw new RangeError(`close code ${code} may not be sent`);
  const reasonBytes = encoder.encode(reason);
  if (reasonBytes.length > 123) throw new RangeError('close reason must be at most 123 bytes');
  const body = new Uint8Array(2 + reasonBytes.length);
  body[0] = code >>> 8;
  body[1] = code & 0xff;
  body.set(reasonBytes, 2);
  return body;
}
