/**
 * Peer-to-peer over baro sessions: what clients and the server's peers module say to each other
 * (all of it inside one event, `baro:peer`), and the frames two peers exchange over whichever path
 * carries them (a WebRTC data channel, or relayed through the server).
 */
import { parseWithBase64, stringifyWithBase64 } from '../session/binary-json.js';

/** The one event name the peers feature uses, both ways. */
export const PEER_EVENT = 'baro:peer';

/** What a peer tells the other during negotiation; the server passes it on without reading it. */
export type Signal =
  | { description: { type: string; sdp?: string } }
  | { candidate: { candidate?: string; sdpMid?: string | null; sdpMLineIndex?: number | null; usernameFragment?: string | null } | null }
  /** The sender has no direct path to offer (no WebRTC, or `direct: false`): relay at once. */
  | { direct: false }
  /** The sender closed its side. */
  | { bye: true };

/** Client → server. `join` and `relay` are sent with an acknowledgement. */
export type PeerRequest =
  | { op: 'join'; room: string }
  | { op: 'leave'; room: string }
  | { op: 'signal'; to: string; signal: Signal }
  | { op: 'relay'; to: string; frames: PeerFrame[] };

/** What the server answers `join` with: the other members of the mesh, to connect to. */
export interface JoinReply {
  peers: string[];
}

/** Server → client. */
export type PeerNotice =
  | { op: 'joined'; room: string; peer: string }
  | { op: 'left'; room: string; peer: string }
  | { op: 'signal'; from: string; signal: Signal }
  | { op: 'relay'; from: string; frames: PeerFrame[] }
  /** A signal to `peer` was not passed on (no shared room, gone, over the rate limit). */
  | { op: 'refused'; peer: string; reason: PeerRefusal }
  /** `peer`'s session ended. */
  | { op: 'gone'; peer: string };

export type PeerRefusal = 'not-in-shared-room' | 'unknown-peer' | 'rate_limited' | 'bad-request';

/**
 * Frames between two peers: `m` a reliable message numbered `s` (delivered once and in order
 * whatever path carries it), `u` an unreliable one, `a` "I have delivered every message up to `s`".
 */
export type PeerFrame = { k: 'm'; s: number; e: string; d: unknown } | { k: 'u'; e: string; d: unknown } | { k: 'a'; s: number };

/** A frame as data-channel text (byte arrays inside become `{"$b": base64}`, as on the session wire). */
export function encodePeerFrame(frame: PeerFrame): string {
  return stringifyWithBase64(frame);
}

/** Reads a frame from data-channel text or a relayed payload; null for anything malformed. */
export function decodePeerFrame(input: unknown): PeerFrame | null {
  let frame: unknown = input;
  if (typeof input === 'string') {
    try {
      frame = parseWithBase64(input);
    } catch {
      return null;
    }
  }
  return isPeerFrame(frame) ? frame : null;
}

export function isPeerFrame(value: unknown): value is PeerFrame {
  if (value === null || typeof value !== 'object') return false;
  const frame = value as Record<string, unknown>;
  const seq = (s: unknown): boolean => typeof s === 'number' && Number.isSafeInteger(s) && s >= 0;
  switch (frame.k) {
    case 'm':
      return seq(frame.s) && typeof frame.e === 'string' && 'd' in frame;
    case 'u':
      return typeof frame.e === 'string' && 'd' in frame;
    case 'a':
      return seq(frame.s);
    default:
      return false;
  }
}
