/**
 * The server keeps presence current: a session's rooms joined and left, and its end. Two servers on
 * one presence store stand for two nodes: each answers `sessionsIn` with the other's members too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryPresence, MemoryPresenceStore } from './hub/memory-presence.js';
import type { PresenceChange } from './hub/presence.js';
import type { Session } from './session/session.js';
import { SseDriver } from './transports/test-support/drivers.js';
import { startServer } from './transports/test-support/http-client.js';
import { until } from './websocket/test-support/wait.js';

test('rooms joined and left, and the session ending, keep presence current on every node', { timeout: 20_000 }, async (t) => {
  const store = new MemoryPresenceStore();
  const presenceA = new MemoryPresence({ store, nodeId: 'a' });
  const presenceB = new MemoryPresence({ store, nodeId: 'b' });
  t.after(() => Promise.all([presenceA.close(), presenceB.close()]));
  const { server: a, base: baseA } = await startServer(t, { presence: presenceA });
  const { server: b, base: baseB } = await startServer(t, { presence: presenceB });
  assert.equal(a.presence, presenceA);
  const changes: string[] = [];
  presenceA.onChange((change: PresenceChange) => changes.push(`${change.type} ${change.room} ${change.member.nodeId}`));

  const sessions: Session[] = [];
  for (const server of [a, b]) {
    server.on('connection', (session: Session) => {
      session.join('lobby', `own:${session.id}`);
      sessions.push(session);
    });
  }
  const clients = [new SseDriver(baseA), new SseDriver(baseB)];
  t.after(() => clients.forEach((client) => client.stop()));
  // One after the other, so the first session is A's.
  for (const client of clients) await client.open();
  await until(() => sessions.length === 2, 2000, 'both sessions');
  const [onA, onB] = sessions;

  assert.deepEqual((await a.sessionsIn('lobby')).sort(), [onA.id, onB.id].sort());
  assert.deepEqual(await b.sessionsIn(`own:${onA.id}`), [onA.id]);
  await a.presence.update('lobby', onA.id, { nickname: 'Ada' });
  assert.deepEqual((await b.presence.members('lobby')).get(onA.id), { sessionId: onA.id, info: { nickname: 'Ada' }, nodeId: 'a' });

  onB.leave('lobby');
  assert.deepEqual(await a.sessionsIn('lobby'), [onA.id]);
  assert.deepEqual(await presenceB.roomsOf(onB.id), [`own:${onB.id}`]);

  onA.disconnect();
  assert.deepEqual(await a.sessionsIn('lobby'), []);
  assert.deepEqual(await presenceA.roomsOf(onA.id), [], 'an ended session is in no room');
  assert.deepEqual(changes, ['joined lobby a', `joined own:${onA.id} a`, 'joined lobby b', `joined own:${onB.id} b`, 'updated lobby a', 'left lobby b', 'left lobby a', `left own:${onA.id} a`]);
});

test('a server with no presence given keeps its own in memory, and closes it', { timeout: 10_000 }, async (t) => {
  const { server, base } = await startServer(t);
  assert.ok(server.presence instanceof MemoryPresence);
  let session: Session | undefined;
  server.on('connection', (s: Session) => {
    s.join('room');
    session = s;
  });
  const client = new SseDriver(base);
  t.after(() => client.stop());
  await client.open();
  await until(() => session !== undefined, 2000, 'the session');
  assert.deepEqual(await server.sessionsIn('room'), [session!.id]);
  await server.close({ timeout: 100 });
  assert.deepEqual(Object.fromEntries(await server.presence.sizes()), {});
});
