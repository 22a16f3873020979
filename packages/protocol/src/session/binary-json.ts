import { decodeBytesBase64, encodeBytesBase64 } from './base64-bytes.js';

/**
 * JSON with byte arrays anywhere inside (docs/protocol.md, "Binary data"). In text form a byte
 * array is `{"$b": base64}`; in the WebSocket binary form it is `{"$a": index}` into attachments.
 */
export function containsBytes(value: unknown, depth = 0): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return true;
  if (depth > 64) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (containsBytes(item, depth + 1)) return true;
    return false;
  }
  for (const key in value) {
    if (containsBytes((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

function bytesOf(value: unknown): Uint8Array | null {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return null;
}

/** JSON text with byte arrays as `{"$b": base64}`. */
export function stringifyWithBase64(value: unknown): string {
  if (!containsBytes(value)) return JSON.stringify(value) ?? 'null';
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, converted: unknown) {
    // The original, before toJSON (Buffer has one that would turn bytes into a number array).
    const bytes = bytesOf(this[key]);
    return bytes ? { $b: encodeBytesBase64(bytes) } : converted;
  });
}

/** JSON text with byte arrays as `{"$a": i}`, and the attachments in order. */
export function stringifyWithAttachments(value: unknown): { json: string; attachments: Uint8Array[] } {
  const attachments: Uint8Array[] = [];
  const json = JSON.stringify(value, function (this: Record<string, unknown>, key: string, converted: unknown) {
    const bytes = bytesOf(this[key]);
    if (!bytes) return converted;
    attachments.push(bytes);
    return { $a: attachments.length - 1 };
  });
  return { json: json ?? 'null', attachments };
}

function isMarker(value: unknown, key: '$b' | '$a'): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  let count = 0;
  for (const name in value) {
    if (name !== key) return false;
    count++;
  }
  return count === 1;
}

/** Parses JSON text, turning `{"$b": base64}` back into bytes. Throws on malformed input. */
export function parseWithBase64(text: string): unknown {
  if (!text.includes('"$b"')) return JSON.parse(text);
  return JSON.parse(text, (_key, value: unknown) => {
    if (!isMarker(value, '$b')) return value;
    const encoded = value.$b;
    if (typeof encoded !== 'string') throw new SyntaxError('"$b" must hold a base64 string');
    const bytes = decodeBytesBase64(encoded);
    if (bytes === null) throw new SyntaxError('"$b" holds invalid base64');
    return bytes;
  });
}

/** Parses JSON text, turning `{"$a": i}` back into `attachments[i]`. Throws on malformed input. */
export function parseWithAttachments(text: string, attachments: readonly Uint8Array[]): unknown {
  return JSON.parse(text, (_key, value: unknown) => {
    if (!isMarker(value, '$a')) return value;
    const index = value.$a;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= attachments.length) {
      throw new SyntaxError('"$a" refers to no attachment');
    }
    return attachments[index];
  });
}
