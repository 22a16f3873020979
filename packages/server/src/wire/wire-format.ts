import type { DecodeResult, Packet } from '@baro/protocol';

/**
 * A wire format: how the neutral packets a session queues (`Packet`) become bytes, and how a
 * client's bytes become packets. The server is given one (`BaroServerOptions.wireFormat`, baro's
 * own by default); Socket.IO's and SockJS's plug in the same way. Formats are pure: carriers cache
 * what they produce on the outbound packet, once per format and framing (`outbound-packet.ts`).
 * Today a session's own packets are made with baro's text (and keep their data only when it holds
 * bytes, see `session/outbound.ts`): a second format makes them with its own instead.
 */
export interface WireFormat {
  readonly name: string;
  /** The packet as one text message (a WebSocket text frame, an SSE `data:` line, an ndjson line). */
  text(packet: Packet): string;
  /** For a packet whose data holds bytes: its WebSocket binary message; null to send `text` instead. */
  binary(packet: Packet): Uint8Array | null;
  /** The `id:` of its SSE event (a client's `Last-Event-ID` resumes from it), or null for none. */
  sseId(packet: Packet): string | null;
  decodeText(text: string): DecodeResult;
  decodeBinary(bytes: Uint8Array): DecodeResult;
  /** An HTTP body of packets (POST); the first bad one fails the body. */
  decodeBody(body: string): { ok: true; packets: Packet[] } | { ok: false; error: string };
}
