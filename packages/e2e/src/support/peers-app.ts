/**
 * The peers suites' server and page: a BaroServer with `enablePeers` on its own http.Server, which
 * also serves a page that loads the client and the peers from one in-memory esbuild bundle of the
 * compiled packages, and exposes `window.p2p` for the test to drive (open a client, join a mesh,
 * connect, send numbered messages, read what arrived and which path each peer is on).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { BaroServer, enablePeers, type PeersOptions, type PeersServer, type Session } from 'baro';
import { PEER_EVENT } from '@baro/protocol';

const clientDist = fileURLToPath(new URL('../../../client/dist/', import.meta.url));


let bundle: string | null = null;
async function peersBundle(): Promise<string> {
  if (bundle) return bundle;
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    stdin: {
      contents: `export { connect } from './index.js'; export { createPeers } from './peers/index.js';`,
      resolveDir: clientDist,
      loader: 'js',
    },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  bundle = result.outputFiles[0].text;
  return bundle;
}

/** The page's driver, as source: everything it needs is inside. */
const PAGE_SCRIPT = `
import { connect, createPeers } from '/peers-bundle.js';
let client, peers;
// While held, what the server sends the peers waits here (the glare test holds both pages so that
// both offers are out before either arrives).
let holding = false;
const held = [];
// While candidates are dropped, ICE candidates signalled by the other side are lost on the way.
let droppingCandidates = false;
const isCandidate = (data) => data && data.op === 'signal' && data.signal && 'candidate' in data.signal;
const gate = (handler) => (data) => {
  if (droppingCandidates && isCandidate(data)) return;
  if (holding) held.push(() => handler(data));
  else handler(data);
};
const received = new Map(), paths = new Map(), closed = new Map();
const track = (peer) => {
  received.set(peer.id, []);
  paths.set(peer.id, [peer.path]);
  peer.on('n', (data) => received.get(peer.id).push(data));
  peer.onState((event) => {
    if (event.type === 'path') paths.get(peer.id).push(event.path);
    else closed.set(peer.id, event.reason);
  });
};
window.p2p = {
  async open(options = {}) {
    client = connect(location.origin, { transports: ['websocket'] });
    await new Promise((resolve) => client.state === 'open' ? resolve() : client.onState((e) => e.type === 'open' && resolve()));
    const gated = new Proxy(client, {
      get(target, key) {
        if (key === 'on') return (name, handler) => target.on(name, gate(handler));
        const value = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    peers = createPeers(gated, options);
    peers.onPeer(track);
    return client.sessionId;
  },
  async joinMesh(room) { return (await peers.joinMesh(room)).map((peer) => peer.id); },
  connect(id) { return peers.connect(id).id; },
  send(id, from, to, reliable = true) {
    const peer = peers.get(id);
    let sent = 0;
    for (let n = from; n <= to; n++) if (peer.emit('n', n, { reliable })) sent++;
    return sent;
  },
  /** Sends from..to, one every few ms, so that a path change happens among them. */
  async trickle(id, from, to, every) {
    const peer = peers.get(id);
    for (let n = from; n <= to; n++) {
      peer.emit('n', n);
      await new Promise((resolve) => setTimeout(resolve, every));
    }
  },
  state() {
    const out = {};
    for (const peer of peers.list) out[peer.id] = { path: peer.path, paths: paths.get(peer.id), count: received.get(peer.id).length, unacked: peer.unacknowledged, polite: peer.polite, signaling: peer.connection?.signalingState ?? null, ice: peer.connection?.iceConnectionState ?? null, transceivers: peer.connection?.getTransceivers().length ?? 0 };
    return out;
  },
  received(id) { return received.get(id) ?? []; },
  paths(id) { return paths.get(id) ?? []; },
  closed() { return Object.fromEntries(closed); },
  peerCount() { return peers.list.length; },
  closePeer(id) { peers.get(id)?.close(); },
  /** Closes the WebRTC connection under the peer, as a network failure would end the direct path. */
  dropDirect(id) { peers.get(id).connection.close(); },
  addAudio(id) { peers.get(id).connection.addTransceiver('audio', { direction: 'recvonly' }); },
  closeClient() { client.close(); },
  dropCandidates(on) { droppingCandidates = on; },
  hold() { holding = true; },
  release() { holding = false; for (const run of held.splice(0)) run(); },
};
window.p2pReady = true;
`;

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>baro peers</title></head><body><script type="module">${PAGE_SCRIPT}</script></body></html>`;

export class PeersApp {
  readonly http: Server;
  readonly baro: BaroServer;
  readonly peers: PeersServer;
  /** Every `baro:peer` payload the server received, as JSON text: to prove what never crossed it. */
  readonly seen: string[] = [];
  readonly sessions = new Map<string, Session>();
  url = '';

  private constructor(peersOptions: PeersOptions) {
    this.http = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      if (path === '/') return void response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(PAGE);
      if (path === '/peers-bundle.js') return void response.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(bundle);
      response.writeHead(404).end();
    });
    this.baro = new BaroServer({ server: this.http });
    this.peers = enablePeers(this.baro, peersOptions);
    this.baro.on('connection', (session) => {
      this.sessions.set(session.id, session);
      session.on(PEER_EVENT, (data: unknown) => this.seen.push(JSON.stringify(data)));
    });
  }

  static async start(peersOptions: PeersOptions = { authorizeJoin: () => true }): Promise<PeersApp> {
    await peersBundle();
    const app = new PeersApp(peersOptions);
    await new Promise<void>((resolve) => app.http.listen(0, '127.0.0.1', resolve));
    app.url = `http://127.0.0.1:${(app.http.address() as AddressInfo).port}/`;
    return app;
  }

  async close(): Promise<void> {
    await this.baro.close({ timeout: 500 });
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}
