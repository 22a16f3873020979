import { FrameParser, type FrameParserOptions } from '../frame-parser.js';
import type { ProtocolError } from '../errors.js';

export type ParserEvent =
  | { type: 'message'; binary: boolean; compressed: boolean; hex: string }
  | { type: 'control'; opcode: number; hex: string }
  | { type: 'error'; kind: string; closeCode: number };

const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** Feeds chunks to a fresh parser and returns everything it reported, as plain comparable values. */
export function parseChunks(chunks: Uint8Array[], options: Partial<FrameParserOptions> = {}): ParserEvent[] {
  const events: ParserEvent[] = [];
  const parser = new FrameParser(
    { role: 'server', maxPayload: 64 * 1024 * 1024, ...options },
    {
      onMessage: (data, binary, compressed) => events.push({ type: 'message', binary, compressed, hex: toHex(data) }),
      onControl: (opcode, payload) => events.push({ type: 'control', opcode, hex: toHex(payload) }),
      onError: (error: ProtocolError) => events.push({ type: 'error', kind: error.kind, closeCode: error.closeCode }),
    },
  );
  for (const chunk of chunks) parser.push(chunk);
  return events;
}
