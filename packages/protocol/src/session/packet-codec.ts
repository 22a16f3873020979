import { parseWithAttachments, parseWithBase64, stringifyWithAttachments, stringifyWithBase64, containsBytes } from './binary-json.js';
import { mayTravel, packetTypeOf, TRANSPORT_NAMES, TYPE_CODE, type Direction, type OpenInfo, type Packet } from './packets.js';

export type DecodeResult = { ok: true; packet: Packet } | { ok: false; error: string };

/** Event names are short identifiers; a bound keeps a hostile client from naming events with megabytes. */
export const MAX_EVENT_NAME_LENGTH = 256;

/** Text form of a packet: one line of JSON (docs/protocol.md). */
export function encodePacket(packet: Packet): string {
  switch (packet.type) {
    case 'open':
      return `["o",${JSON.stringify(packet.info)}]`;
    case 'event':
      return `["e",${packet.seq},${eventTail(packet.name, packet.data, packet.ackId)}`;
    case 'ack':
      return ackWithTail(packet.seq, ackTail(packet.ackId, packet.data, packet.error));
    case 'message':
      return messageWithTail(packet.stream, packet.offset, eventTail(packet.name, packet.data));
    case 'join':
      return JSON.stringify(['j', packet.stream, packet.epoch, packet.offset]);
    case 'leave':
      return JSON.stringify(['l', packet.stream]);
    case 'receipt':
      return `["r",${packet.seq}]`;
    case 'ping':
      return `["h",${packet.t}]`;
    case 'pong':
      return `["H",${packet.t}]`;
    case 'notice':
      return JSON.stringify(['!', packet.code, packet.message]);
    case 'noop':
      return '["n"]';
    case 'close':
      return JSON.stringify(['c', packet.code, packet.reason, packet.retryAfterMs]);
  }
}

/**
 * The part of an event's text after its sequence number. A broadcast computes it once and each
 * member adds only its own `["e",<seq>,` prefix: the payload is serialised once, not per member.
 */
export function eventTail(name: string, data: unknown, ackId?: number): string {
  // One template each: no intermediate string for the common part.
  return ackId === undefined
    ? `${JSON.stringify(name)},${stringifyWithBase64(data)}]`
    : `${JSON.stringify(name)},${stringifyWithBase64(data)},${ackId}]`;
}

export function eventWithTail(seq: number, tail: string): string {
  return `["e",${seq},${tail}`;
}

export function messageWithTail(stream: string, offset: number, tail: string): string {
  return `["m",${JSON.stringify(stream)},${offset},${tail}`;
}

/** The part of an ack's text after its sequence number, serialised once however often it is resent. */
export function ackTail(ackId: number, data: unknown, error?: string): string {
  return error === undefined ? `${ackId},${stringifyWithBase64(data)}]` : `${ackId},null,${JSON.stringify(error)}]`;
}

export function ackWithTail(seq: number, tail: string): string {
  return `["a",${seq},${tail}`;
}

/** Whether the packet carries bytes and may go as one WebSocket binary message instead of text. */
export function hasBinaryPayload(packet: Packet): boolean {
  return (packet.type === 'event' || packet.type === 'ack' || packet.type === 'message') && containsBytes(packet.data);
}

/**
 * WebSocket binary form: 4-byte big-endian JSON length, the JSON with `{"$a": i}` for each byte
 * array, then each attachment as a 4-byte length and its bytes.
 */
export function encodeBinaryPacket(packet: Extract<Packet, { type: 'event' | 'ack' | 'message' }>): Uint8Array {
  const { json, attachments } = stringifyWithAttachments(
    packet.type === 'event'
      ? ['e', packet.seq, packet.name, packet.data, ...(packet.ackId === undefined ? [] : [packet.ackId])]
      : packet.type === 'message'
        ? ['m', packet.stream, packet.offset, packet.name, packet.data]
        : ['a', packet.seq, packet.ackId, packet.data],
  );
  const jsonBytes = new TextEncoder().encode(json);
  let size = 4 + jsonBytes.length;
  for (const attachment of attachments) size += 4 + attachment.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, jsonBytes.length);
  out.set(jsonBytes, 4);
  let offset = 4 + jsonBytes.length;
  for (const attachment of attachments) {
    view.setUint32(offset, attachment.length);
    out.set(attachment, offset + 4);
    offset += 4 + attachment.length;
  }
  return out;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function decodeBinaryPacket(bytes: Uint8Array, direction: Direction): DecodeResult {
  if (bytes.length < 4) return fail('binary packet shorter than its length prefix');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jsonLength = view.getUint32(0);
  if (4 + jsonLength > bytes.length) return fail('binary packet length prefix past its end');
  let json: string;
  try {
    json = decoder.decode(bytes.subarray(4, 4 + jsonLength));
  } catch {
    return fail('binary packet header is not UTF-8');
  }
  const attachments: Uint8Array[] = [];
  let offset = 4 + jsonLength;
  while (offset < bytes.length) {
    if (offset + 4 > bytes.length) return fail('truncated attachment length');
    const length = view.getUint32(offset);
    if (offset + 4 + length > bytes.length) return fail('attachment past the end of the packet');
    attachments.push(bytes.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  let value: unknown;
  try {
    value = parseWithAttachments(json, attachments);
  } catch (error) {
    return fail(`invalid packet JSON: ${(error as Error).message}`);
  }
  return checkPacket(value, direction);
}

/** Parses and validates one text packet. Never throws: hostile input gets a reason. */
export function decodePacket(text: string, direction: Direction): DecodeResult {
  let value: unknown;
  try {
    value = parseWithBase64(text);
  } catch (error) {
    return fail(`invalid packet JSON: ${(error as Error).message}`);
  }
  return checkPacket(value, direction);
}

/** Splits an `application/x-ndjson` body into packets; the first bad line fails the whole body. */
export function decodePacketLines(body: string, direction: Direction): { ok: true; packets: Packet[] } | { ok: false; error: string } {
  const packets: Packet[] = [];
  for (const line of body.split('\n')) {
    if (line.trim() === '') continue;
    const result = decodePacket(line, direction);
    if (!result.ok) return result;
    packets.push(result.packet);
  }
  return { ok: true, packets };
}

function checkPacket(value: unknown, direction: Direction): DecodeResult {
  if (!Array.isArray(value) || value.length === 0) return fail('a packet is a non-empty JSON array');
  const type = packetTypeOf(value[0]);
  if (type === undefined) return fail(`unknown packet type ${JSON.stringify(value[0])}`);
  if (!mayTravel(type, direction)) return fail(`packet type "${TYPE_CODE[type]}" may not be sent ${direction === 'toServer' ? 'to the server' : 'to the client'}`);
  const [, a, b, c, d] = value as unknown[];
  switch (type) {
    case 'open':
      return value.length === 2 && isOpenInfo(a) ? ok({ type, info: a }) : fail('malformed open packet');
    case 'event': {
      if (value.length !== 4 && value.length !== 5) return fail('an event packet has 4 or 5 elements');
      if (!isSeq(a)) return fail('event sequence number must be a positive integer');
      if (!isEventName(b)) return fail(BAD_EVENT_NAME);
      if (value.length === 5 && !isId(d)) return fail('ack id must be a non-negative integer');
      return ok(value.length === 5 ? { type, seq: a, name: b, data: c, ackId: d as number } : { type, seq: a, name: b, data: c });
    }
    case 'ack': {
      if (value.length !== 4 && value.length !== 5) return fail('an ack packet has 4 or 5 elements');
      if (!isSeq(a) || !isId(b)) return fail('malformed ack packet');
      if (value.length === 5) return typeof d === 'string' ? ok({ type, seq: a, ackId: b, data: null, error: d }) : fail('ack error must be a string');
      return ok({ type, seq: a, ackId: b, data: c });
    }
    case 'message':
      if (value.length !== 5 || typeof a !== 'string' || !isSeq(b)) return fail('malformed message packet');
      if (!isEventName(c)) return fail(BAD_EVENT_NAME);
      return ok({ type, stream: a, offset: b, name: c, data: d });
    case 'join':
      return value.length === 4 && typeof a === 'string' && typeof b === 'string' && isCount(c) ? ok({ type, stream: a, epoch: b, offset: c }) : fail('malformed join packet');
    case 'leave':
      return value.length === 2 && typeof a === 'string' ? ok({ type, stream: a }) : fail('malformed leave packet');
    case 'receipt':
      return value.length === 2 && isCount(a) ? ok({ type, seq: a }) : fail('malformed receipt packet');
    case 'ping':
    case 'pong':
      return value.length === 2 && typeof a === 'number' && Number.isFinite(a) ? ok({ type, t: a }) : fail(`malformed ${type} packet`);
    case 'notice':
      return value.length === 3 && typeof a === 'string' && typeof b === 'string' ? ok({ type, code: a, message: b }) : fail('malformed notice packet');
    case 'noop':
      return value.length === 1 ? ok({ type }) : fail('malformed noop packet');
    case 'close': {
      const retry = c === undefined ? null : c;
      if (value.length < 3 || value.length > 4 || !isId(a) || typeof b !== 'string' || (retry !== null && !isId(retry))) return fail('malformed close packet');
      return ok({ type, code: a, reason: b, retryAfterMs: retry as number | null });
    }
  }
}

function isOpenInfo(value: unknown): value is OpenInfo {
  if (value === null || typeof value !== 'object') return false;
  const info = value as Record<string, unknown>;
  return (
    typeof info.sid === 'string' &&
    typeof info.token === 'string' &&
    TRANSPORT_NAMES.includes(info.transport as OpenInfo['transport']) &&
    isId(info.heartbeat) &&
    isId(info.resumeWindow) &&
    isId(info.maxPayload) &&
    typeof info.resumed === 'boolean' &&
    isCount(info.cseq) &&
    (info.streams === undefined || isStreams(info.streams))
  );
}

function isStreams(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.values(value).every((position) => Array.isArray(position) && position.length === 2 && typeof position[0] === 'string' && isCount(position[1]));
}

const isSeq = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isId = isCount;
const isEventName = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= MAX_EVENT_NAME_LENGTH;
const BAD_EVENT_NAME = `event name must be a string of 1 to ${MAX_EVENT_NAME_LENGTH} characters`;
const ok = (packet: Packet): DecodeResult => ({ ok: true, packet });
const fail = (error: string): DecodeResult => ({ ok: false, error });
