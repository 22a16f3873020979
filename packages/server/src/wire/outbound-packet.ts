import { frameHeaderSize, prepareFrame, writeFrameHeader, type Packet, type PreparedFrame } from '@baro/protocol';
import type { WireFormat } from './wire-format.js';

/**
 * What one format made of a packet many clients get (a broadcast), per framing, each made on first
 * use and kept: every member gets the same bytes.
 */
class Encodings {
  readonly format: WireFormat;
  #text?: string;
  #binary?: Uint8Array | null;
  #frame?: PreparedFrame;
  #sse?: Buffer;
  #line?: Buffer;

  constructor(format: WireFormat) {
    this.format = format;
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

  frame(packet: Packet): PreparedFrame {
    return (this.#frame ??= frameOf(this.binary(packet), this.text(packet)));
  }

  sse(packet: Packet): Buffer {
    return (this.#sse ??= sseOf(this.format, packet, this.text(packet)));
  }

  line(packet: Packet): Buffer {
    return (this.#line ??= lineOf(this.text(packet)));
  }
}

let lastSerial = 0;

/**
 * A neutral packet on its way to one or many clients. `serial` orders every packet this node
 * queues (a session's own and the streams'), so a replay merged from several streams comes out in
 * the order it was first emitted.
 *
 * A broadcast (`shared`) is serialised and framed once per wire format and framing, whatever the
 * number of members, and keeps those bytes. A session's own packet is framed for one client and
 * keeps only its text (made when it was emitted): it waits in the replay buffer until receipted,
 * and every object or buffer more it held would be kept there too (and promoted by the GC).
 */
export class OutboundPacket {
  readonly packet: Packet;
  readonly serial: number;
  /** What it counts as against queue and replay limits: UTF-8 bytes plus overhead. */
  readonly size: number;
  /** The text of one format, known when the packet was made (a session's own packet: baro's). */
  #seedFormat: WireFormat | null = null;
  #seedText = '';
  /** A broadcast's cached encodings: the first format's, then any other's. */
  #encodings: Encodings | null = null;
  #others: Encodings[] | null = null;

  constructor(packet: Packet, size: number, serial = ++lastSerial) {
    this.packet = packet;
    this.size = size;
    this.serial = serial;
  }

  /** Gives the text a format would make, already known to the caller (serialised once, not twice). */
  seed(format: WireFormat, text: string): this {
    if (this.shared) {
      this.#encodingsFor(format).seedText(text);
    } else {
      this.#seedFormat = format;
      this.#seedText = text;
    }
    return this;
  }

  /** Whether many clients get this very packet (a broadcast): its encodings are then kept. */
  get shared(): boolean {
    return false;
  }

  /** The packet as one text message (a WebSocket text frame, an SSE `data:` line, an ndjson line). */
  text(format: WireFormat): string {
    if (format === this.#seedFormat) return this.#seedText;
    if (this.shared) return this.#encodingsFor(format).text(this.packet);
    return format.text(this.packet);
  }

  /** Its WebSocket binary message, or null when it goes as text. */
  binary(format: WireFormat): Uint8Array | null {
    return this.shared ? this.#encodingsFor(format).binary(this.packet) : format.binary(this.packet);
  }

  /** The complete unmasked WebSocket frame (header and payload): the same bytes for every member. */
  frame(format: WireFormat): PreparedFrame {
    if (this.shared) return this.#encodingsFor(format).frame(this.packet);
    return frameOf(format.binary(this.packet), this.text(format));
  }

  /** The packet as one server-sent event. */
  sse(format: WireFormat): Buffer {
    return this.shared ? this.#encodingsFor(format).sse(this.packet) : sseOf(format, this.packet, this.text(format));
  }

  /** The packet as one line of an `application/x-ndjson` body. */
  line(format: WireFormat): Buffer {
    return this.shared ? this.#encodingsFor(format).line(this.packet) : lineOf(this.text(format));
  }

  #encodingsFor(format: WireFormat): Encodings {
    const first = this.#encodings;
    if (first === null) return (this.#encodings = new Encodings(format));
    if (first.format === format) return first;
    const others = (this.#others ??= []);
    let found = others.find((encodings) => encodings.format === format);
    if (!found) others.push((found = new Encodings(format)));
    return found;
  }
}

/** The next node-local serial, for packets numbered later (a session's events get theirs when emitted). */
export function nextSerial(): number {
  return ++lastSerial;
}

function frameOf(binary: Uint8Array | null, text: string): PreparedFrame {
  if (binary !== null) return prepareFrame(binary, true, false, Buffer.allocUnsafe);
  // The text goes straight into the frame: no intermediate buffer of its own.
  const length = Buffer.byteLength(text, 'utf8');
  const headerLength = frameHeaderSize(length, false);
  const bytes = Buffer.allocUnsafe(headerLength + length);
  writeFrameHeader(bytes, 0x1, length, true, false, null);
  bytes.write(text, headerLength);
  return { bytes, binary: false, compressed: false };
}

function sseOf(format: WireFormat, packet: Packet, text: string): Buffer {
  const id = format.sseId(packet);
  return Buffer.from(id === null ? `data: ${text}\n\n` : `id: ${id}\ndata: ${text}\n\n`, 'utf8');
}

function lineOf(text: string): Buffer {
  return Buffer.from(`${text}\n`, 'utf8');
}
