import { decoded, invalid, type Decoded } from './result.js';

/** Engine.IO protocol v4 packet types, by their one-character wire code. */
export const ENGINE_PACKET_CODES = {
  open: '0',
  close: '1',
  ping: '2',
  pong: '3',
  message: '4',
  upgrade: '5',
  noop: '6',
} as const;

export type EnginePacketType = keyof typeof ENGINE_PACKET_CODES;

const TYPE_BY_CODE: Readonly<Record<string, EnginePacketType>> = Object.fromEntries(
  Object.entries(ENGINE_PACKET_CODES).map(([type, code]) => [code, type as EnginePacketType]),
);

/** One Engine.IO packet. Only `message` packets carry bytes; the others carry text or nothing. */
export interface EnginePacket {
  type: EnginePacketType;
  data?: string | Buffer;
}

/** Marks a binary packet inside a text payload (HTTP long-polling): `b` then base64. */
const BASE64_MARK = 'b';

/** Separates packets in a long-polling payload (ASCII record separator, never valid inside a packet). */
export const RECORD_SEPARATOR = '\x1e';

/**
 * Encodes one packet. Binary data goes out as raw bytes where the transport carries them
 * (`binaryAllowed`, a WebSocket), otherwise as `b` + base64 text.
 */
export function encodeEnginePacket(packet: EnginePacket, binaryAllowed: boolean): string | Buffer {
  const { data } = packet;
  if (Buffer.isBuffer(data)) return binaryAllowed ? data : BASE64_MARK + data.toString('base64');
  return ENGINE_PACKET_CODES[packet.type] + (data ?? '');
}

/** Decodes one packet: bytes (a binary WebSocket frame) are a message; text starts with the type code. */
export function decodeEnginePacket(encoded: string | Buffer): Decoded<EnginePacket> {
  if (typeof encoded !== 'string') return decoded({ type: 'message', data: encoded });
  const code = encoded.charAt(0);
  if (code === BASE64_MARK) return decoded({ type: 'message', data: Buffer.from(encoded.slice(1), 'base64') });
  const type = TYPE_BY_CODE[code];
  if (type === undefined) return invalid(encoded.length === 0 ? 'empty packet' : `unknown packet type ${JSON.stringify(code)}`);
  return decoded(encoded.length > 1 ? { type, data: encoded.slice(1) } : { type });
}

/** Encodes packets as one long-polling payload: each as text, joined by the record separator. */
export function encodeEnginePayload(packets: readonly EnginePacket[]): string {
  let payload = '';
  for (let i = 0; i < packets.length; i++) {
    if (i > 0) payload += RECORD_SEPARATOR;
    payload += encodeEnginePacket(packets[i], false) as string;
  }
  return payload;
}

/** A decoded long-polling payload; on a bad packet, the error and the packets before it. */
export type DecodedPayload = { ok: true; value: EnginePacket[] } | { ok: false; error: string; before: EnginePacket[] };

/**
 * Decodes a long-polling payload. Decoding stops at the first bad packet: the reference delivers
 * the packets before it, then closes the session. `maxPackets` bounds the work one request can ask for.
 */
export function decodeEnginePayload(payload: string, maxPackets = Number.POSITIVE_INFINITY): DecodedPayload {
  const packets: EnginePacket[] = [];
  let start = 0;
  for (;;) {
    if (packets.length >= maxPackets) return { ok: false, error: `more than ${maxPackets} packets in one payload`, before: packets };
    const end = payload.indexOf(RECORD_SEPARATOR, start);
    const packet = decodeEnginePacket(end === -1 ? payload.slice(start) : payload.slice(start, end));
    if (!packet.ok) return { ok: false, error: packet.error, before: packets };
    packets.push(packet.value);
    if (end === -1) return { ok: true, value: packets };
    start = end + 1;
  }
}

/** What the server tells a client in its `open` packet. */
export interface EngineHandshake {
  sid: string;
  upgrades: string[];
  pingInterval: number;
  pingTimeout: number;
  maxPayload: number;
}

export function openPacket(handshake: EngineHandshake): EnginePacket {
  // The field order is the reference server's, so captures compare byte for byte.
  const { sid, upgrades, pingInterval, pingTimeout, maxPayload } = handshake;
  return { type: 'open', data: JSON.stringify({ sid, upgrades, pingInterval, pingTimeout, maxPayload }) };
}
