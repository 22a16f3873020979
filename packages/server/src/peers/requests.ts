import type { PeerRequest } from '@baro/protocol';

/** Longest room name or peer id accepted, in characters. */
const MAX_NAME = 256;
/** Frames in one relayed batch at most (the client sends 64). */
const MAX_FRAMES = 256;

const name = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= MAX_NAME;

/** A `baro:peer` event from a client, checked; null when malformed. Signals and frames pass unread. */
export function checkPeerRequest(input: unknown): PeerRequest | null {
  if (input === null || typeof input !== 'object') return null;
  const request = input as Record<string, unknown>;
  switch (request.op) {
    case 'join':
    case 'leave':
      return name(request.room) ? { op: request.op, room: request.room } : null;
    case 'signal':
      if (!name(request.to) || request.signal === null || typeof request.signal !== 'object' || Array.isArray(request.signal)) return null;
      return { op: 'signal', to: request.to, signal: request.signal as never };
    case 'relay':
      if (!name(request.to) || !Array.isArray(request.frames) || request.frames.length === 0 || request.frames.length > MAX_FRAMES) return null;
      return { op: 'relay', to: request.to, frames: request.frames };
    default:
      return null;
  }
}
