/** How a peer's messages travel now. */
export type PeerPath = 'connecting' | 'direct' | 'relay' | 'closed';

/** What `peer.onState` listeners hear. */
export type PeerStateEvent =
  | { type: 'path'; path: Exclude<PeerPath, 'closed'> }
  /** `reason`: `closed` (this side), `bye` (the other side), `gone` (its session ended), `left` (it left the mesh), `resync`, `client-closed`, or the server's refusal (`not-in-shared-room`, `unknown-peer`, `rate_limited`). */
  | { type: 'closed'; reason: string };

export interface PeerOptions {
  /** STUN/TURN servers for ICE, as `RTCPeerConnection` takes them. Default none (host candidates only: same machine or LAN). */
  iceServers?: RTCIceServer[];
  /** `relay` uses TURN candidates only. Default `all`. */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** A peer without a direct path after this many ms goes through the server until one comes up. Default 5000. */
  directTimeout?: number;
  /** `false`: never try WebRTC, always relay through the server. Default true (when the platform has RTCPeerConnection). */
  direct?: boolean;
  /** The RTCPeerConnection class. Default the global one; without one, peers are relayed. */
  RTCPeerConnection?: typeof RTCPeerConnection;
  /** Reliable messages sent and not yet acknowledged by the other peer; past it `emit` returns false. Default 1000. */
  maxUnacked?: number;
}

export type ResolvedPeerOptions = Required<Omit<PeerOptions, 'RTCPeerConnection'>> & { RTCPeerConnection: typeof RTCPeerConnection | undefined };

export function resolvePeerOptions(options: PeerOptions): ResolvedPeerOptions {
  return {
    iceServers: options.iceServers ?? [],
    iceTransportPolicy: options.iceTransportPolicy ?? 'all',
    directTimeout: options.directTimeout ?? 5000,
    direct: options.direct ?? true,
    RTCPeerConnection: options.RTCPeerConnection ?? (globalThis as { RTCPeerConnection?: typeof RTCPeerConnection }).RTCPeerConnection,
    maxUnacked: options.maxUnacked ?? 1000,
  };
}
