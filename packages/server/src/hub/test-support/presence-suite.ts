import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Presence, PresenceChange } from '../presence.js';

export interface PresenceNodeOptions {
  nodeId: string;
  ttlMs: number;
  /** The clock expiry is judged by. */
  now: () => number;
}

/** Nodes made by one cluster share one store (one Redis database, one in-memory store). */
export interface PresenceCluster {
  node(options: PresenceNodeOptions): Presence | Promise<Presence>;
  close?(): Promise<void>;
}

/** Changes may arrive after the call that made them (a network store): wait for them, bounded. */
async function until(what: string, done: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const describe = (change: PresenceChange): string => `${change.type} ${change.room} ${change.member.sessionId} ${JSON.stringify(change.member.info)}`;

/**
 * What every presence must do, run against each implementation (in memory here, Redis next),
 * after centrifuge's presence managers sharing one test factory.
 */
export function presenceSuite(name: string, createCluster: () => PresenceCluster | Promise<PresenceCluster>): void {
  async function setup(nodeIds: string[] = ['one']) {
    const cluster = await createCluster();
    let clock = 1_000_000;
    const now = () => clock;
    const nodes: Presence[] = [];
    for (const nodeId of nodeIds) nodes.push(await cluster.node({ nodeId, ttlMs: 1000, now }));
    const changes: string[] = [];
    const stop = nodes[0].onChange((change) => changes.push(describe(change)));
    const advance = (ms: number) => (clock += ms);
    const close = async () => {
      stop();
      for (const node of nodes) await node.close();
      await cluster.close?.();
    };
    return { nodes, changes, advance, close };
  }

  test(`${name}: members of a room with their info, room sizes, rooms of a session`, async () => {
    const { nodes: [presence], close } = await setup();
    await presence.add('red', 'a', { seat: 1, nickname: 'Ada' });
    await presence.add('red', 'b');
    await presence.add('blue', 'a', { seat: 1 });
    const red = await presence.members('red');
    assert.deepEqual([...red.keys()].sort(), ['a', 'b']);
    assert.deepEqual(red.get('a'), { sessionId: 'a', info: { seat: 1, nickname: 'Ada' }, nodeId: 'one' });
    assert.deepEqual(red.get('b')?.info, {});
    assert.deepEqual(Object.fromEntries(await presence.sizes()), { red: 2, blue: 1 });
    assert.deepEqual((await presence.roomsOf('a')).sort(), ['blue', 'red']);
    assert.deepEqual(await presence.roomsOf('nobody'), []);
    assert.equal((await presence.members('empty')).size, 0);
    await close();
  });

  test(`${name}: joined once, updated only when the info changes, left once`, async () => {
    const { nodes: [presence], changes, close } = await setup();
    await presence.add('red', 'a', { seat: 1 });
    await presence.add('red', 'a', { seat: 1 });
    await presence.update('red', 'a', { seat: 2 });
    await presence.update('red', 'stranger', { seat: 3 });
    await presence.remove('red', 'a');
    await presence.remove('red', 'a');
    await until('the changes', () => changes.length >= 3);
    assert.deepEqual(changes, ['joined red a {"seat":1}', 'updated red a {"seat":2}', 'left red a {"seat":2}']);
    assert.equal((await presence.members('red')).has('stranger'), false);
    assert.equal((await presence.sizes()).has('red'), false, 'an empty room is not listed');
    await close();
  });

  test(`${name}: a session that ends leaves every room it was in`, async () => {
    const { nodes: [presence], changes, close } = await setup();
    await presence.add('red', 'a');
    await presence.add('blue', 'a');
    await presence.add('blue', 'b');
    await presence.removeSession('a');
    assert.deepEqual(await presence.roomsOf('a'), []);
    assert.deepEqual(Object.fromEntries(await presence.sizes()), { blue: 1 });
    await until('the leaves', () => changes.filter((c) => c.startsWith('left')).length === 2);
    assert.deepEqual(changes.filter((c) => c.startsWith('left')).sort(), ['left blue a {}', 'left red a {}']);
    await close();
  });

  test(`${name}: every node sees the members and changes of the others; unsubscribing stops them`, async () => {
    const { nodes: [one, two], changes, close } = await setup(['one', 'two']);
    await two.add('red', 'b', { seat: 7 });
    assert.deepEqual((await one.members('red')).get('b'), { sessionId: 'b', info: { seat: 7 }, nodeId: 'two' });
    await until('the join on the other node', () => changes.length === 1);
    assert.deepEqual(changes, ['joined red b {"seat":7}']);
    const heardByTwo: string[] = [];
    const stop = two.onChange((change) => heardByTwo.push(describe(change)));
    await one.add('red', 'a');
    await until('the join heard by two', () => heardByTwo.length === 1);
    stop();
    await one.remove('red', 'a');
    await until('the leave heard by one', () => changes.length === 3);
    assert.deepEqual(heardByTwo, ['joined red a {}']);
    await close();
  });

  test(`${name}: a node that stops refreshing leaves after the ttl; one that refreshes stays`, async () => {
    const { nodes: [alive, dead], changes, advance, close } = await setup(['alive', 'dead']);
    await alive.add('red', 'a');
    await dead.add('red', 'b');
    await dead.add('blue', 'b');
    advance(600);
    await alive.refresh();
    await alive.sweep();
    assert.equal((await alive.members('red')).size, 2, 'nothing expires before the ttl');
    advance(600);
    await alive.refresh();
    await alive.sweep();
    assert.deepEqual([...(await alive.members('red')).keys()], ['a']);
    assert.deepEqual(await alive.roomsOf('b'), []);
    await until('the dead node\'s leaves', () => changes.filter((c) => c.startsWith('left')).length === 2);
    assert.deepEqual(changes.filter((c) => c.startsWith('left')).sort(), ['left blue b {}', 'left red b {}']);
    await close();
  });

  test(`${name}: a session claimed by another node (it resumed there) stays when its first node dies, info and all`, async () => {
    const { nodes: [first, second], changes, advance, close } = await setup(['first', 'second']);
    await first.add('red', 'a', { seat: 1 });
    await first.add('blue', 'a', { seat: 2 });
    await first.add('red', 'b');
    await until('the joins', () => changes.length === 3);
    await second.claim!('a');
    await second.claim!('nobody');
    assert.deepEqual((await first.members('red')).get('a'), { sessionId: 'a', info: { seat: 1 }, nodeId: 'second' });
    assert.deepEqual((await first.members('blue')).get('a'), { sessionId: 'a', info: { seat: 2 }, nodeId: 'second' });
    advance(1200);
    await second.refresh();
    await second.sweep();
    assert.deepEqual([...(await second.members('red')).keys()], ['a'], "the first node's own member left; the claimed one stayed");
    await until("b's leave", () => changes.length === 4);
    assert.deepEqual(changes, ['joined red a {"seat":1}', 'joined blue a {"seat":2}', 'joined red b {}', 'left red b {}'], 'a claim announces nothing');
    await close();
  });

  test(`${name}: closing a node removes its own members only`, async () => {
    const { nodes: [one, two], close } = await setup(['one', 'two']);
    await one.add('red', 'a');
    await two.add('red', 'b');
    await two.close();
    assert.deepEqual([...(await one.members('red')).keys()], ['a']);
    await close();
  });
}
