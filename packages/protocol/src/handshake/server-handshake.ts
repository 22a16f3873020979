/**
 * The server side of the opening handshake, RFC 6455 §4.2: check the client's upgrade request,
 * then write the bytes of the answer. Reading the request off the socket is the I/O layer's job;
 * it passes what Node's `IncomingMessage` (or any HTTP parser) reports.
 */

import { decodeBase64, encodeBase64 } from './base64.js';
import { type ExtensionOffer, parseExtensions } from './extensions-header.js';
import {
  type HeaderMap,
  type OutgoingHeaders,
  formatHeaderLine,
  formatHeaderLines,
  getHeader,
  getHeaderValues,
  headerListHasToken,
  isToken,
  splitHeaderList,
  trimOptionalWhitespace,
} from './header-tokens.js';
import { sha1 } from './sha1.js';

/** RFC 6455 §1.3: the GUID appended to the key before hashing. */
const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** RFC 6455 §4.1: the only version this protocol defines. */
export const WEBSOCKET_VERSION = '13';
/** RFC 6455 §4.1: the key is "a randomly selected 16-byte value that has been base64-encoded". */
const KEY_BYTES = 16;

export interface UpgradeRequest {
  /** Optional only because Node's `IncomingMessage` types it so; anything but "GET" is refused. */
  readonly method?: string | undefined;
  /** As Node reports it, e.g. "1.1"; "HTTP/1.1" is accepted too. */
  readonly httpVersion: string;
  readonly headers: HeaderMap;
}

export interface AcceptedUpgrade {
  readonly ok: true;
  /** The client's Sec-WebSocket-Key. */
  readonly key: string;
  /** The Sec-WebSocket-Accept value to answer with. */
  readonly accept: string;
  /** Offered subprotocols in the client's order of preference; empty when none were offered. */
  readonly protocols: string[];
  /** Offered extensions, in order; see `negotiateDeflateAsServer`. */
  readonly extensions: ExtensionOffer[];
}

export interface RejectedUpgrade {
  readonly ok: false;
  /** 426 for a missing or unsupported version, 400 for anything else. */
  readonly status: 400 | 426;
  /** A human-readable explanation, safe to send as the response body. */
  readonly reason: string;
  /** Headers the rejection must carry (`Sec-WebSocket-Version` with a 426). */
  readonly headers: Record<string, string>;
}

export type UpgradeValidation = AcceptedUpgrade | RejectedUpgrade;

/**
 * Checks an upgrade request against RFC 6455 §4.2.1. The order puts HTTP-level problems first,
 * then the version, then the key: a client speaking another draft (whose key headers differ) is
 * told which version we speak rather than that its key is missing.
 */
export function validateUpgradeRequest(request: UpgradeRequest): UpgradeValidation {
  const { headers } = request;

  // §4.2.1 item 1: "An HTTP/1.1 or higher GET request".
  if (request.method !== 'GET') return badRequest(`Invalid HTTP method ${quote(request.method ?? '')}: expected GET`);
  if (!isHttp11OrLater(request.httpVersion)) {
    return badRequest(`Invalid HTTP version ${quote(request.httpVersion)}: HTTP/1.1 or later is required`);
  }

  // §4.2.1 item 2: "A |Host| header field containing the server's authority."
  const host = getHeader(headers, 'host');
  if (host === undefined || trimOptionalWhitespace(host) === '') return badRequest('Missing Host header');

  // §4.2.1 item 3: an |Upgrade| header "containing the value "websocket", treated as an ASCII
  // case-insensitive value"; it may be one of several protocols listed (RFC 7230 §6.7).
  if (!headerListHasToken(getHeader(headers, 'upgrade'), 'websocket')) {
    return badRequest('Missing or invalid Upgrade header: expected "websocket"');
  }
  // §4.2.1 item 4: a |Connection| header "that includes the token "Upgrade", treated as an ASCII
  // case-insensitive value" (e.g. `keep-alive, Upgrade`).
  if (!headerListHasToken(getHeader(headers, 'connection'), 'upgrade')) {
    return badRequest('Missing or invalid Connection header: expected the "Upgrade" token');
  }

  // §4.2.1 item 6 and §4.2.2 item 4: on a version we do not speak, answer "an appropriate HTTP
  // error code (such as 426 Upgrade Required) and a |Sec-WebSocket-Version| header field
  // indicating the version(s) the server is capable of understanding".
  const version = getHeader(headers, 'sec-websocket-version');
  if (version === undefined) return upgradeRequired('Missing Sec-WebSocket-Version header: expected 13');
  if (trimOptionalWhitespace(version) !== WEBSOCKET_VERSION) {
    return upgradeRequired(`Unsupported Sec-WebSocket-Version ${quote(version)}: expected 13`);
  }

  // §4.2.1 item 5: a |Sec-WebSocket-Key| "that, when decoded, is 16 bytes in length". §11.3.1:
  // it "MUST NOT appear more than once in an HTTP request". Node joins repeats with ", ".
  const keyValues = getHeaderValues(headers, 'sec-websocket-key');
  if (keyValues.length === 0) return badRequest('Missing Sec-WebSocket-Key header');
  if (keyValues.length > 1 || keyValues[0].includes(',')) {
    return badRequest('Sec-WebSocket-Key header must appear exactly once');
  }
  const key = trimOptionalWhitespace(keyValues[0]);
  const keyBytes = decodeBase64(key);
  if (keyBytes === null || keyBytes.length !== KEY_BYTES) {
    return badRequest('Invalid Sec-WebSocket-Key header: expected the base64 encoding of 16 bytes');
  }

  // §4.2.1 item 8 and §4.1: subprotocols are tokens ("characters in the range U+0021 to U+007E not
  // including separator characters"), comma-separated, and "MUST all be unique strings".
  const protocolHeader = getHeader(headers, 'sec-websocket-protocol');
  const protocols: string[] = [];
  if (protocolHeader !== undefined) {
    const offered = splitHeaderList(protocolHeader);
    if (offered.length === 0) return badRequest('Invalid Sec-WebSocket-Protocol header: empty');
    for (const protocol of offered) {
      if (!isToken(protocol)) {
        return badRequest(`Invalid Sec-WebSocket-Protocol header: ${quote(protocol)} is not a token`);
      }
      if (protocols.includes(protocol)) {
        return badRequest(`Invalid Sec-WebSocket-Protocol header: ${quote(protocol)} is offered twice`);
      }
      protocols.push(protocol);
    }
  }

  // §4.2.1 item 9 and §9.1: extensions the client would like, in the §9.1 grammar.
  const extensionHeader = getHeader(headers, 'sec-websocket-extensions');
  let extensions: ExtensionOffer[] = [];
  if (extensionHeader !== undefined) {
    const parsed = parseExtensions(extensionHeader);
    if (!parsed.ok) return badRequest(`Invalid Sec-WebSocket-Extensions header: ${printable(parsed.error)}`);
    extensions = parsed.extensions;
  }

  return { ok: true, key, accept: computeAccept(key), protocols, extensions };
}

/** RFC 6455 §1.3 / §4.2.2 item 5.4: base64(SHA-1(key + GUID)). */
export function computeAccept(key: string): string {
  return encodeBase64(sha1(encodeUtf8(key + WEBSOCKET_GUID)));
}

export interface AcceptResponseOptions {
  /** From `validateUpgradeRequest` (or `computeAccept`). */
  readonly accept: string;
  /** The one subprotocol chosen, which must be one the client offered (§4.2.2 item 5.5). */
  readonly protocol?: string | null;
  /** The response's Sec-WebSocket-Extensions value, e.g. `ServerDeflateAgreement.response`. */
  readonly extensions?: string | null;
  /** Anything else to send, e.g. Set-Cookie. The handshake's own headers cannot be repeated here. */
  readonly extraHeaders?: OutgoingHeaders;
}

const ACCEPT_RESPONSE_HEADERS = new Set([
  'upgrade',
  'connection',
  'sec-websocket-accept',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
]);

/**
 * The exact head of the 101 response (RFC 6455 §4.2.2 item 5), ending with the blank line. Throws a
 * TypeError if any value holds CR or LF or a name is not a token: never write a caller's string
 * that could add headers or end the head.
 */
export function buildAcceptResponse(options: AcceptResponseOptions): string {
  let head = 'HTTP/1.1 101 Switching Protocols\r\n';
  head += 'Upgrade: websocket\r\n';
  head += 'Connection: Upgrade\r\n';
  head += formatHeaderLine('Sec-WebSocket-Accept', options.accept);
  if (options.protocol !== undefined && options.protocol !== null) {
    if (!isToken(options.protocol)) throw new TypeError(`Invalid subprotocol: ${JSON.stringify(options.protocol)}`);
    head += formatHeaderLine('Sec-WebSocket-Protocol', options.protocol);
  }
  if (options.extensions !== undefined && options.extensions !== null && options.extensions !== '') {
    head += formatHeaderLine('Sec-WebSocket-Extensions', options.extensions);
  }
  if (options.extraHeaders !== undefined) head += formatHeaderLines(options.extraHeaders, ACCEPT_RESPONSE_HEADERS);
  return head + '\r\n';
}

const REASON_PHRASES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  426: 'Upgrade Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

const REJECT_RESPONSE_HEADERS = new Set(['connection', 'content-type', 'content-length']);

/**
 * A whole small HTTP response refusing the upgrade: status line, `Connection: close`, a plain-text
 * body with its byte length, plus `headers` (e.g. the 426's `Sec-WebSocket-Version`). Throws a
 * RangeError for a status outside 300..599 (a refusal is neither informational nor a success) and a
 * TypeError for header injection attempts.
 */
export function buildRejectResponse(status: number, reason: string, headers: OutgoingHeaders = {}): string {
  if (!Number.isInteger(status) || status < 300 || status > 599) {
    throw new RangeError(`A rejection status must be an integer from 300 to 599, got ${String(status)}`);
  }
  // RFC 7230 §3.1.2: reason-phrase may be empty, but the space before it is required.
  let head = `HTTP/1.1 ${status} ${REASON_PHRASES[status] ?? ''}\r\n`;
  head += 'Connection: close\r\n';
  head += 'Content-Type: text/plain; charset=utf-8\r\n';
  head += `Content-Length: ${encodeUtf8(reason).length}\r\n`;
  head += formatHeaderLines(headers, REJECT_RESPONSE_HEADERS);
  return head + '\r\n' + reason;
}

function isHttp11OrLater(httpVersion: string): boolean {
  const match = /^(?:HTTP\/)?(\d+)\.(\d+)$/.exec(httpVersion);
  if (match === null) return false;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major > 1 || (major === 1 && minor >= 1);
}

/**
 * Quotes a peer's value for a rejection reason. The reason goes back to the peer as the response
 * body, so it is kept short and printable ASCII whatever the peer sent.
 */
function quote(value: string): string {
  const shortened = value.length > 64 ? `${value.slice(0, 64)}...` : value;
  return printable(JSON.stringify(shortened));
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function badRequest(reason: string): RejectedUpgrade {
  return { ok: false, status: 400, reason, headers: {} };
}

function upgradeRequired(reason: string): RejectedUpgrade {
  return { ok: false, status: 426, reason, headers: { 'Sec-WebSocket-Version': WEBSOCKET_VERSION } };
}

/**
 * TextEncoder exists in every runtime this package targets, but this package compiles without
 * DOM or Node types, so it is reached through a typed view of globalThis.
 */
interface Utf8Encoder {
  encode(input: string): Uint8Array;
}
const utf8Encoder: Utf8Encoder = new (globalThis as unknown as { TextEncoder: new () => Utf8Encoder }).TextEncoder();

function encodeUtf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}
