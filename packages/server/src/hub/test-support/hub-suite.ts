import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BroadcastMessage, Hub } from '../hub.js';

/**
 * The behaviour every hub must have, run against each implementation (the in-process one here; a
 * distributed one later), after hono's one-interface-many-implementations suites.
 */
export function hubSuite(name: string, createHub: () => Hub | Promise<Hub>): void {
  async function setup() {
    const hub = await createHub();
    const deliveries: { message: BroadcastMessage; ids: string[] }[] = [];
    hub.bind((message, ids) => deliveries.push({ message, ids: [...ids].sort() }));
    for (const id of ['a', 'b', 'c', 'd']) hub.join(id, []);
    hub.join('a', ['red', 'blue']);
    hub.join('b', ['red']);
    hub.join('c', ['blue']);
    return { hub, deliveries };
  }
  const message = (name: string): BroadcastMessage => ({ name, data: null, options: {} });
  const none = { rooms: [], exceptRooms: [], exceptSessions: [] };

  test(`${name}: a broadcast to no room reaches every registered session`, async () => {
    const { hub, deliveries } = await setup();
    hub.broadcast(message('all'), none);
    assert.deepEqual(deliveries.at(-1)?.ids, ['a', 'b', 'c', 'd']);
    await hub.close();
  });

  test(`${name}: rooms, several rooms (each member once), except rooms, except the sender`, async () => {
    const { hub, deliveries } = await setup();
    hub.broadcast(message('red'), { ...none, rooms: ['red'] });
    hub.broadcast(message('both'), { ...none, rooms: ['red', 'blue'] });
    hub.broadcast(message('not-red'), { ...none, exceptRooms: ['red'] });
    hub.broadcast(message('red-but-a'), { ...none, rooms: ['red'], exceptSessions: ['a'] });
    assert.deepEqual(
      deliveries.map((d) => [d.message.name, d.ids]),
      [
        ['red', ['a', 'b']],
        ['both', ['a', 'b', 'c']],
        ['not-red', ['c', 'd']],
        ['red-but-a', ['b']],
      ],
    );
    await hub.close();
  });

  test(`${name}: leave, leaveAll and presence queries`, async () => {
    const { hub, deliveries } = await setup();
    assert.deepEqual((await hub.sessionsIn('red')).sort(), ['a', 'b']);
    hub.leave('b', 'red');
    assert.deepEqual(await hub.sessionsIn('red'), ['a']);
    hub.leaveAll('a');
    assert.deepEqual(await hub.sessionsIn('red'), []);
    assert.deepEqual([...(await hub.rooms())], [['blue', 1]]);
    hub.broadcast(message('all'), none);
    assert.deepEqual(deliveries.at(-1)?.ids, ['b', 'c', 'd'], 'a session that left everything is gone');
    await hub.close();
  });
}
