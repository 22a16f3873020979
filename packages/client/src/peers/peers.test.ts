/**
 * Peers between Node clients and a real BaroServer with `enablePeers`. Node 20 has no
 * RTCPeerConnection, so every peer here is relayed: this covers the relay path, the server's
 * authorisation and limits; the direct path and the switch between paths run in Chromium
 * (packages/e2e/src/peers.test.ts).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BaroServer, WebSocket, enablePeers, type PeersServer, type Session } from 'baro';
import { PEER_EVENT } from '@baro/protocol';
import { connect, type BaroClient } from '../index.js';
import { waitFor } from '../test-support/wait.js';
import { createPeers, type Peers } from './index.js';
import type { Peer } from './peer.js';

let server: BaroServer;
let peersServer: PeersServer;
let url = '';
const sessions = new Map<string, Session>();
const clients: BaroClient[] = [];

before(async () => {
  server = new BaroServer({ port: 0 });
  peersServer = enablePeers(server, { authorizeJoin: (_session, room) => room.startsWith('ok-'), signalBurst: 50, relayBurstBytes: 64 * 1024, relayBytesPerSecond: 256 * 1024 });
  server.on('connection', (session) => {
    sessions.set(session.id, session);
    session.on('room', (room: unknown) => typeof room === 'string' && session.join(room));
  });
  await server.ready;
  url = `http://127.0.0.1:${server.address().port}`;
});

after(async () => {
  for (const client of clients) client.close();
  await server.close({ timeout: 500 });
});

async function openClient(): Promise<{ client: BaroClient; peers: Peers; id: string }> {
  const client = connect(url, { WebSocket, reconnect: false });
  clients.push(client);
  await waitFor(() => client.state === 'open', 'the client to open');
  return { client, peers: createPeers(client), id: client.sessionId! };
}

const record = (peer: Peer, event = 'n'): unknown[] => {
  const seen: unknown[] = [];
  peer.on(event, (data) => seen.push(data));
  return seen;
};

test('two relayed peers in a mesh exchange messages both ways, in order, and the server counts them', { timeout: 15_000 }, async () => {
  const a = await openClient();
  const b = await openClient();
  const arrived: Peer[] = [];
  a.peers.onPeer((peer) => arrived.push(peer));
  assert.deepEqual(await a.peers.joinMesh('ok-two'), []);
  const [toA] = await b.peers.joinMesh('ok-two');
  assert.equal(toA.id, a.id);
  await waitFor(() => arrived.length === 1, 'a to hear of b');
  const toB = arrived[0];
  const heardByA = record(toB);
  const heardByB = record(toA);
  await waitFor(() => toA.path === 'relay' && toB.path === 'relay', 'both to relay');
  const before = { ...peersServer.counters };
  for (let i = 1; i <= 300; i++) assert.equal(toA.emit('n', i), true);
  for (let i = 1; i <= 300; i++) toB.emit('n', { i, bytes: Uint8Array.of(i & 255) });
  await waitFor(() => heardByA.length === 300 && heardByB.length === 300, 'every message');
  assert.deepEqual(heardByA, Array.from({ length: 300 }, (_, i) => i + 1));
  assert.deepEqual((heardByB as { i: number }[]).map((m) => m.i), Array.from({ length: 300 }, (_, i) => i + 1));
  assert.ok((heardByB[7] as { bytes: Uint8Array }).bytes instanceof Uint8Array);
  const relayed = peersServer.counters.relayedFrames - before.relayedFrames;
  assert.ok(relayed >= 600, `relayed frames ${relayed}`);
  assert.ok(peersServer.counters.relayedBytes - before.relayedBytes > 600 * 10);
  await waitFor(() => toA.unacknowledged === 0 && toB.unacknowledged === 0, 'every message acknowledged');
});

test('a peer that closes tells the other, and a client that closes tears its peers down on the other side', { timeout: 15_000 }, async () => {
  const a = await openClient();
  const b = await openClient();
  const c = await openClient();
  await a.peers.joinMesh('ok-teardown');
  await b.peers.joinMesh('ok-teardown');
  await c.peers.joinMesh('ok-teardown');
  await waitFor(() => a.peers.list.length === 2 && b.peers.list.length === 2 && c.peers.list.length === 2, 'a mesh of three');
  const reasons: string[] = [];
  a.peers.get(b.id)!.onState((event) => event.type === 'closed' && reasons.push(`b:${event.reason}`));
  a.peers.get(c.id)!.onState((event) => event.type === 'closed' && reasons.push(`c:${event.reason}`));
  b.peers.get(a.id)!.close();
  await waitFor(() => reasons.includes('b:bye'), 'a to hear b close');
  c.client.close();
  await waitFor(() => reasons.some((r) => r.startsWith('c:')), 'a to hear c leave');
  assert.ok(reasons.includes('c:gone') || reasons.includes('c:left'), reasons.join());
  assert.equal(a.peers.list.length, 0);
  assert.deepEqual(peersServer.meshMembers('ok-teardown').sort(), [a.id, b.id].sort());
});

test('signalling or relaying to a session outside every shared room is refused and reaches nobody', { timeout: 15_000 }, async () => {
  const a = await openClient();
  const outsider = await openClient();
  let heard = 0;
  outsider.client.on(PEER_EVENT, () => heard++);
  const peer = a.peers.connect(outsider.id);
  const closed = new Promise<string>((resolve) => peer.onState((event) => event.type === 'closed' && resolve(event.reason)));
  peer.emit('n', 'secret');
  assert.equal(await closed, 'not-in-shared-room');
  assert.equal(peer.path, 'closed');
  assert.equal(heard, 0);
  // Once they share a room the same call goes through.
  a.client.emit('room', 'shared');
  outsider.client.emit('room', 'shared');
  await waitFor(() => sessions.get(a.id)!.rooms.has('shared') && sessions.get(outsider.id)!.rooms.has('shared'), 'both in the room');
  let seen: unknown[] = [];
  outsider.peers.onPeer((p) => (seen = record(p)));
  a.peers.connect(outsider.id).emit('n', 'hello');
  await waitFor(() => seen.length === 1, 'the message');
  assert.deepEqual(seen, ['hello']);
});

test('joining a mesh needs the app\'s consent; a mesh has a size limit, and a session a limit of meshes', { timeout: 15_000 }, async () => {
  const a = await openClient();
  await assert.rejects(a.peers.joinMesh('secret-room'), /not-allowed/);
  assert.equal(sessions.get(a.id)!.rooms.has('secret-room'), false);
  const members: Peers[] = [];
  for (let i = 0; i < 16; i++) {
    const member = await openClient();
    await member.peers.joinMesh('ok-full');
    members.push(member.peers);
  }
  assert.equal(peersServer.meshMembers('ok-full').length, 16);
  await assert.rejects(a.peers.joinMesh('ok-full'), /mesh-full/);
  for (const peers of members) peers.leaveMesh('ok-full');
  await waitFor(() => peersServer.meshMembers('ok-full').length === 0, 'everyone to leave');
  // One session in many meshes: past 8 it is refused, and the server holds no mesh for the rest.
  for (let i = 0; i < 8; i++) await a.peers.joinMesh(`ok-many-${i}`);
  for (let i = 8; i < 12; i++) await assert.rejects(a.peers.joinMesh(`ok-many-${i}`), /too-many-meshes/);
  assert.deepEqual(Array.from({ length: 12 }, (_, i) => peersServer.meshMembers(`ok-many-${i}`).length), [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
  // The same, all at once: the joins wait on authorizeJoin together, and still only 8 get in.
  const b = await openClient();
  const outcomes = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => b.peers.joinMesh(`ok-burst-${i}`)));
  assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 8);
  assert.equal(Array.from({ length: 12 }, (_, i) => peersServer.meshMembers(`ok-burst-${i}`).length).reduce((x, y) => x + y), 8);
});

test('a flood of signals is cut at the signal burst, and relaying past the byte budget is slowed, not lost', { timeout: 20_000 }, async () => {
  const a = await openClient();
  const b = await openClient();
  await a.peers.joinMesh('ok-flood');
  await b.peers.joinMesh('ok-flood');
  // Raw signals, as a hostile client would send them: the burst is 50 here.
  const refusedBefore = peersServer.counters.refused;
  const signalsBefore = peersServer.counters.signals;
  let refusals = 0;
  a.client.on(PEER_EVENT, (notice) => (notice as { op: string }).op === 'refused' && refusals++);
  for (let i = 0; i < 120; i++) a.client.emit(PEER_EVENT, { op: 'signal', to: b.id, signal: { candidate: null } });
  await waitFor(() => peersServer.counters.signals - signalsBefore + (peersServer.counters.refused - refusedBefore) >= 120, 'every signal judged');
  assert.ok(peersServer.counters.signals - signalsBefore <= 60, `passed ${peersServer.counters.signals - signalsBefore}`);
  await waitFor(() => refusals >= 60, 'the sender to hear of the refusals');

  // 256 KiB of relay through a 64 KiB burst at 256 KiB/s: retried until through, in order.
  const c = await openClient();
  const d = await openClient();
  await c.peers.joinMesh('ok-budget');
  let seen: unknown[] = [];
  c.peers.onPeer((p) => (seen = record(p)));
  const [toC] = await d.peers.joinMesh('ok-budget');
  const chunk = 'x'.repeat(4000);
  for (let i = 0; i < 64; i++) assert.equal(toC.emit('n', { i, chunk }), true);
  await waitFor(() => seen.length === 64, 'every relayed chunk', 10_000);
  assert.deepEqual((seen as { i: number }[]).map((m) => m.i), Array.from({ length: 64 }, (_, i) => i));
  assert.ok(peersServer.counters.refused > refusedBefore + 60, 'the budget turned batches away');
});

test('malformed peer requests are refused without effect', { timeout: 10_000 }, async () => {
  const a = await openClient();
  const refused = peersServer.counters.refused;
  for (const bad of [null, 5, { op: 'nope' }, { op: 'signal', to: 'x' }, { op: 'relay', to: 'x', frames: [] }, { op: 'join', room: 'r'.repeat(300) }]) {
    const reply = await a.client.emitWithAck(PEER_EVENT, bad as never);
    assert.deepEqual(reply, { error: 'bad-request' });
  }
  assert.equal(peersServer.counters.refused, refused + 6);
});
