import { prepareFrame, type Packet, type PreparedFrame } from '@baro/protocol';
import type { WireFormat } from './wire-format.js';

/**
 * What one format made of a packet, per framing, each made on first use. The text is kept; framed
 * bytes are kept only for packets many clients get (a broadcast): a session's own packet is framed
 * for one client, and keeping its frame would double what its replay buffer holds.
 */
class Encodings {
  readonly format: WireFormat;
  readonly #keepFramed: boolean;
  #text?: string;
  #binary?: Uint8Array | null;
  #frame?: PreparedFrame;
  #sse?: Buffer;
  #line?: Buffer;

  constructor(format: WireFormat, keepFramed: boolean) {
    this.format = format;
    this.#keepFramed = keepFramed;
  }

  seedText(text: string): void {
    this.#text = text;
  }

  text(packet: Packet): string {
    return (this.#text ??= this.format.text(packet));
  }

  binary(packet: Packet): Uint8Array | null {
    if (this.#binary === undefined) this.#binary = this.format.binary(packet);
    return this.#binary;
  }

  /** The complete unmasked WebSocket frame (header and payload): the same bytes for every member. */
  frame(packet: Packet): PreparedFrame {
    if (this.#frame) return this.#frame;
    const binary = this.binary(packet);
    const payload = binary ?? Buffer.from(this.text(packet), 'utf8');
    const frame = prepareFrame(payload, binary !== null, false, Buffer.allocUnsafe);
    if (this.#keepFramed) this.#frame = frame;
    return frame;
  }

  /** The packet as one server-sent event. */
  sse(packet: Packet): Buffer {
    if (this.#sse) return this.#sse;
    const id = this.format.sseId(packet);
    const text = this.text(packet);
    const bytes = Buffer.from(id === null ? `data: ${text}\n\n` : `id: ${id}\ndata: ${text}\n\n`, 'utf8');
    if (this.#keepFramed) this.#sse = bytes;
    return bytes;
  }

  /** The packet as one line of an `application/x-ndjson` body. */
  line(packet: Packet): Buffer {
    if (this.#line) return this.#line;
    const bytes = Buffer.from(`${this.text(packet)}\n`, 'utf8');
    if (this.#keepFramed) this.#line = bytes;
    return bytes;
  }
}

let lastSerial = 0;

/**
 * A neutral packet on its way to one or many clients. `serial` orders every packet this node
 * queues (a session's own and the streams'), so a replay merged from several streams comes out in
 * the order it was first emitted. The encoded forms are cached on it, once per wire format and
 * framing: a broadcast is serialised and framed once, whatever the number of members.
 */
export class OutboundPacket {
  readonly packet: Packet;
  readonly serial: number;
  /** What it counts as against queue and replay limits: UTF-8 bytes plus overhead. */
  readonly size: number;
  #encodings: Encodings | null = null;
  #others: Encodings[] | null = null;

  constructor(packet: Packet, size: number, serial = ++lastSerial) {
    this.packet = packet;
    this.size = size;
    this.serial = serial;
  }

  /** Gives the text a format would make, already known to the caller (serialised once, not twice). */
  seed(format: WireFormat, text: string): this {
    this.encoded(format).seedText(text);
    return this;
  }

  /** Whether many clients get this very packet (a broadcast): its framed bytes are then kept. */
  get shared(): boolean {
    return false;
  }

  encoded(format: WireFormat): Encodings {
    const first = this.#encodings;
    if (first === null) return (this.#encodings = new Encodings(format, this.shared));
    if (first.format === format) return first;
    const others = (this.#others ??= []);
    let found = others.find((encodings) => encodings.format === format);
    if (!found) others.push((found = new Encodings(format, this.shared)));
    return found;
  }
}

/** The next node-local serial, for packets numbered later (a session's events get theirs when emitted). */
export function nextSerial(): number {
  return ++lastSerial;
}

export type { Encodings };
