import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashToken, tokenHashMatches, type SessionStore } from '../session-store.js';

/** Nodes of one cluster share one store (one Redis database, one in-memory store). */
export interface SessionStoreCluster {
  node(): SessionStore | Promise<SessionStore>;
  close?(): Promise<void>;
}

/** Bounded wait for a condition that the store's own clock makes true. */
async function until(what: string, done: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let sequence = 0;
const newId = () => `s${++sequence}x${process.pid}`;

/**
 * What every session store must do, run against each implementation unchanged (in memory here,
 * Redis in @baro/redis). `ttlMs` is the resume window the cluster's stores are made with.
 */
export function sessionStoreSuite(name: string, createCluster: (options: { ttlMs: number }) => SessionStoreCluster | Promise<SessionStoreCluster>): void {
  async function setup(ttlMs = 60_000, nodeCount = 1) {
    const cluster = await createCluster({ ttlMs });
    const nodes: SessionStore[] = [];
    for (let i = 0; i < nodeCount; i++) nodes.push(await cluster.node());
    const close = async () => {
      for (const node of nodes) await node.close();
      await cluster.close?.();
    };
    return { store: nodes[0], nodes, close };
  }

  test(`${name}: a new session as any node loads it; the token is kept only as its hash`, async () => {
    const { nodes: [one, two], close } = await setup(60_000, 2);
    const id = newId();
    await one.create({ id, tokenHash: hashToken('secret'), remoteAddress: '10.0.0.7', createdAt: 1234 });
    const loaded = await two.load(id);
    assert.deepEqual(loaded, { id, tokenHash: hashToken('secret'), remoteAddress: '10.0.0.7', createdAt: 1234, lastSeen: 1234, rooms: {}, cseq: 0, seq: 0, receipted: 0, data: null });
    assert.ok(loaded);
    assert.notEqual(loaded.tokenHash, 'secret');
    assert.equal(tokenHashMatches(loaded.tokenHash, 'secret'), true);
    assert.equal(tokenHashMatches(loaded.tokenHash, 'Secret'), false);
    assert.equal(tokenHashMatches(loaded.tokenHash, undefined), false);
    assert.equal(await two.load(newId()), null, 'an unknown id');
    assert.equal(await two.touch(id, 5678), true);
    assert.equal((await one.load(id))?.lastSeen, 5678);
    assert.equal(await two.touch(newId(), 1), false, 'touching an unknown id');
    await close();
  });

  test(`${name}: rooms with their join positions, and the app's data, as JSON`, async () => {
    const { nodes: [one, two], close } = await setup(60_000, 2);
    const id = newId();
    await one.create({ id, tokenHash: 'h', remoteAddress: '::1', createdAt: 1 });
    await one.join(id, 'red', { epoch: 'Ep1', offset: 41 });
    await one.join(id, 'blue room: ünïcode', { epoch: 'Ep2', offset: 0 });
    await two.join(id, 'red', { epoch: 'Ep1', offset: 45 });
    await two.leave(id, 'nowhere');
    assert.deepEqual((await one.load(id))?.rooms, { red: { epoch: 'Ep1', offset: 45 }, 'blue room: ünïcode': { epoch: 'Ep2', offset: 0 } });
    await one.leave(id, 'red');
    assert.deepEqual((await two.load(id))?.rooms, { 'blue room: ünïcode': { epoch: 'Ep2', offset: 0 } });
    await one.setData(id, { user: { name: 'Ada', seat: 3 }, tags: ['a', null] });
    assert.deepEqual((await two.load(id))?.data, { user: { name: 'Ada', seat: 3 }, tags: ['a', null] });
    await two.setData(id, null);
    assert.equal((await one.load(id))?.data, null);
    await close();
  });

  test(`${name}: commit advances cseq and appends the handlers' packets in one step, or does nothing`, async () => {
    const { store, close } = await setup();
    const id = newId();
    await store.create({ id, tokenHash: 'h', remoteAddress: 'a', createdAt: 1 });
    assert.deepEqual(await store.commit(id, { cseq: 1, packets: ['ack-1'] }), { ok: true, seqs: [1] });
    assert.deepEqual(await store.commit(id, { cseq: 2, packets: [] }), { ok: true, seqs: [] });
    assert.deepEqual(await store.commit(id, { packets: ['push-a', 'push-b'] }), { ok: true, seqs: [2, 3] });
    assert.deepEqual(await store.commit(id, { cseq: 2, packets: ['again'] }), { ok: false, reason: 'duplicate' });
    assert.deepEqual(await store.commit(id, { cseq: 1, packets: ['again'] }), { ok: false, reason: 'duplicate' });
    assert.deepEqual(await store.commit(id, { cseq: 4, packets: ['early'] }), { ok: false, reason: 'gap' });
    assert.deepEqual(await store.commit(id, { cseq: 3, packets: ['ack-3'] }), { ok: true, seqs: [4] });
    const loaded = await store.load(id);
    assert.equal(loaded?.cseq, 3);
    assert.equal(loaded?.seq, 4);
    assert.deepEqual(await store.since(id, 0), [
      { seq: 1, body: 'ack-1' },
      { seq: 2, body: 'push-a' },
      { seq: 3, body: 'push-b' },
      { seq: 4, body: 'ack-3' },
    ]);
    assert.deepEqual(await store.commit(newId(), { cseq: 1, packets: ['x'] }), { ok: false, reason: 'missing' });
    // The app's data, when given, changes in the same step; a refused commit leaves it.
    assert.deepEqual(await store.commit(id, { cseq: 4, packets: [], data: { score: 1 } }), { ok: true, seqs: [] });
    assert.deepEqual((await store.load(id))?.data, { score: 1 });
    assert.deepEqual(await store.commit(id, { cseq: 4, packets: [], data: { score: 2 } }), { ok: false, reason: 'duplicate' });
    assert.deepEqual(await store.commit(id, { cseq: 5, packets: ['ack-5'] }), { ok: true, seqs: [5] });
    assert.deepEqual((await store.load(id))?.data, { score: 1 }, 'a commit without data leaves it');
    assert.deepEqual(await store.commit(id, { packets: [], data: null }), { ok: true, seqs: [] });
    assert.equal((await store.load(id))?.data, null);
    await close();
  });

  test(`${name}: the same client event committed by many nodes at once is processed by exactly one`, async () => {
    const { nodes, close } = await setup(60_000, 3);
    const id = newId();
    await nodes[0].create({ id, tokenHash: 'h', remoteAddress: 'a', createdAt: 1 });
    for (let cseq = 1; cseq <= 20; cseq++) {
      const results = await Promise.all(nodes.flatMap((node, n) => [0, 1].map((k) => node.commit(id, { cseq, packets: [`ack ${cseq} by ${n}.${k}`] }))));
      assert.equal(results.filter((result) => result.ok).length, 1, `cseq ${cseq}: ${JSON.stringify(results)}`);
      assert.ok(results.every((result) => result.ok || result.reason === 'duplicate'));
    }
    const packets = (await nodes[1].since(id, 0)) ?? [];
    assert.deepEqual(packets.map((packet) => packet.seq), Array.from({ length: 20 }, (_, i) => i + 1));
    assert.deepEqual(packets.map((packet) => Number(packet.body.split(' ')[1])), Array.from({ length: 20 }, (_, i) => i + 1));
    await close();
  });

  test(`${name}: the outbound stream replays after a seq until the client receipts it`, async () => {
    const { nodes: [one, two], close } = await setup(60_000, 2);
    const id = newId();
    await one.create({ id, tokenHash: 'h', remoteAddress: 'a', createdAt: 1 });
    await one.commit(id, { packets: ['p1', 'p2', 'p3', 'p4 ✓ "quoted"\n'] });
    assert.deepEqual((await two.since(id, 2))?.map((packet) => packet.body), ['p3', 'p4 ✓ "quoted"\n']);
    assert.deepEqual(await two.since(id, 4), []);
    assert.equal(await two.since(id, 5), null, 'a seq never sent');
    await two.receipt(id, 2);
    assert.equal((await one.load(id))?.receipted, 2);
    assert.equal(await one.since(id, 1), null, 'receipted packets are gone');
    assert.deepEqual((await one.since(id, 2))?.map((packet) => packet.seq), [3, 4]);
    await two.receipt(id, 1);
    assert.equal((await one.load(id))?.receipted, 2, 'a receipt never goes back');
    await two.receipt(id, 99);
    assert.equal((await one.load(id))?.receipted, 4, 'nor past what was sent');
    assert.deepEqual(await one.since(id, 4), []);
    assert.deepEqual(await one.commit(id, { packets: ['p5'] }), { ok: true, seqs: [5] });
    assert.equal(await one.since(newId(), 0), null, 'an unknown session');
    await close();
  });

  test(`${name}: every node watching a session hears each commit, with the packets and the cseq after it`, async () => {
    const { nodes: [one, two], close } = await setup(60_000, 2);
    const id = newId();
    const other = newId();
    await one.create({ id, tokenHash: 'h', remoteAddress: 'a', createdAt: 1 });
    await one.create({ id: other, tokenHash: 'h', remoteAddress: 'a', createdAt: 1 });
    const heard: string[] = [];
    const stop = await two.watch(id, (change) => heard.push(`${change.cseq}:${change.packets.map((packet) => `${packet.seq}=${packet.body}`).join(',')}`));
    await one.commit(id, { cseq: 1, packets: ['ack "1"'] });
    await one.commit(other, { cseq: 1, packets: ['not this one'] });
    await one.commit(id, { cseq: 2, packets: [] });
    await one.commit(id, { cseq: 2, packets: ['duplicate: not announced'] });
    await one.commit(id, { packets: ['push', 'more'] });
    await until('the commits to be heard', async () => heard.length >= 3);
    assert.deepEqual(heard, ['1:1=ack "1"', '2:', '2:2=push,3=more']);
    const data: unknown[] = [];
    const stopData = await two.watch(id, (change) => data.push(change.data));
    await one.commit(id, { packets: [], data: { seat: 3 } });
    await one.commit(id, { packets: ['no data'] });
    await one.commit(id, { packets: [], data: null });
    await until('the data changes to be heard', async () => data.length >= 3);
    assert.deepEqual(data, [{ seat: 3 }, undefined, null]);
    stopData();
    const rooms: unknown[] = [];
    const stopRooms = await two.watch(id, (change) => rooms.push({ joined: change.joined, left: change.left, byOne: change.origin === one.origin }));
    await one.join(id, 'red', { epoch: 'E', offset: 4 });
    await one.leave(id, 'red');
    await one.leave(id, 'red');
    await until('the room changes to be heard', async () => rooms.length >= 2);
    assert.deepEqual(rooms, [
      { joined: { room: 'red', position: { epoch: 'E', offset: 4 } }, left: undefined, byOne: true },
      { joined: undefined, left: 'red', byOne: true },
    ]);
    stopRooms();
    heard.length = 3; // the data and room changes were heard too: the rest of the test counts from before them
    stop();
    await one.commit(id, { cseq: 3, packets: ['after stop'] });
    const fence = await two.watch(id, () => heard.push('fence'));
    await one.commit(id, { cseq: 4, packets: [] });
    await until('the fence', async () => heard.includes('fence'));
    assert.deepEqual(heard, ['1:1=ack "1"', '2:', '2:2=push,3=more', 'fence'], 'nothing heard after stop');
    fence();
    await close();
  });

  test(`${name}: a session untouched for the resume window expires; touching or writing keeps it`, async () => {
    const { store, close } = await setup(300);
    const idle = newId();
    const kept = newId();
    await store.create({ id: idle, tokenHash: 'h', remoteAddress: 'a', createdAt: 1 });
    await store.create({ id: kept, tokenHash: 'h', remoteAddress: 'a', createdAt: 1 });
    await store.join(kept, 'red', { epoch: 'E', offset: 0 });
    await store.commit(kept, { packets: ['p1'] });
    let touches = 0;
    await until('the idle session to expire', async () => {
      assert.equal(await store.touch(kept, ++touches), true, 'the touched session expired');
      if (touches % 2 === 0) assert.equal((await store.commit(kept, { cseq: touches / 2, packets: [] })).ok, true);
      return (await store.load(idle)) === null;
    });
    assert.equal(await store.touch(idle, 2), false);
    assert.deepEqual(await store.commit(idle, { packets: ['late'] }), { ok: false, reason: 'missing' });
    const record = await store.load(kept);
    assert.deepEqual(record?.rooms, { red: { epoch: 'E', offset: 0 } }, 'its rooms are kept with it');
    assert.deepEqual((await store.since(kept, 0))?.map((packet) => packet.body), ['p1'], 'and its packets');
    await close();
  });

  test(`${name}: a removed session is gone for every node`, async () => {
    const { nodes: [one, two], close } = await setup(60_000, 2);
    const id = newId();
    await one.create({ id, tokenHash: 'h', remoteAddress: 'a', createdAt: 1 });
    await one.join(id, 'red', { epoch: 'E', offset: 3 });
    await one.commit(id, { cseq: 1, packets: ['p1'] });
    await two.remove(id);
    assert.equal(await one.load(id), null);
    assert.equal(await one.since(id, 0), null);
    assert.deepEqual(await one.commit(id, { cseq: 2, packets: [] }), { ok: false, reason: 'missing' });
    await one.join(id, 'blue', { epoch: 'E', offset: 0 });
    assert.equal(await one.load(id), null, 'a join after removal does not bring it back');
    await close();
  });
}
