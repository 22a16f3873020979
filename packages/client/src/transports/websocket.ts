import { decodeBinaryPacket, decodePacket, encodeBinaryPacket, encodePacket, hasBinaryPayload, type SequencedPacket } from '@baro/protocol';
import type { WebSocketLike } from '../types.js';
import type { Transport, TransportContext, TransportSink } from './types.js';

/**
 * The WebSocket transport: one packet per message, both ways. Packets with byte arrays go as one
 * binary message (`encodeBinaryPacket`), everything else as text.
 */
export function websocketTransport(context: TransportContext, sink: TransportSink): Transport {
  let ws: WebSocketLike | undefined;
  try {
    ws = new context.WebSocket!(context.url('ws').replace(/^http/, 'ws'), 'baro.v1');
    ws.binaryType = 'arraybuffer';
    ws.onmessage = ({ data }: { data: string | ArrayBuffer }) => {
      const result =
        typeof data === 'string' ? decodePacket(data, 'toClient') : decodeBinaryPacket(new Uint8Array(data), 'toClient');
      if (result.ok) sink.packets([result.packet], false);
      else sink.close({ reason: result.error });
    };
    ws.onclose = ({ code, reason }: { code: number; reason: string }) => sink.close({ reason: reason || 'WebSocket closed', code });
  } catch (error) {
    // No WebSocket class (Node 20 without the option) or a URL it refuses: the next transport's turn.
    setTimeout(() => sink.close({ reason: String(error) }));
  }
  return {
    send(packets, texts) {
      packets.forEach((packet, i) => {
        // A packet holding bytes goes as a binary message, not as the text the caller may have made.
        if (ws?.readyState === 1) ws.send(hasBinaryPayload(packet) ? encodeBinaryPacket(packet as SequencedPacket) : (texts?.[i] ?? encodePacket(packet)));
      });
    },
    close() {
      if (!ws) return;
      ws.onclose = ws.onmessage = null;
      ws.close(1000);
    },
  };
}
