import { isPeerFrame, PEER_EVENT, type JoinReply, type PeerFrame, type PeerNotice, type PeerRequest, type Signal } from '@baro/protocol';
import type { BaroClient } from '../client.js';
import { guarded } from '../guarded.js';
import type { StateEvent } from '../types.js';
import { Peer, type PeerHost } from './peer.js';
import type { RelayOutcome } from './relay-queue.js';
import { resolvePeerOptions, type PeerOptions, type ResolvedPeerOptions } from './types.js';

/** A relayed batch the server has not answered within this many ms is sent again. */
const RELAY_ACK_TIMEOUT = 10_000;

/** The part of a `BaroClient` the peers use (its public API only). */
interface SignallingClient {
  readonly sessionId: string | null;
  on(name: string, handler: (data: unknown) => void): unknown;
  emit(name: string, data: unknown): boolean;
  emitWithAck(name: string, data: unknown, options?: { timeout?: number }): Promise<unknown>;
  onState(listener: (event: StateEvent) => void): () => void;
}

/**
 * The peers of one baro client: `connect(peerId)` to a peer (a peer id is the other client's
 * session id), `joinMesh(room)` to connect to everyone who joins the room's mesh, `onPeer` for every
 * peer, whoever started it. Signalling and the relay travel as `baro:peer` events on the session.
 */
export class Peers {
  readonly #client: SignallingClient;
  readonly #options: ResolvedPeerOptions;
  readonly #peers = new Map<string, Peer>();
  /** Mesh rooms joined, with the members known in each. */
  readonly #meshes = new Map<string, Set<string>>();
  readonly #listeners = new Set<(peer: Peer) => void>();
  readonly #host: Omit<PeerHost, 'selfId'>;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(client: BaroClient<any>, options: PeerOptions = {}) {
    this.#client = client as unknown as SignallingClient;
    this.#options = resolvePeerOptions(options);
    this.#host = {
      options: this.#options,
      signal: (to, signal) => this.#request({ op: 'signal', to, signal }),
      relay: (to, frames) => this.#relay(to, frames),
      closed: (peer) => {
        if (this.#peers.get(peer.id) === peer) this.#peers.delete(peer.id);
      },
    };
    this.#client.on(PEER_EVENT, (notice) => this.#onNotice(notice as PeerNotice));
    this.#client.onState((event) => {
      if (event.type === 'closed') this.#terminateAll('client-closed');
      if (event.type === 'resync') {
        // A new session is a new peer id: the old peers are gone (the server told them), and the
        // meshes are joined again under the new id.
        this.#terminateAll('resync');
        for (const room of [...this.#meshes.keys()]) this.joinMesh(room).catch(() => this.#meshes.delete(room));
      }
    });
  }

  /** This client's peer id (its session id), once the session is open. */
  get id(): string | null {
    return this.#client.sessionId;
  }

  get(peerId: string): Peer | undefined {
    return this.#peers.get(peerId);
  }

  /** The open peers. */
  get list(): Peer[] {
    return [...this.#peers.values()];
  }

  /** Hears every new peer (connected from here or from the other side) before any of its events. Returns the unsubscribe function. */
  onPeer(listener: (peer: Peer) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Connects to a peer that shares a room with this client (the server refuses others: the peer
   * then closes with `not-in-shared-room`). Returns the existing peer if there is one.
   */
  connect(peerId: string): Peer {
    const existing = this.#peers.get(peerId);
    if (existing) return existing;
    if (peerId === this.id) throw new Error('a client cannot connect to itself');
    return this.#create(peerId);
  }

  /**
   * Joins the mesh of a room: connects to every member, and every later member connects here.
   * Resolves with the peers connected to; rejects when the server refuses the room (`not-allowed`,
   * `mesh-full`, `too-many-meshes`) or does not answer.
   */
  async joinMesh(room: string): Promise<Peer[]> {
    const reply = (await this.#client.emitWithAck(PEER_EVENT, { op: 'join', room } satisfies PeerRequest)) as JoinReply | { error: string };
    if ('error' in reply) throw new Error(`joining the mesh of "${room}" was refused: ${reply.error}`);
    this.#meshes.set(room, new Set(reply.peers));
    return reply.peers.filter((id) => id !== this.id).map((id) => this.connect(id));
  }

  /** Leaves a mesh and closes the peers met in it (those not met in another mesh too). */
  leaveMesh(room: string): void {
    const members = this.#meshes.get(room);
    if (!members) return;
    this.#meshes.delete(room);
    this.#request({ op: 'leave', room });
    for (const id of members) {
      if (![...this.#meshes.values()].some((other) => other.has(id))) this.#peers.get(id)?.close();
    }
  }

  /** Closes every peer. */
  closeAll(): void {
    for (const peer of [...this.#peers.values()]) peer.close();
  }

  #create(peerId: string): Peer {
    const selfId = this.id;
    if (selfId === null) throw new Error('peers connect once the client is open: a peer id is a session id');
    const peer = new Peer({ ...this.#host, selfId }, peerId);
    this.#peers.set(peerId, peer);
    for (const listener of [...this.#listeners]) guarded(() => listener(peer));
    return peer;
  }

  #onNotice(notice: PeerNotice): void {
    switch (notice.op) {
      case 'signal': {
        let peer = this.#peers.get(notice.from);
        if (!peer) {
          // A goodbye from a peer already closed here starts nothing.
          if ('bye' in notice.signal) return;
          peer = this.#create(notice.from);
        }
        return peer.signal(notice.signal);
      }
      case 'relay': {
        // Frames from a peer closed here are stragglers of the old connection: dropped.
        const peer = this.#peers.get(notice.from);
        if (!peer || !Array.isArray(notice.frames)) return;
        for (const frame of notice.frames) if (isPeerFrame(frame)) peer.receiveRelayed(frame);
        return;
      }
      case 'joined':
        this.#meshes.get(notice.room)?.add(notice.peer);
        return;
      case 'left':
        if (this.#meshes.get(notice.room)?.delete(notice.peer)) this.#peers.get(notice.peer)?.terminate('left');
        return;
      case 'refused':
        return this.#peers.get(notice.peer)?.terminate(notice.reason);
      case 'gone':
        for (const members of this.#meshes.values()) members.delete(notice.peer);
        return this.#peers.get(notice.peer)?.terminate('gone');
    }
  }

  async #relay(to: string, frames: PeerFrame[]): Promise<RelayOutcome> {
    let reply: unknown;
    try {
      reply = await this.#client.emitWithAck(PEER_EVENT, { op: 'relay', to, frames } satisfies PeerRequest, { timeout: RELAY_ACK_TIMEOUT });
    } catch (error) {
      // Duck-typed: the peers bundle may carry its own copy of AckError.
      const { reason, message } = error as { reason?: string; message?: string };
      // The session's own event limit answers with an error ack: wait and send again, as for ours.
      if (reason === 'timeout' || (reason === 'error' && message === 'rate_limited')) return 'retry';
      return { refused: `client-${reason ?? 'error'}` };
    }
    const error = (reply as { error?: unknown } | null)?.error;
    if (error === undefined) return 'ok';
    if (error === 'rate_limited') return 'retry';
    return error === 'batch-too-large' ? 'split' : { refused: String(error) };
  }

  #request(request: PeerRequest): void {
    this.#client.emit(PEER_EVENT, request);
  }

  #terminateAll(reason: string): void {
    for (const peer of [...this.#peers.values()]) peer.terminate(reason);
  }
}

/** The peers of a client: `const peers = createPeers(client, { iceServers })`. One per client. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function createPeers(client: BaroClient<any>, options?: PeerOptions): Peers {
  return new Peers(client, options);
}
