import { applyMask, randomMask } from './masking.js';

export interface FrameOptions {
  fin?: boolean;
  /** Set for the first frame of a permessage-deflate compressed message. */
  rsv1?: boolean;
  /** Mask the payload (client role). The payload is copied, never modified. */
  mask?: boolean;
}

/**
 * Where frame buffers come from. The I/O layer may pass one that skips zero-filling and pools small
 * buffers (Node's `Buffer.allocUnsafe`): every byte of a frame is written before it is sent.
 */
export type Allocate = (size: number) => Uint8Array;

const allocateZeroed: Allocate = (size) => new Uint8Array(size);

/** Payloads up to this size are copied behind their header so the frame is one write. */
const MERGE_LIMIT = 16 * 1024;

/** Size of the header for a payload of this length, masked or not. */
export function frameHeaderSize(payloadLength: number, masked: boolean): number {
  return (payloadLength < 126 ? 2 : payloadLength < 0x1_0000 ? 4 : 10) + (masked ? 4 : 0);
}

/** Writes a header into `target` at 0 and returns its size; the mask key, if any, is its last 4 bytes. */
export function writeHeader(target: Uint8Array, opcode: number, payloadLength: number, fin: boolean, rsv1: boolean, mask: Uint8Array | null): number {
  target[0] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  const maskBit = mask === null ? 0 : 0x80;
  let pos: number;
  if (payloadLength < 126) {
    target[1] = maskBit | payloadLength;
    pos = 2;
  } else if (payloadLength < 0x1_0000) {
    target[1] = maskBit | 126;
    target[2] = payloadLength >>> 8;
    target[3] = payloadLength & 0xff;
    pos = 4;
  } else {
    target[1] = maskBit | 127;
    const high = Math.floor(payloadLength / 0x1_0000_0000);
    const low = payloadLength >>> 0;
    target[2] = high >>> 24;
    target[3] = (high >>> 16) & 0xff;
    target[4] = (high >>> 8) & 0xff;
    target[5] = high & 0xff;
    target[6] = low >>> 24;
    target[7] = (low >>> 16) & 0xff;
    target[8] = (low >>> 8) & 0xff;
    target[9] = low & 0xff;
    pos = 10;
  }
  if (mask !== null) {
    target[pos] = mask[0];
    target[pos + 1] = mask[1];
    target[pos + 2] = mask[2];
    target[pos + 3] = mask[3];
    pos += 4;
  }
  return pos;
}

/**
 * Encodes one frame (RFC 6455 §5.2). Returns one buffer, or header and payload as two when an
 * unmasked payload is large enough that copying it would cost more than a second write.
 */
export function encodeFrame(opcode: number, payload: Uint8Array, options: FrameOptions = {}, allocate: Allocate = allocateZeroed): Uint8Array[] {
  const fin = options.fin ?? true;
  const rsv1 = options.rsv1 ?? false;
  const mask = options.mask ? randomMask() : null;
  const length = payload.length;
  const headerLength = frameHeaderSize(length, mask !== null);
  if (mask === null && length > MERGE_LIMIT) {
    const header = allocate(headerLength);
    writeHeader(header, opcode, length, fin, rsv1, null);
    return [header, payload];
  }
  const frame = allocate(headerLength + length);
  writeHeader(frame, opcode, length, fin, rsv1, mask);
  frame.set(payload, headerLength);
  if (mask !== null) applyMask(frame, mask, 0, headerLength, headerLength + length);
  return [frame];
}

/**
 * One unmasked frame whose payload is the concatenation of `parts`, without joining them first
 * when they are large: a broadcast shares its payload bytes between members and only the small
 * per-member part differs. Servers only (client frames are masked, which needs a copy anyway).
 */
export function encodeFrameFromParts(opcode: number, parts: readonly Uint8Array[], options: Omit<FrameOptions, 'mask'> = {}, allocate: Allocate = allocateZeroed): Uint8Array[] {
  let length = 0;
  for (const part of parts) length += part.length;
  const headerLength = frameHeaderSize(length, false);
  if (length > MERGE_LIMIT) {
    const header = allocate(headerLength);
    writeHeader(header, opcode, length, options.fin ?? true, options.rsv1 ?? false, null);
    return [header, ...parts];
  }
  const frame = allocate(headerLength + length);
  let offset = writeHeader(frame, opcode, length, options.fin ?? true, options.rsv1 ?? false, null);
  for (const part of parts) {
    frame.set(part, offset);
    offset += part.length;
  }
  return [frame];
}

/**
 * A message encoded once as one unmasked frame, to send the same bytes to many connections
 * (broadcast). Only servers may use it: client frames need a fresh mask each (RFC 6455 §5.3).
 */
export interface PreparedFrame {
  readonly bytes: Uint8Array;
  readonly binary: boolean;
  readonly compressed: boolean;
}

export function prepareFrame(payload: Uint8Array, binary: boolean, compressed = false, allocate: Allocate = allocateZeroed): PreparedFrame {
  const headerLength = frameHeaderSize(payload.length, false);
  const bytes = allocate(headerLength + payload.length);
  writeHeader(bytes, binary ? 0x2 : 0x1, payload.length, true, compressed, null);
  bytes.set(payload, headerLength);
  return { bytes, binary, compressed };
}
