import { restoreAttachments } from './binary-attachments.js';
import { decoded, invalid, type Decoded } from './result.js';
import { RESERVED_EVENTS, SocketPacketType, type SocketPacket } from './socket-packet.js';

export interface SocketDecoderLimits {
  /** Attachments one binary packet may announce. Default 10, as the reference parser. */
  maxAttachments: number;
  /** Bytes of one packet, its text and its attachments together. Default 1 MB, Engine.IO's maxPayload. */
  maxPacketBytes: number;
  /** Nesting of a binary packet's data (its placeholders are searched recursively). Default 100. */
  maxDepth: number;
}

export const DEFAULT_SOCKET_DECODER_LIMITS: SocketDecoderLimits = { maxAttachments: 10, maxPacketBytes: 1e6, maxDepth: 100 };

interface PendingBinary {
  packet: SocketPacket;
  expected: number;
  attachments: Buffer[];
  bytes: number;
}

/**
 * Decodes the Engine.IO messages of one connection into Socket.IO packets. A BINARY_EVENT or
 * BINARY_ACK text is held until its attachments (the next binary messages) have arrived; `add`
 * then gives the whole packet, with Buffers where the placeholders were. Never throws: bad input
 * gives an error, after which the decoder is ready for a fresh packet (callers close the link).
 */
export class SocketDecoder {
  readonly #limits: SocketDecoderLimits;
  #pending: PendingBinary | null = null;

  constructor(limits: Partial<SocketDecoderLimits> = {}) {
    this.#limits = { ...DEFAULT_SOCKET_DECODER_LIMITS, ...limits };
  }

  /** Whether a binary packet is waiting for attachments. */
  get awaitingAttachments(): boolean {
    return this.#pending !== null;
  }

  /** Takes one Engine.IO message; gives a packet, null while attachments are missing, or an error. */
  add(message: string | Buffer): Decoded<SocketPacket | null> {
    const result = typeof message === 'string' ? this.#addText(message) : this.#addAttachment(message);
    if (!result.ok) this.#pending = null;
    return result;
  }

  /** Drops a half-received binary packet (the link closed). */
  reset(): void {
    this.#pending = null;
  }

  #addText(text: string): Decoded<SocketPacket | null> {
    if (this.#pending) return invalid('text message while a binary packet waits for its attachments');
    // A UTF-16 code unit is at least one byte in UTF-8: a quick bound without encoding the text.
    if (text.length > this.#limits.maxPacketBytes) return invalid(`packet larger than ${this.#limits.maxPacketBytes} bytes`);
    const parsed = parsePacketText(text, this.#limits.maxAttachments);
    if (!parsed.ok) return parsed;
    const { packet, attachments } = parsed.value;
    if (attachments === 0) return decoded(packet);
    this.#pending = { packet, expected: attachments, attachments: [], bytes: text.length };
    return decoded(null);
  }

  #addAttachment(bytes: Buffer): Decoded<SocketPacket | null> {
    const pending = this.#pending;
    if (!pending) return invalid('binary message without a binary packet before it');
    pending.bytes += bytes.length;
    if (pending.bytes > this.#limits.maxPacketBytes) return invalid(`packet larger than ${this.#limits.maxPacketBytes} bytes`);
    pending.attachments.push(bytes);
    if (pending.attachments.length < pending.expected) return decoded(null);
    this.#pending = null;
    const restored = restoreAttachments(pending.packet.data, pending.attachments, this.#limits.maxDepth);
    if (!restored.ok) return invalid(restored.error);
    const { packet } = pending;
    return decoded({ ...packet, type: packet.type === SocketPacketType.BINARY_EVENT ? SocketPacketType.EVENT : SocketPacketType.ACK, data: restored.data });
  }
}

const DIGIT_0 = 48;
const DIGIT_9 = 57;

function isDigit(code: number): boolean {
  return code >= DIGIT_0 && code <= DIGIT_9;
}

/** Reads `<type>[<attachments>-][<nsp>,][<id>][<json>]`. */
function parsePacketText(text: string, maxAttachments: number): Decoded<{ packet: SocketPacket; attachments: number }> {
  const typeCode = text.charCodeAt(0);
  if (!(typeCode >= DIGIT_0 && typeCode <= DIGIT_0 + SocketPacketType.BINARY_ACK)) {
    return invalid(text.length === 0 ? 'empty packet' : `unknown packet type ${JSON.stringify(text.charAt(0))}`);
  }
  const type = (typeCode - DIGIT_0) as SocketPacketType;
  let i = 1;

  let attachments = 0;
  if (type === SocketPacketType.BINARY_EVENT || type === SocketPacketType.BINARY_ACK) {
    const dash = text.indexOf('-', i);
    const count = dash === -1 ? '' : text.slice(i, dash);
    if (!/^[0-9]{1,6}$/.test(count) || Number(count) < 1) return invalid('bad attachment count');
    attachments = Number(count);
    if (attachments > maxAttachments) return invalid(`more than ${maxAttachments} attachments`);
    i = dash + 1;
  }

  let nsp = '/';
  if (text.charAt(i) === '/') {
    const comma = text.indexOf(',', i);
    const end = comma === -1 ? text.length : comma;
    nsp = text.slice(i, end);
    i = comma === -1 ? end : end + 1;
  }

  let id: number | undefined;
  const idStart = i;
  while (i < text.length && isDigit(text.charCodeAt(i))) i++;
  if (i > idStart) {
    id = Number(text.slice(idStart, i));
    if (!Number.isSafeInteger(id)) return invalid('ack id too large');
  }

  let data: unknown;
  if (i < text.length) {
    try {
      data = JSON.parse(text.slice(i));
    } catch {
      return invalid('data is not JSON');
    }
  }
  const dataError = checkData(type, data);
  if (dataError !== null) return invalid(dataError);
  const packet: SocketPacket = { type, nsp };
  if (id !== undefined) packet.id = id;
  if (data !== undefined) packet.data = data;
  return decoded({ packet, attachments });
}

function isPlainObject(value: unknown): boolean {
  return Object.prototype.toString.call(value) === '[object Object]';
}

/** The data each packet type may carry, as the reference parser checks it; null when fine. */
function checkData(type: SocketPacketType, data: unknown): string | null {
  switch (type) {
    case SocketPacketType.CONNECT:
      return data === undefined || isPlainObject(data) ? null : 'CONNECT data must be an object';
    case SocketPacketType.DISCONNECT:
      return data === undefined ? null : 'DISCONNECT carries no data';
    case SocketPacketType.CONNECT_ERROR:
      return typeof data === 'string' || isPlainObject(data) ? null : 'CONNECT_ERROR data must be a string or an object';
    case SocketPacketType.EVENT:
    case SocketPacketType.BINARY_EVENT: {
      if (!Array.isArray(data) || data.length === 0) return 'EVENT data must be an array starting with the event name';
      const name: unknown = data[0];
      if (typeof name === 'number') return null;
      if (typeof name !== 'string') return 'event name must be a string or a number';
      return RESERVED_EVENTS.has(name) ? `event name ${JSON.stringify(name)} is reserved` : null;
    }
    case SocketPacketType.ACK:
    case SocketPacketType.BINARY_ACK:
      return Array.isArray(data) ? null : 'ACK data must be an array';
    default:
      return 'unknown packet type';
  }
}
