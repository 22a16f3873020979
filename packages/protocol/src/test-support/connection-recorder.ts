import { WsConnection, type WsConnectionOptions } from '../connection.js';
import type { ProtocolError } from '../errors.js';
import type { Role } from '../types.js';
import { parseChunks, type ParserEvent } from './recorder.js';
import { concat, readWireFrames, toHex, type WireFrame } from './wire.js';

/** What a `WsConnection` reported to its handler, as plain comparable values. */
export type ConnectionEvent =
  | { type: 'message'; binary: boolean; compressed: boolean; hex: string }
  | { type: 'ping'; hex: string }
  | { type: 'pong'; hex: string }
  | { type: 'close'; code: number; reason: string }
  | { type: 'error'; kind: string; closeCode: number };

export interface RecordedConnection {
  readonly conn: WsConnection;
  readonly role: Role;
  /** Handler calls, in order. Payload views are turned into hex when reported. */
  readonly events: ConnectionEvent[];
  /** The error objects passed to `onError`, as given. */
  readonly errors: ProtocolError[];
  /** Every `onOutgoing` call, copied at the time of the call. */
  readonly outgoing: Uint8Array[];
  /** All outgoing bytes so far, in one buffer. */
  outgoingBytes(): Uint8Array;
  /** Outgoing bytes read back as raw frames (header bits, masking key, unmasked payload). */
  sentFrames(): WireFrame[];
  /**
   * Outgoing bytes decoded by a `FrameParser` of the peer's role (a server reads what a client
   * wrote: masked frames), so what we write must pass our own validation.
   */
  sentEvents(): ParserEvent[];
  /** Empties `events` and `outgoing`, to look at what happens next. */
  clear(): void;
}

export const peerRole = (role: Role): Role => (role === 'server' ? 'client' : 'server');

/** A `WsConnection` whose handler records everything; `options` overrides the defaults (server role). */
export function recordConnection(options: Partial<WsConnectionOptions> = {}): RecordedConnection {
  const role = options.role ?? 'server';
  const events: ConnectionEvent[] = [];
  const errors: ProtocolError[] = [];
  const outgoing: Uint8Array[] = [];
  const conn = new WsConnection(
    { ...options, role },
    {
      onMessage: (data, binary, compressed) => events.push({ type: 'message', binary, compressed, hex: toHex(data) }),
      onPing: (data) => events.push({ type: 'ping', hex: toHex(data) }),
      onPong: (data) => events.push({ type: 'pong', hex: toHex(data) }),
      onClose: (code, reason) => events.push({ type: 'close', code, reason }),
      onError: (error) => {
        errors.push(error);
        events.push({ type: 'error', kind: error.kind, closeCode: error.closeCode });
      },
      onOutgoing: (bytes) => outgoing.push(bytes.slice()),
    },
  );
  return {
    conn,
    role,
    events,
    errors,
    outgoing,
    outgoingBytes: () => concat(outgoing),
    sentFrames: () => readWireFrames(concat(outgoing)),
    sentEvents: () => parseChunks([concat(outgoing)], { role: peerRole(role), maxPayload: Number.MAX_SAFE_INTEGER }),
    clear: () => {
      events.length = 0;
      errors.length = 0;
      outgoing.length = 0;
    },
  };
}
