import { extractAttachments, hasBinary } from './binary-attachments.js';
import { SocketPacketType, type SocketPacket } from './socket-packet.js';

/**
 * Encodes a packet as Engine.IO messages: one text message, followed, for an EVENT or ACK whose
 * data holds bytes, by one binary message per attachment (the packet then goes out as BINARY_*).
 */
export function encodeSocketPacket(packet: SocketPacket): [string, ...Buffer[]] {
  if ((packet.type === SocketPacketType.EVENT || packet.type === SocketPacketType.ACK) && hasBinary(packet.data)) {
    const { data, attachments } = extractAttachments(packet.data);
    const type = packet.type === SocketPacketType.EVENT ? SocketPacketType.BINARY_EVENT : SocketPacketType.BINARY_ACK;
    return [packetText({ ...packet, type, data }, attachments.length), ...attachments];
  }
  return [packetText(packet, 0)];
}

/** `<type>[<attachments>-][<nsp>,][<id>][<json>]`, the namespace omitted when it is `/`. */
function packetText(packet: SocketPacket, attachments: number): string {
  let text = String(packet.type);
  if (packet.type === SocketPacketType.BINARY_EVENT || packet.type === SocketPacketType.BINARY_ACK) text += `${attachments}-`;
  if (packet.nsp && packet.nsp !== '/') text += `${packet.nsp},`;
  if (packet.id !== undefined && packet.id !== null) text += String(packet.id);
  if (packet.data !== undefined && packet.data !== null) text += JSON.stringify(packet.data);
  return text;
}
