/**
 * permessage-deflate parameter negotiation, RFC 7692 §7.1, for both roles. Only the agreement is
 * made here; compressing is the I/O layer's job, driven by the resulting `DeflateParams`.
 */

import type { DeflateParams } from '../types.js';
import { type ExtensionOffer, type ExtensionParam, serializeExtension } from './extensions-header.js';

export const PERMESSAGE_DEFLATE = 'permessage-deflate';

/** Window bits when a side sets no limit: a 32,768-byte LZ77 window (RFC 7692 §7.1.2). */
const DEFAULT_WINDOW_BITS = 15;

/** What the server is willing to do. Unset means "whatever the client asks, within the RFC". */
export interface ServerDeflateOptions {
  /** Always reset our compression context between messages (RFC 7692 §7.1.1.1). */
  serverNoContextTakeover?: boolean;
  /** Ask the client to reset its context between messages (RFC 7692 §7.1.1.2). */
  clientNoContextTakeover?: boolean;
  /** Our largest compression window, 8..15 (RFC 7692 §7.1.2.1). */
  serverMaxWindowBits?: number;
  /** The largest window the client may compress with, 8..15; only enforceable if offered (§7.1.2.2). */
  clientMaxWindowBits?: number;
}

/** What the client offers. */
export interface ClientDeflateOptions {
  /** Ask the server to reset its context between messages. */
  serverNoContextTakeover?: boolean;
  /** Announce that we reset our context between messages (we do so even if the server is silent). */
  clientNoContextTakeover?: boolean;
  /** Ask the server to compress with at most this window, 8..15. */
  serverMaxWindowBits?: number;
  /**
   * `true` (the default) offers `client_max_window_bits` without a value, telling the server it may
   * limit our window; a number 8..15 also says we will not go above it; `false` leaves it out.
   */
  clientMaxWindowBits?: number | boolean;
}

export interface ServerDeflateAgreement {
  readonly params: DeflateParams;
  /** The element to put in the response's `Sec-WebSocket-Extensions`. */
  readonly response: string;
}

export type ClientDeflateResult =
  | { readonly ok: true; readonly params: DeflateParams | null }
  | { readonly ok: false; readonly reason: string };

/**
 * The four parameters as read from one offer or response. `clientMaxWindowBits` is `true` when
 * present without a value, which only an offer may do (RFC 7692 §7.1.2.2).
 */
interface DeflateTerms {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number | null;
  clientMaxWindowBits: number | true | null;
}

type TermsResult = { ok: true; terms: DeflateTerms } | { ok: false; reason: string };

// ---------------------------------------------------------------------------------------------
// Server

/**
 * Picks the first acceptable permessage-deflate offer (RFC 7692 §5: offers come most preferred
 * first) and answers it, or returns null to decline them all. Throws a RangeError for invalid
 * options, since that is the caller's bug, not the peer's.
 */
export function negotiateDeflateAsServer(
  offers: readonly ExtensionOffer[],
  options: ServerDeflateOptions = {},
): ServerDeflateAgreement | null {
  checkWindowBitsOption('serverMaxWindowBits', options.serverMaxWindowBits);
  checkWindowBitsOption('clientMaxWindowBits', options.clientMaxWindowBits);

  for (const offer of offers) {
    if (offer.name !== PERMESSAGE_DEFLATE) continue;
    // §7: "A server MUST decline an extension negotiation offer for this extension if ... [it] contains
    // an extension parameter not defined for use in an offer / with an invalid value / multiple
    // extension parameters with the same name". Declining one offer lets the next one be tried.
    const read = readDeflateTerms(offer.params, 'offer');
    if (!read.ok) continue;
    return answerOffer(read.terms, options);
  }
  return null;
}

function answerOffer(offered: DeflateTerms, options: ServerDeflateOptions): ServerDeflateAgreement {
  const response: ExtensionParam[] = [];

  // §7.1.1.1: a server accepts an offer with server_no_context_takeover by including it, and MAY
  // include it even if the offer did not.
  const serverNoContextTakeover = offered.serverNoContextTakeover || options.serverNoContextTakeover === true;
  if (serverNoContextTakeover) response.push({ name: 'server_no_context_takeover', value: null });

  // §7.1.1.2: a server MAY include client_no_context_takeover whatever the offer said. Confirming
  // the client's own hint lets us reset our inflater too.
  const clientNoContextTakeover = offered.clientNoContextTakeover || options.clientNoContextTakeover === true;
  if (clientNoContextTakeover) response.push({ name: 'client_no_context_takeover', value: null });

  // §7.1.2.1: we accept an offered server_max_window_bits "with the same or smaller value", and MAY
  // send the parameter when the offer did not have it. A smaller window is always safe for us.
  const serverMaxWindowBits = Math.min(
    offered.serverMaxWindowBits ?? DEFAULT_WINDOW_BITS,
    options.serverMaxWindowBits ?? DEFAULT_WINDOW_BITS,
  );
  if (offered.serverMaxWindowBits !== null || options.serverMaxWindowBits !== undefined) {
    response.push({ name: 'server_max_window_bits', value: String(serverMaxWindowBits) });
  }

  // §7.1.2.2: without client_max_window_bits in the offer, the response "MUST NOT include" it, so a
  // configured limit cannot be imposed and the client may use the full window: we report 15. With
  // it, we answer with a value "equal to or smaller than the received value". Echoing a client's own
  // value makes both sides agree on it explicitly.
  let clientMaxWindowBits = DEFAULT_WINDOW_BITS;
  if (offered.clientMaxWindowBits !== null) {
    const clientLimit = offered.clientMaxWindowBits === true ? DEFAULT_WINDOW_BITS : offered.clientMaxWindowBits;
    clientMaxWindowBits = Math.min(clientLimit, options.clientMaxWindowBits ?? DEFAULT_WINDOW_BITS);
    if (offered.clientMaxWindowBits !== true || options.clientMaxWindowBits !== undefined) {
      response.push({ name: 'client_max_window_bits', value: String(clientMaxWindowBits) });
    }
  }

  return {
    params: { serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits, clientMaxWindowBits },
    response: serializeExtension({ name: PERMESSAGE_DEFLATE, params: response }),
  };
}

// ---------------------------------------------------------------------------------------------
// Client

/** The `permessage-deflate; ...` element for a client's `Sec-WebSocket-Extensions`. */
export function buildDeflateOffer(options: ClientDeflateOptions = {}): string {
  checkWindowBitsOption('serverMaxWindowBits', options.serverMaxWindowBits);
  const clientBits = options.clientMaxWindowBits ?? true;
  if (typeof clientBits === 'number') checkWindowBitsOption('clientMaxWindowBits', clientBits);

  const params: ExtensionParam[] = [];
  if (options.serverNoContextTakeover) params.push({ name: 'server_no_context_takeover', value: null });
  if (options.clientNoContextTakeover) params.push({ name: 'client_no_context_takeover', value: null });
  if (options.serverMaxWindowBits !== undefined) {
    params.push({ name: 'server_max_window_bits', value: String(options.serverMaxWindowBits) });
  }
  if (clientBits === true) params.push({ name: 'client_max_window_bits', value: null });
  else if (clientBits !== false) params.push({ name: 'client_max_window_bits', value: String(clientBits) });
  return serializeExtension({ name: PERMESSAGE_DEFLATE, params });
}

/**
 * Checks that one permessage-deflate offer is well formed (RFC 7692 §7); returns the reason if not.
 * A client uses it before sending, so it never offers what no server could accept.
 */
export function checkDeflateOffer(offer: ExtensionOffer): string | null {
  const read = readDeflateTerms(offer.params, 'offer');
  return read.ok ? null : read.reason;
}

/**
 * Reads the server's answer. `offered` is everything the client put in its
 * `Sec-WebSocket-Extensions`, `accepted` everything in the server's. Returns `params: null` when
 * the server did not accept permessage-deflate, which is its right (RFC 6455 §9.1).
 */
export function negotiateDeflateAsClient(
  offered: readonly ExtensionOffer[],
  accepted: readonly ExtensionOffer[],
): ClientDeflateResult {
  const answers = accepted.filter((extension) => extension.name === PERMESSAGE_DEFLATE);
  if (answers.length === 0) return { ok: true, params: null };
  // RFC 7692 §5: a server MUST NOT accept more than one PMCE offer, and a client that receives such
  // a response MUST fail the connection.
  if (answers.length > 1) return { ok: false, reason: 'The server accepted permessage-deflate more than once' };

  const offers = offered.filter((extension) => extension.name === PERMESSAGE_DEFLATE);
  // RFC 6455 §4.1: an extension "not present in the client's handshake" fails the connection.
  if (offers.length === 0) return { ok: false, reason: 'The server accepted permessage-deflate, which was not offered' };

  // §7: the client MUST fail the connection if the response has a parameter not defined for a
  // response, an invalid value, or a repeated name.
  const read = readDeflateTerms(answers[0].params, 'response');
  if (!read.ok) return { ok: false, reason: `Invalid permessage-deflate response: ${read.reason}` };

  // Several offers are alternatives; the response must fit one of them.
  let firstMismatch: string | null = null;
  for (const offer of offers) {
    const offerTerms = readDeflateTerms(offer.params, 'offer');
    if (!offerTerms.ok) continue;
    const fitted = fitResponseToOffer(offerTerms.terms, read.terms);
    if (typeof fitted !== 'string') return { ok: true, params: fitted };
    firstMismatch ??= fitted;
  }
  return {
    ok: false,
    reason: `Unacceptable permessage-deflate response: ${firstMismatch ?? 'no valid permessage-deflate offer was made'}`,
  };
}

/** The agreed parameters, or why the response does not answer this offer. */
function fitResponseToOffer(offer: DeflateTerms, response: DeflateTerms): DeflateParams | string {
  // §7.1.1.1: the server accepts server_no_context_takeover by including it; silence means the
  // server keeps its context, a configuration the client asked not to get.
  if (offer.serverNoContextTakeover && !response.serverNoContextTakeover) {
    return 'server_no_context_takeover was requested but not confirmed';
  }

  // §7.1.2.1: the server accepts an offered server_max_window_bits by including it "with the same
  // or smaller value"; without one in the offer the server MAY still send any valid value.
  if (offer.serverMaxWindowBits !== null) {
    if (response.serverMaxWindowBits === null) return 'server_max_window_bits was requested but not confirmed';
    if (response.serverMaxWindowBits > offer.serverMaxWindowBits) {
      return `server_max_window_bits=${response.serverMaxWindowBits} is larger than the ${offer.serverMaxWindowBits} requested`;
    }
  }

  // §7.1.2.2: "If a received extension negotiation offer doesn't have the client_max_window_bits
  // extension parameter, the corresponding extension negotiation response to the offer MUST NOT
  // include" it; if the offer had a value, the response's must be "equal to or smaller".
  let clientMaxWindowBits = DEFAULT_WINDOW_BITS;
  if (response.clientMaxWindowBits !== null) {
    if (offer.clientMaxWindowBits === null) return 'client_max_window_bits was not offered';
    // A response value is required (readDeflateTerms in 'response' mode), so this is a number.
    const answered = response.clientMaxWindowBits === true ? DEFAULT_WINDOW_BITS : response.clientMaxWindowBits;
    if (offer.clientMaxWindowBits !== true && answered > offer.clientMaxWindowBits) {
      return `client_max_window_bits=${answered} is larger than the ${offer.clientMaxWindowBits} offered`;
    }
    clientMaxWindowBits = answered;
  } else if (typeof offer.clientMaxWindowBits === 'number') {
    // We announced we would not go above this window; keep that promise even if the server is silent.
    clientMaxWindowBits = offer.clientMaxWindowBits;
  }

  return {
    serverNoContextTakeover: response.serverNoContextTakeover,
    // §7.1.1.2: the client MUST honour client_no_context_takeover from the server; having announced
    // it ourselves, we honour our own word too.
    clientNoContextTakeover: response.clientNoContextTakeover || offer.clientNoContextTakeover,
    serverMaxWindowBits: response.serverMaxWindowBits ?? DEFAULT_WINDOW_BITS,
    clientMaxWindowBits,
  };
}

// ---------------------------------------------------------------------------------------------
// Reading parameters

/**
 * RFC 7692 §7.1 defines exactly four parameters; any other name, a repeated name or a bad value
 * makes the offer declined (§7, server) or the response fatal (§7, client).
 */
function readDeflateTerms(params: readonly ExtensionParam[], source: 'offer' | 'response'): TermsResult {
  const terms: DeflateTerms = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: null,
    clientMaxWindowBits: null,
  };
  const seen = new Set<string>();
  for (const { name, value } of params) {
    if (seen.has(name)) return { ok: false, reason: `duplicate parameter ${name}` };
    seen.add(name);
    switch (name) {
      // §7.1.1.1 / §7.1.1.2: "This extension parameter has no value."
      case 'server_no_context_takeover':
      case 'client_no_context_takeover':
        if (value !== null) return { ok: false, reason: `${name} must not have a value` };
        if (name === 'server_no_context_takeover') terms.serverNoContextTakeover = true;
        else terms.clientNoContextTakeover = true;
        break;
      // §7.1.2.1: server_max_window_bits always carries a value.
      case 'server_max_window_bits': {
        const bits = parseWindowBits(value);
        if (bits === null) return { ok: false, reason: `invalid server_max_window_bits value ${describe(value)}` };
        terms.serverMaxWindowBits = bits;
        break;
      }
      // §7.1.2.2: in an offer it "has no value or a decimal integer value"; a response limits the
      // client's window, which only makes sense with a value.
      case 'client_max_window_bits': {
        if (value === null && source === 'offer') {
          terms.clientMaxWindowBits = true;
          break;
        }
        const bits = parseWindowBits(value);
        if (bits === null) return { ok: false, reason: `invalid client_max_window_bits value ${describe(value)}` };
        terms.clientMaxWindowBits = bits;
        break;
      }
      default:
        return { ok: false, reason: `unknown parameter ${name}` };
    }
  }
  return { ok: true, terms };
}

/** §7.1.2: "a decimal integer value without leading zeroes between 8 to 15, inclusive". */
function parseWindowBits(value: string | null): number | null {
  if (value === null || !/^(?:[89]|1[0-5])$/.test(value)) return null;
  return Number(value);
}

function describe(value: string | null): string {
  return value === null ? '(missing)' : JSON.stringify(value);
}

function checkWindowBitsOption(name: string, bits: number | undefined): void {
  if (bits === undefined) return;
  if (!Number.isInteger(bits) || bits < 8 || bits > 15) {
    throw new RangeError(`${name} must be an integer from 8 to 15, got ${String(bits)}`);
  }
}
