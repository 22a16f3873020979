import type { StreamPosition } from '@baro/protocol';
import type { BrokerEntry } from '../hub/broker.js';
import { OutboundPacket } from '../wire/outbound-packet.js';

/** Fixed cost of a stream packet beyond its bytes (the packet, its entry, its cached encodings' heads). */
export const STREAM_PACKET_OVERHEAD_BYTES = 128;

/**
 * A broadcast as this node holds it: one object per broadcast, referenced by every member's live
 * queue and by the stream's history, encoded once per format and framing.
 */
export class StreamPacket extends OutboundPacket {
  readonly stream: string;
  readonly offset: number;
  readonly entry: BrokerEntry;

  constructor(stream: string, position: StreamPosition, entry: BrokerEntry) {
    super({ type: 'message', stream, offset: position.offset, name: entry.name, data: entry.data }, entry.size + STREAM_PACKET_OVERHEAD_BYTES);
    this.stream = stream;
    this.offset = position.offset;
    this.entry = entry;
  }

  override get shared(): boolean {
    return true;
  }

  get volatile(): boolean {
    return this.entry.volatile === true;
  }

  get latest(): string | undefined {
    return this.entry.latest;
  }
}
