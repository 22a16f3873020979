/**
 * Builds frames byte by byte, independently of the codec under test, including frames no correct
 * encoder would make (wrong lengths, reserved bits, unmasked client frames).
 */
export interface RawFrame {
  opcode: number;
  payload?: Uint8Array | string;
  fin?: boolean;
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  /** A 4-byte key masks the payload; `true` picks a fixed key; absent means unmasked. */
  mask?: Uint8Array | true;
  /** Force the length encoding: 7-bit, 16-bit or 64-bit, whatever the payload length. */
  lengthForm?: 7 | 16 | 64;
  /** Write this length in the header instead of the payload's. */
  declaredLength?: number | bigint;
}

const FIXED_MASK = Uint8Array.from([0x37, 0xfa, 0x21, 0x3d]);

export function buildFrame(frame: RawFrame): Uint8Array {
  const payload = typeof frame.payload === 'string' ? new TextEncoder().encode(frame.payload) : (frame.payload ?? new Uint8Array(0));
  const declared = BigInt(frame.declaredLength ?? payload.length);
  const form = frame.lengthForm ?? (declared < 126n ? 7 : declared < 65536n ? 16 : 64);
  const mask = frame.mask === true ? FIXED_MASK : frame.mask;
  const header: number[] = [
    ((frame.fin ?? true) ? 0x80 : 0) | (frame.rsv1 ? 0x40 : 0) | (frame.rsv2 ? 0x20 : 0) | (frame.rsv3 ? 0x10 : 0) | frame.opcode,
  ];
  const maskBit = mask ? 0x80 : 0;
  if (form === 7) header.push(maskBit | Number(declared));
  else if (form === 16) header.push(maskBit | 126, Number(declared >> 8n) & 0xff, Number(declared) & 0xff);
  else {
    header.push(maskBit | 127);
    for (let shift = 56n; shift >= 0n; shift -= 8n) header.push(Number((declared >> shift) & 0xffn));
  }
  if (mask) header.push(...mask);
  const out = new Uint8Array(header.length + payload.length);
  out.set(header);
  for (let i = 0; i < payload.length; i++) out[header.length + i] = mask ? payload[i] ^ mask[i % 4] : payload[i];
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 2 !== 0) throw new Error('odd hex length');
  return Uint8Array.from(clean.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
