export { enablePeers, type PeersOptions, type PeersServer, type PeerCounters } from './peers-server.js';
