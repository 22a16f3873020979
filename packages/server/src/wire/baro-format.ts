import { decodeBinaryPacket, decodePacket, decodePacketLines, encodeBinaryPacket, encodePacket, hasBinaryPayload, type Packet } from '@baro/protocol';
import type { WireFormat } from './wire-format.js';

/** baro's own wire format (docs/protocol.md), from the pure codec in @baro/protocol. */
export const baroWireFormat: WireFormat = {
  name: 'baro.v1',
  text: encodePacket,
  binary(packet: Packet) {
    if (!hasBinaryPayload(packet)) return null;
    return encodeBinaryPacket(packet as Extract<Packet, { type: 'event' | 'ack' | 'message' }>);
  },
  sseId(packet: Packet) {
    // Only the session's own stream: Last-Event-ID carries its seq; streams resume by `pos`.
    return packet.type === 'event' || packet.type === 'ack' ? String(packet.seq) : null;
  },
  decodeText: (text) => decodePacket(text, 'toServer'),
  decodeBinary: (bytes) => decodeBinaryPacket(bytes, 'toServer'),
  decodeBody: (body) => decodePacketLines(body, 'toServer'),
};
