import { decodePeerFrame, encodePeerFrame, type PeerFrame, type Signal } from '@baro/protocol';
import { guarded } from '../guarded.js';
import { ignoresOffer, isPolite } from './negotiation.js';
import { RelayQueue, type RelayOutcome } from './relay-queue.js';
import { ReliableStream } from './reliable-stream.js';
import type { PeerPath, PeerStateEvent, ResolvedPeerOptions } from './types.js';

/** The receiver acknowledges reliable messages at most this long after delivering them (ms) … */
const ACK_DELAY = 50;
/** … or at once when this many wait for an acknowledgement. */
const ACK_BATCH = 32;
/** Frames per relayed event, and the wait before a batch turned away for the rate limit goes again. */
const RELAY_BATCH = 64;
const RELAY_RETRY = 250;
/**
 * A peer relayed because no direct path came up in time restarts ICE up to this many times, the
 * first after max(directTimeout, DIRECT_RETRY_MIN) more and each next twice as late: fresh
 * credentials and candidates on both sides heal a negotiation whose candidates went astray, while
 * the relay carries the messages meanwhile.
 */
const DIRECT_RETRIES = 3;
const DIRECT_RETRY_MIN = 2000;

type Handler = (data: unknown) => void;

/** What a peer needs from the `Peers` that made it: the signalling and relay paths through the server. */
export interface PeerHost {
  readonly selfId: string;
  readonly options: ResolvedPeerOptions;
  signal(to: string, signal: Signal): void;
  relay(to: string, frames: PeerFrame[]): Promise<RelayOutcome>;
  closed(peer: Peer): void;
}

/**
 * One other peer, and the event stream between the two: `peer.emit(name, data)` and
 * `peer.on(name, handler)`, reliable and ordered (or `{ reliable: false }`: unordered, no
 * retransmission), the same whichever path carries it. The path is a WebRTC data channel when one
 * comes up (signalled through the server with perfect negotiation), else the server relays it;
 * `peer.path` says which, and `onState` hears every change.
 */
export class Peer {
  readonly id: string;
  /** In a collision of offers the polite peer gives way (the one with the greater id). */
  readonly polite: boolean;
  /** The WebRTC connection (null when relayed only): add tracks or call `restartIce()` on it; renegotiation is handled. */
  readonly connection: RTCPeerConnection | null;
  readonly #host: PeerHost;
  readonly #stream: ReliableStream;
  readonly #relay: RelayQueue;
  readonly #handlers = new Map<string, Set<Handler>>();
  readonly #listeners = new Set<(event: PeerStateEvent) => void>();
  #path: PeerPath = 'connecting';
  #reliable: RTCDataChannel | null = null;
  #unreliable: RTCDataChannel | null = null;
  #makingOffer = false;
  #ignoreOffer = false;
  /** Signals are handled one after another: each may wait for the connection. */
  #signals: Promise<void> = Promise.resolve();
  #directTimer: ReturnType<typeof setTimeout> | undefined;
  #directRetries = 0;
  #ackTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(host: PeerHost, id: string) {
    this.#host = host;
    this.id = id;
    this.polite = isPolite(host.selfId, id);
    this.#stream = new ReliableStream(host.options.maxUnacked);
    this.#relay = new RelayQueue((frames) => host.relay(id, frames), (reason) => this.terminate(reason), { maxBatch: RELAY_BATCH, retryDelay: RELAY_RETRY });
    const RTC = host.options.direct ? host.options.RTCPeerConnection : undefined;
    this.connection = RTC ? new RTC({ iceServers: host.options.iceServers, iceTransportPolicy: host.options.iceTransportPolicy }) : null;
    if (this.connection) {
      this.#wire(this.connection);
      this.#directTimer = setTimeout(() => this.#directTimedOut(), host.options.directTimeout);
    } else {
      // Tell the other side at once, so it need not wait out its direct timeout.
      host.signal(id, { direct: false });
      queueMicrotask(() => this.#setPath('relay'));
    }
  }

  get path(): PeerPath {
    return this.#path;
  }

  /** Reliable messages sent and not yet acknowledged by the other side. */
  get unacknowledged(): number {
    return this.#stream.unacked.length;
  }

  on(event: string, handler: Handler): this {
    let set = this.#handlers.get(event);
    if (!set) this.#handlers.set(event, (set = new Set()));
    set.add(handler);
    return this;
  }

  off(event: string, handler?: Handler): this {
    if (handler) this.#handlers.get(event)?.delete(handler);
    else this.#handlers.delete(event);
    return this;
  }

  /** Path changes and the close. Returns the unsubscribe function. */
  onState(listener: (event: PeerStateEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Sends an event to the peer. Reliable ones wait while the path is still being found and are
   * delivered once, in order; false when the peer is closed or `maxUnacked` wait already.
   * Unreliable ones go only on a path that is up (false otherwise) and may be lost or reordered.
   */
  emit(event: string, data: unknown, { reliable = true }: { reliable?: boolean } = {}): boolean {
    if (this.#path === 'closed') return false;
    if (!reliable) return this.#send({ k: 'u', e: event, d: data });
    const frame = this.#stream.message(event, data);
    if (!frame) return false;
    this.#send(frame);
    return true;
  }

  /** Closes this side and tells the other. */
  close(): void {
    if (this.#path === 'closed') return;
    this.#host.signal(this.id, { bye: true });
    this.terminate('closed');
  }

  /** Ends the peer without telling the other side (it is the one that left, or the server said so). */
  terminate(reason: string): void {
    if (this.#path === 'closed') return;
    this.#path = 'closed';
    clearTimeout(this.#directTimer);
    clearTimeout(this.#ackTimer);
    this.#relay.close();
    this.connection?.close();
    this.#host.closed(this);
    this.#emitState({ type: 'closed', reason });
  }

  /** A signal from the other peer, through the server. */
  signal(signal: Signal): void {
    this.#signals = this.#signals.then(() => this.#onSignal(signal)).catch(() => {
      // A description that no longer applies (the connection closed, or a rollback lost the race):
      // the next negotiation or the relay covers it.
    });
  }

  /** A frame that came through the server. */
  receiveRelayed(frame: PeerFrame): void {
    // The other side gave up waiting for a direct path: so do we, or our acks would wait too.
    if (this.#path === 'connecting') this.#setPath('relay');
    this.#receive(frame);
  }

  // --- the direct path ------------------------------------------------------------------------

  #wire(connection: RTCPeerConnection): void {
    connection.onnegotiationneeded = async () => {
      try {
        this.#makingOffer = true;
        await connection.setLocalDescription();
        this.#sendDescription(connection);
      } catch {
        // Closed meanwhile: nothing to offer.
      } finally {
        this.#makingOffer = false;
      }
    };
    connection.onicecandidate = ({ candidate }) => {
      if (candidate) this.#host.signal(this.id, { candidate: candidate.toJSON() });
    };
    connection.oniceconnectionstatechange = () => {
      const state = connection.iceConnectionState;
      if (state === 'failed') {
        this.#directLost();
        // Renegotiates with new credentials: the peer goes direct again if that succeeds.
        connection.restartIce();
      } else if ((state === 'connected' || state === 'completed') && this.#reliable?.readyState === 'open') {
        this.#directUp();
      }
    };
    // Both sides create the same two channels (negotiated, fixed ids), so there is no race over
    // who opens them: one reliable and ordered, one unordered without retransmissions.
    this.#reliable = connection.createDataChannel('baro', { negotiated: true, id: 0 });
    this.#unreliable = connection.createDataChannel('baro-unreliable', { negotiated: true, id: 1, ordered: false, maxRetransmits: 0 });
    for (const channel of [this.#reliable, this.#unreliable]) {
      channel.onmessage = (event) => {
        const frame = typeof event.data === 'string' ? decodePeerFrame(event.data) : null;
        if (frame) this.#receive(frame);
      };
    }
    this.#reliable.onopen = () => this.#directUp();
    this.#reliable.onclose = () => this.#directLost();
  }

  async #onSignal(signal: Signal): Promise<void> {
    if (this.#path === 'closed') return;
    if ('bye' in signal) return this.terminate('bye');
    if ('direct' in signal) return this.#giveUpDirect();
    const connection = this.connection;
    if (!connection) return;
    if ('description' in signal) {
      const description = signal.description as RTCSessionDescriptionInit;
      this.#ignoreOffer = ignoresOffer({ polite: this.polite, makingOffer: this.#makingOffer, signalingState: connection.signalingState }, description.type);
      if (this.#ignoreOffer) return;
      // A polite peer with an offer of its own out rolls it back implicitly here.
      await connection.setRemoteDescription(description);
      if (description.type === 'offer') {
        await connection.setLocalDescription();
        this.#sendDescription(connection);
      }
    } else if (signal.candidate) {
      try {
        await connection.addIceCandidate(signal.candidate);
      } catch (error) {
        // Candidates of an offer we ignored do not fit; any other failure is real.
        if (!this.#ignoreOffer) throw error;
      }
    }
  }

  #sendDescription(connection: RTCPeerConnection): void {
    const local = connection.localDescription;
    if (local) this.#host.signal(this.id, { description: { type: local.type, sdp: local.sdp } });
  }

  /** No direct path in time: relay, and try again for a direct one a few times, further apart each time. */
  #directTimedOut(): void {
    if (this.#path === 'closed' || this.#path === 'direct') return;
    this.#setPath('relay');
    this.#scheduleDirectRetry();
  }

  #scheduleDirectRetry(): void {
    if (this.#directRetries >= DIRECT_RETRIES) return;
    const delay = Math.max(this.#host.options.directTimeout, DIRECT_RETRY_MIN) * 2 ** this.#directRetries;
    this.#directTimer = setTimeout(() => {
      const connection = this.connection;
      if (this.#path !== 'relay' || !connection || connection.signalingState === 'closed') return;
      this.#directRetries++;
      // One side restarting is enough: the impolite one, whose offer wins a collision.
      if (!this.polite) connection.restartIce();
      this.#scheduleDirectRetry();
    }, delay);
  }

  #directUp(): void {
    clearTimeout(this.#directTimer);
    this.#setPath('direct');
  }

  #directLost(): void {
    clearTimeout(this.#directTimer);
    if (this.#path === 'direct' || this.#path === 'connecting') this.#setPath('relay');
  }

  /** The other side has no WebRTC (or does not want it). */
  #giveUpDirect(): void {
    clearTimeout(this.#directTimer);
    if (this.connection && this.connection.signalingState !== 'closed') this.connection.close();
    this.#setPath('relay');
  }

  // --- frames on whichever path -----------------------------------------------------------------

  #setPath(path: Exclude<PeerPath, 'closed'>): void {
    if (this.#path === path || this.#path === 'closed') return;
    const previous = this.#path;
    this.#path = path;
    if (previous === 'relay') this.#relay.clear();
    // What the other side has not acknowledged goes again, first: it drops what it already has.
    for (const frame of this.#stream.unacked) {
      if (this.#path !== path) break;
      this.#send(frame);
    }
    if (this.#path !== path) return;
    if (this.#stream.ackDue) this.#sendAck();
    this.#emitState({ type: 'path', path });
  }

  /** Sends on the current path; false when none is up (reliable messages then wait in the stream). */
  #send(frame: PeerFrame): boolean {
    if (this.#path === 'relay') {
      this.#relay.push(frame);
      return true;
    }
    if (this.#path !== 'direct') return false;
    const channel = frame.k === 'u' ? this.#unreliable : this.#reliable;
    try {
      channel!.send(encodePeerFrame(frame));
      return true;
    } catch {
      // The channel closed under us (its close event is on its way): the relay takes over.
      this.#directLost();
      return frame.k !== 'u';
    }
  }

  #receive(frame: PeerFrame): void {
    if (this.#path === 'closed') return;
    switch (frame.k) {
      case 'm':
        if (this.#stream.accept(frame)) this.#dispatch(frame.e, frame.d);
        if (this.#stream.pendingAcks >= ACK_BATCH) this.#sendAck();
        else this.#ackTimer ??= setTimeout(() => this.#sendAck(), ACK_DELAY);
        return;
      case 'u':
        return this.#dispatch(frame.e, frame.d);
      case 'a':
        return this.#stream.acknowledge(frame.s);
    }
  }

  #sendAck(): void {
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    if (this.#stream.ackDue && (this.#path === 'direct' || this.#path === 'relay')) this.#send(this.#stream.ack());
  }

  #dispatch(event: string, data: unknown): void {
    for (const handler of [...(this.#handlers.get(event) ?? [])]) guarded(() => handler(data));
  }

  #emitState(event: PeerStateEvent): void {
    for (const listener of [...this.#listeners]) guarded(() => listener(event));
  }
}
