import { PEER_EVENT, type EventContract, type JoinReply, type PeerNotice, type PeerRefusal, type PeerRequest } from '@baro/protocol';
import type { BaroServer } from '../baro-server.js';
import type { SessionOf } from '../session/events.js';
import type { Session } from '../session/session.js';
import { TokenBucket } from '../session/token-bucket.js';
import { checkPeerRequest } from './requests.js';

export interface PeersOptions {
  /**
   * Whether a session may join a room's mesh. Default: only a room the app has put it in
   * (`session.join(room)`). Return true to let it in (it then joins the room too).
   */
  authorizeJoin?: (session: Session, room: string) => boolean | Promise<boolean>;
  /** Signals (offers, answers, ICE candidates, goodbyes) a session may send per second, and in a burst. Default 20 and 200. */
  signalsPerSecond?: number;
  signalBurst?: number;
  /** Bytes a session may have relayed per second, and in a burst. Default 1 MiB and 4 MiB. */
  relayBytesPerSecond?: number;
  relayBurstBytes?: number;
  /** Members of one mesh at most (a mesh of n is n(n−1)/2 connections). Default 16. */
  maxMeshSize?: number;
  /** Meshes one session may be in at once. Default 8. */
  maxMeshesPerSession?: number;
}

/** What crossed the server for the peers, for tests and the lab. */
export interface PeerCounters {
  /** Signals passed on, and their bytes (JSON). */
  signals: number;
  signallingBytes: number;
  /** Relayed frames passed on, and their bytes (JSON). */
  relayedFrames: number;
  relayedBytes: number;
  /** Requests refused (no shared room, unknown peer, rate limit, malformed). */
  refused: number;
}

export interface PeersServer {
  readonly counters: PeerCounters;
  /** Members of a mesh, in join order. */
  meshMembers(room: string): string[];
  /** Stops handling peers for new sessions (sessions already hooked keep their handlers until they end). */
  close(): void;
}

interface PeerState {
  signals: TokenBucket;
  relayBytes: TokenBucket;
  meshes: Set<string>;
  /** Peers this session signalled or relayed to, or heard from: told when it ends. */
  contacts: Set<string>;
}

const DEFAULTS = {
  signalsPerSecond: 20,
  signalBurst: 200,
  relayBytesPerSecond: 1024 * 1024,
  relayBurstBytes: 4 * 1024 * 1024,
  maxMeshSize: 16,
  maxMeshesPerSession: 8,
};

/**
 * WebRTC signalling and the relay on a BaroServer, built on its public API: every session gets a
 * `baro:peer` handler. A session may signal or relay only to a session that shares one of its
 * rooms, within its own rate limits (besides the session's event limit); the server reads neither
 * signals nor relayed frames, and never sees what goes over a direct data channel.
 * Peers are the sessions of this server: with a broker across processes, peers must meet on one.
 */
export function enablePeers<Events extends EventContract, Context>(
  server: BaroServer<Events, Context>,
  options: PeersOptions = {},
): PeersServer {
  const limits = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, value]) => typeof value === 'number')) };
  const authorizeJoin = options.authorizeJoin ?? ((session: Session, room: string) => session.rooms.has(room));
  const counters: PeerCounters = { signals: 0, signallingBytes: 0, relayedFrames: 0, relayedBytes: 0, refused: 0 };
  const meshes = new Map<string, Set<string>>();
  const states = new Map<string, PeerState>();
  const sessions = server.sessions as unknown as Map<string, Session>;

  const notify = (sessionId: string, notice: PeerNotice): void => {
    sessions.get(sessionId)?.emit(PEER_EVENT, notice as never);
  };
  const refuse = (session: Session, peer: string, reason: PeerRefusal): void => {
    counters.refused++;
    session.emit(PEER_EVENT, { op: 'refused', peer, reason } satisfies PeerNotice as never);
  };
  /** The peer's session, if the two share a room; else why not. */
  const reachable = (session: Session, peerId: string): Session | PeerRefusal => {
    const peer = sessions.get(peerId);
    if (!peer || peer.ended || peer === session) return 'unknown-peer';
    const [fewer, more] = session.rooms.size <= peer.rooms.size ? [session.rooms, peer.rooms] : [peer.rooms, session.rooms];
    for (const room of fewer) if (more.has(room)) return peer;
    return 'not-in-shared-room';
  };
  const leaveMesh = (sessionId: string, room: string): void => {
    const members = meshes.get(room);
    if (!members?.delete(sessionId)) return;
    states.get(sessionId)?.meshes.delete(room);
    if (members.size === 0) meshes.delete(room);
    for (const member of members) notify(member, { op: 'left', room, peer: sessionId });
  };

  const join = async (session: Session, state: PeerState, room: string, ack: ((reply: unknown) => void) | undefined): Promise<void> => {
    const fail = (reason: string): void => {
      counters.refused++;
      ack?.({ error: reason });
    };
    if (state.meshes.has(room)) return ack?.({ peers: [...(meshes.get(room) ?? [])].filter((id) => id !== session.id) } satisfies JoinReply);
    if (state.meshes.size >= limits.maxMeshesPerSession) return fail('too-many-meshes');
    if ((meshes.get(room)?.size ?? 0) >= limits.maxMeshSize) return fail('mesh-full');
    let allowed = false;
    try {
      allowed = await authorizeJoin(session, room);
    } catch {
      allowed = false;
    }
    if (session.ended) return;
    if (!allowed) return fail('not-allowed');
    // Checked again: other joins may have gone through while the app decided.
    if (state.meshes.size >= limits.maxMeshesPerSession) return fail('too-many-meshes');
    const members = meshes.get(room) ?? new Set<string>();
    if (members.has(session.id)) return ack?.({ peers: [...members].filter((id) => id !== session.id) } satisfies JoinReply);
    if (members.size >= limits.maxMeshSize) return fail('mesh-full');
    session.join(room);
    const others = [...members];
    members.add(session.id);
    meshes.set(room, members);
    state.meshes.add(room);
    for (const member of others) notify(member, { op: 'joined', room, peer: session.id });
    ack?.({ peers: others } satisfies JoinReply);
  };

  const handle = (session: Session, state: PeerState, input: unknown, ack: ((reply: unknown) => void) | undefined): void => {
    const request = checkPeerRequest(input);
    if (!request) {
      counters.refused++;
      return ack?.({ error: 'bad-request' });
    }
    switch (request.op) {
      case 'join':
        void join(session, state, request.room, ack);
        return;
      case 'leave':
        return leaveMesh(session.id, request.room);
      case 'signal': {
        const peer = reachable(session, request.to);
        if (typeof peer === 'string') return refuse(session, request.to, peer);
        if (!state.signals.take(Date.now())) return refuse(session, request.to, 'rate_limited');
        counters.signals++;
        counters.signallingBytes += JSON.stringify(request.signal).length;
        state.contacts.add(peer.id);
        states.get(peer.id)?.contacts.add(session.id);
        peer.emit(PEER_EVENT, { op: 'signal', from: session.id, signal: request.signal } satisfies PeerNotice as never);
        return;
      }
      case 'relay': {
        const peer = reachable(session, request.to);
        const bytes = JSON.stringify(request.frames).length;
        // Relay batches are acknowledged: the client sends the next one after the answer, and a
        // batch refused for the rate limit again, so nothing is lost or reordered.
        if (typeof peer === 'string') {
          counters.refused++;
          return ack?.({ error: peer });
        }
        if (!state.relayBytes.take(Date.now(), bytes)) {
          counters.refused++;
          // More than the whole burst never passes: the client splits the batch (one frame that
          // big closes the peer), else it waits and sends the same batch again.
          const error = bytes <= limits.relayBurstBytes ? 'rate_limited' : request.frames.length > 1 ? 'batch-too-large' : 'frame-too-large';
          return ack?.({ error });
        }
        counters.relayedFrames += request.frames.length;
        counters.relayedBytes += bytes;
        state.contacts.add(peer.id);
        states.get(peer.id)?.contacts.add(session.id);
        peer.emit(PEER_EVENT, { op: 'relay', from: session.id, frames: request.frames } satisfies PeerNotice as never);
        ack?.({ ok: true });
        return;
      }
    }
  };

  let closed = false;
  const onConnection = (session: SessionOf<Events>): void => {
    if (closed) return;
    const plain = session as unknown as Session;
    const now = Date.now();
    const state: PeerState = {
      signals: new TokenBucket(limits.signalsPerSecond, limits.signalBurst, now),
      relayBytes: new TokenBucket(limits.relayBytesPerSecond, limits.relayBurstBytes, now),
      meshes: new Set(),
      contacts: new Set(),
    };
    states.set(session.id, state);
    plain.on(PEER_EVENT, (input: unknown, ack?: (reply: unknown) => void) => handle(plain, state, input, ack));
    plain.on('disconnect', () => {
      states.delete(session.id);
      for (const room of [...state.meshes]) leaveMesh(session.id, room);
      for (const contact of state.contacts) {
        notify(contact, { op: 'gone', peer: session.id });
        states.get(contact)?.contacts.delete(session.id);
      }
    });
  };
  server.on('connection', onConnection);

  return {
    counters,
    meshMembers: (room) => [...(meshes.get(room) ?? [])],
    close: () => {
      closed = true;
      server.off('connection', onConnection);
    },
  };
}
