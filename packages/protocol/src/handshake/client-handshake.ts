/**
 * The client side of the opening handshake, RFC 6455 §4.1: build the request head, then check
 * the server's answer. Connecting, TLS and reading the response head are the I/O layer's job.
 */

import type { DeflateParams } from '../types.js';
import { encodeBase64 } from './base64.js';
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
import { PERMESSAGE_DEFLATE, checkDeflateOffer, negotiateDeflateAsClient } from './permessage-deflate-negotiation.js';
import { WEBSOCKET_VERSION, computeAccept } from './server-handshake.js';

export interface ClientHandshakeOptions {
  /** `ws:`, `wss:`, `http:` or `https:` (the latter two as the WHATWG WebSocket API allows). */
  readonly url: string | { readonly href: string };
  /** Subprotocols to offer, most preferred first. */
  readonly protocols?: string | readonly string[];
  /** A `Sec-WebSocket-Extensions` offer, e.g. from `buildDeflateOffer`. */
  readonly extensions?: string;
  /** Extra request headers, e.g. Origin, Authorization, Cookie. `Host` may be overridden here. */
  readonly headers?: OutgoingHeaders;
}

export interface ClientHandshake {
  /** The Sec-WebSocket-Key sent: base64 of 16 random bytes. */
  readonly key: string;
  /** The Sec-WebSocket-Accept the server must answer with. */
  readonly expectedAccept: string;
  /** The exact request head, ending with the blank line. */
  readonly requestHead: string;
  /** What was offered, kept to check the answer against. */
  readonly protocols: readonly string[];
  readonly extensions: readonly ExtensionOffer[];
  /** Where to connect: TLS or not, host name (IPv6 without brackets) and port. */
  readonly secure: boolean;
  readonly hostname: string;
  readonly port: number;
}

export interface ServerHandshakeResponse {
  readonly status: number;
  readonly headers: HeaderMap;
}

export type ServerResponseVerification =
  | {
      readonly ok: true;
      /** The subprotocol the server chose, or null if it chose none. */
      readonly protocol: string | null;
      /** Every extension the server accepted, as it wrote them. */
      readonly extensions: ExtensionOffer[];
      /** permessage-deflate parameters when the server accepted it. */
      readonly deflate: DeflateParams | null;
    }
  | { readonly ok: false; readonly reason: string };

/** RFC 6455 §3: default ports of the two schemes (and of http:/https:, which map onto them). */
const SCHEMES: Readonly<Record<string, { secure: boolean; defaultPort: number }>> = {
  'ws:': { secure: false, defaultPort: 80 },
  'wss:': { secure: true, defaultPort: 443 },
  'http:': { secure: false, defaultPort: 80 },
  'https:': { secure: true, defaultPort: 443 },
};

const REQUEST_HEADERS = new Set([
  'upgrade',
  'connection',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
]);

/**
 * Builds the opening handshake request. Like the WHATWG `WebSocket` constructor, it throws a
 * SyntaxError for a URL or subprotocol list it cannot use; it throws a TypeError for extra headers
 * that are invalid or would repeat the handshake's own.
 */
export function createClientHandshake(options: ClientHandshakeOptions): ClientHandshake {
  const href = typeof options.url === 'string' ? options.url : options.url.href;
  const url = parseUrl(href);
  const scheme = SCHEMES[url.protocol];
  // RFC 6455 §3 defines only ws: and wss:; http:/https: are accepted as the WHATWG spec does.
  if (scheme === undefined) {
    throw new SyntaxError(`Unsupported URL scheme ${JSON.stringify(url.protocol)}: expected ws:, wss:, http: or https:`);
  }
  // RFC 6455 §3: "Fragment identifiers are meaningless in the context of WebSocket URIs and MUST
  // NOT be used on these URIs." The serialized URL has '#' exactly when there is a fragment, even
  // an empty one (which `url.hash` reports as '').
  if (url.href.includes('#')) throw new SyntaxError(`WebSocket URLs cannot have a fragment: ${href}`);
  // Credentials in the URL would need an encoding decision; ask for an explicit header instead.
  if (url.username !== '' || url.password !== '') {
    throw new SyntaxError('WebSocket URLs cannot carry credentials; send an Authorization header instead');
  }

  const protocols = checkProtocols(options.protocols);
  const extensionOffer = trimOptionalWhitespace(options.extensions ?? '');
  const extensions = checkExtensionOffer(extensionOffer);

  // RFC 6455 §4.1 item 2: "a randomly selected 16-byte value that has been base64-encoded".
  const key = encodeBase64(randomBytes(16));
  const extraHeaders = options.headers ?? {};
  const hostOverridden = Object.keys(extraHeaders).some((name) => name.toLowerCase() === 'host');

  // RFC 6455 §4.1 items 2-4 and §3 ("/" when the path is empty; the query follows "?").
  // WHATWG URL already leaves out a default port from `host`, so the Host header carries the port
  // exactly when it is not the scheme's default (§4.1 item 4).
  // `search` is '' for an empty query too; keep the '?' the caller wrote (no fragment can follow it).
  const query = url.search !== '' ? url.search : url.href.endsWith('?') ? '?' : '';
  let head = `GET ${url.pathname === '' ? '/' : url.pathname}${query} HTTP/1.1\r\n`;
  if (!hostOverridden) head += formatHeaderLine('Host', url.host);
  head += 'Upgrade: websocket\r\n';
  head += 'Connection: Upgrade\r\n';
  head += formatHeaderLine('Sec-WebSocket-Key', key);
  head += formatHeaderLine('Sec-WebSocket-Version', WEBSOCKET_VERSION);
  if (protocols.length > 0) head += formatHeaderLine('Sec-WebSocket-Protocol', protocols.join(', '));
  if (extensionOffer !== '') head += formatHeaderLine('Sec-WebSocket-Extensions', extensionOffer);
  head += formatHeaderLines(extraHeaders, REQUEST_HEADERS);
  head += '\r\n';

  return {
    key,
    expectedAccept: computeAccept(key),
    requestHead: head,
    protocols,
    extensions,
    secure: scheme.secure,
    hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
    port: url.port === '' ? scheme.defaultPort : Number(url.port),
  };
}

/** Checks the server's answer against RFC 6455 §4.1 ("the client MUST validate the server's response"). */
export function verifyServerResponse(
  response: ServerHandshakeResponse,
  handshake: ClientHandshake,
): ServerResponseVerification {
  const { headers } = response;

  // §4.1 item 1: "If the status code received from the server is not 101, the client handles the
  // response per HTTP procedures" — for this layer, the handshake failed.
  if (response.status !== 101) {
    return fail(`Unexpected response status ${response.status}: expected 101 Switching Protocols`);
  }

  // §4.1 item 2: fail if the |Upgrade| header "contains a value that is not an ASCII
  // case-insensitive match for the value "websocket"": exactly that one value.
  const upgrade = splitHeaderList(getHeader(headers, 'upgrade') ?? '');
  if (upgrade.length !== 1 || upgrade[0].toLowerCase() !== 'websocket') {
    return fail('Missing or invalid Upgrade header: expected "websocket"');
  }

  // §4.1 item 3: the |Connection| header must contain "a token that is an ASCII case-insensitive
  // match for the value "Upgrade"".
  if (!headerListHasToken(getHeader(headers, 'connection'), 'upgrade')) {
    return fail('Missing or invalid Connection header: expected the "Upgrade" token');
  }

  // §4.1 item 4: |Sec-WebSocket-Accept| must be base64(SHA-1(key + GUID)), compared exactly (base64
  // is case-sensitive). §11.3.3: it "MUST NOT appear more than once".
  const accepts = getHeaderValues(headers, 'sec-websocket-accept');
  if (accepts.length === 0) return fail('Missing Sec-WebSocket-Accept header');
  if (accepts.length > 1 || trimOptionalWhitespace(accepts[0]) !== handshake.expectedAccept) {
    return fail('Invalid Sec-WebSocket-Accept header: it does not match the key sent');
  }

  // §4.1 item 6: a subprotocol "that was not present in the client's handshake" fails the
  // connection. §4.2.2 item 5.5: the server selects one value, or none (absence is not an error).
  const protocolHeader = getHeader(headers, 'sec-websocket-protocol');
  let protocol: string | null = null;
  if (protocolHeader !== undefined) {
    const selected = trimOptionalWhitespace(protocolHeader);
    if (handshake.protocols.length === 0) return fail('The server selected a subprotocol although none was offered');
    if (!handshake.protocols.includes(selected)) {
      return fail(`The server selected a subprotocol that was not offered: ${JSON.stringify(selected)}`);
    }
    protocol = selected;
  }

  // §4.1 item 5: an extension "that was not present in the client's handshake" fails the
  // connection; permessage-deflate parameters are then checked against RFC 7692 §7.
  const extensionHeader = getHeader(headers, 'sec-websocket-extensions');
  let extensions: ExtensionOffer[] = [];
  if (extensionHeader !== undefined) {
    const parsed = parseExtensions(extensionHeader);
    if (!parsed.ok) return fail(`Invalid Sec-WebSocket-Extensions header: ${parsed.error}`);
    extensions = parsed.extensions;
  }
  const offeredNames = new Set(handshake.extensions.map((extension) => extension.name));
  for (const extension of extensions) {
    if (!offeredNames.has(extension.name)) {
      return fail(`The server accepted an extension that was not offered: ${JSON.stringify(extension.name)}`);
    }
  }
  const deflate = negotiateDeflateAsClient(handshake.extensions, extensions);
  if (!deflate.ok) return fail(deflate.reason);

  return { ok: true, protocol, extensions, deflate: deflate.params };
}

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

/** WHATWG WebSocket constructor rules for the protocol list: tokens, no repeats. */
function checkProtocols(protocols: string | readonly string[] | undefined): string[] {
  const list: readonly string[] = protocols === undefined ? [] : typeof protocols === 'string' ? [protocols] : protocols;
  const seen = new Set<string>();
  for (const protocol of list) {
    // RFC 6455 §4.1 item 10: each is a non-empty token, and they "MUST all be unique strings".
    if (typeof protocol !== 'string' || !isToken(protocol)) {
      throw new SyntaxError(`Invalid subprotocol ${JSON.stringify(protocol)}: it must be an RFC 7230 token`);
    }
    if (seen.has(protocol)) throw new SyntaxError(`Subprotocol ${JSON.stringify(protocol)} is offered twice`);
    seen.add(protocol);
  }
  return [...list];
}

/** The offer must parse, and a permessage-deflate offer must be one a server could accept. */
function checkExtensionOffer(offer: string): ExtensionOffer[] {
  if (offer === '') return [];
  const parsed = parseExtensions(offer);
  if (!parsed.ok) throw new SyntaxError(`Invalid extensions offer: ${parsed.error}`);
  for (const extension of parsed.extensions) {
    if (extension.name !== PERMESSAGE_DEFLATE) continue;
    const problem = checkDeflateOffer(extension);
    if (problem !== null) throw new SyntaxError(`Invalid permessage-deflate offer: ${problem}`);
  }
  return parsed.extensions;
}

/**
 * WHATWG URL and WebCrypto exist in every runtime this package targets, but it compiles without
 * DOM or Node types, so both are reached through typed views of globalThis.
 */
interface WhatwgUrl {
  readonly href: string;
  readonly protocol: string;
  readonly username: string;
  readonly password: string;
  readonly host: string;
  readonly hostname: string;
  readonly port: string;
  readonly pathname: string;
  readonly search: string;
}

interface RandomSource {
  getRandomValues(array: Uint8Array): Uint8Array;
}

function parseUrl(href: string): WhatwgUrl {
  const UrlConstructor = (globalThis as unknown as { URL: new (input: string) => WhatwgUrl }).URL;
  try {
    return new UrlConstructor(href);
  } catch {
    throw new SyntaxError(`Invalid URL: ${JSON.stringify(href)}`);
  }
}

function randomBytes(length: number): Uint8Array {
  const source = (globalThis as unknown as { crypto?: RandomSource }).crypto;
  if (source === undefined || typeof source.getRandomValues !== 'function') {
    throw new Error('globalThis.crypto.getRandomValues is required to generate the Sec-WebSocket-Key');
  }
  return source.getRandomValues(new Uint8Array(length));
}
