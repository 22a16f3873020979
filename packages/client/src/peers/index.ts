export { Peers, createPeers } from './peers.js';
export { Peer } from './peer.js';
export type { PeerOptions, PeerPath, PeerStateEvent } from './types.js';
export type { PeerRefusal } from '@baro/protocol';
