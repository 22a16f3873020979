/** Whether a value travels as a binary attachment: any bytes (Buffer, typed array, DataView, ArrayBuffer). */
export function isBinary(value: unknown): value is ArrayBuffer | ArrayBufferView {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

function asBuffer(value: ArrayBuffer | ArrayBufferView): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

function hasToJSON(value: object): value is { toJSON(): unknown } {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

/** Whether any bytes hide in `value` (what makes an EVENT a BINARY_EVENT). */
export function hasBinary(value: unknown, afterToJSON = false): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (isBinary(value)) return true;
  if (Array.isArray(value)) return value.some((item) => hasBinary(item));
  // As JSON.stringify would: an object with toJSON is what toJSON gives (Dates become strings).
  if (!afterToJSON && hasToJSON(value)) return hasBinary(value.toJSON(), true);
  for (const key of Object.keys(value)) {
    if (hasBinary((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

/**
 * Replaces every binary value in `data` by `{"_placeholder":true,"num":i}` and collects the bytes
 * in order: the JSON goes in the packet's text, the bytes follow as attachments.
 */
export function extractAttachments(data: unknown): { data: unknown; attachments: Buffer[] } {
  const attachments: Buffer[] = [];
  const walk = (value: unknown, afterToJSON: boolean): unknown => {
    if (value === null || typeof value !== 'object') return value;
    if (isBinary(value)) {
      attachments.push(asBuffer(value));
      return { _placeholder: true, num: attachments.length - 1 };
    }
    if (Array.isArray(value)) return value.map((item) => walk(item, false));
    if (value instanceof Date) return value;
    if (!afterToJSON && hasToJSON(value)) return walk(value.toJSON(), true);
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) copy[key] = walk((value as Record<string, unknown>)[key], false);
    return copy;
  };
  return { data: walk(data, false), attachments };
}

function isPlaceholder(value: object): value is { _placeholder: true; num: unknown } {
  return (value as { _placeholder?: unknown })._placeholder === true;
}

/**
 * Puts the attachments back where their placeholders are, in place (the data was just parsed from
 * JSON, so nobody else holds it). Returns an error for a placeholder that names no attachment.
 * `maxDepth` bounds the walk, so a deeply nested payload is refused rather than overflowing the stack.
 */
export function restoreAttachments(data: unknown, attachments: readonly Buffer[], maxDepth: number): { ok: true; data: unknown } | { ok: false; error: string } {
  let error: string | null = null;
  const walk = (value: unknown, depth: number): unknown => {
    if (error !== null || value === null || typeof value !== 'object') return value;
    if (depth > maxDepth) {
      error = `data nested deeper than ${maxDepth}`;
      return value;
    }
    if (isPlaceholder(value)) {
      const { num } = value;
      if (typeof num === 'number' && Number.isInteger(num) && num >= 0 && num < attachments.length) return attachments[num];
      error = 'placeholder names no attachment';
      return value;
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = walk(record[key], depth + 1);
    return value;
  };
  const restored = walk(data, 0);
  return error === null ? { ok: true, data: restored } : { ok: false, error };
}
