/**
 * Issue 11: presence and room sizes across nodes. Two BaroServers, each with its own RedisBroker,
 * RedisPresence and RedisSessionStore on one real redis-server: either node answers who is in a
 * room, whichever node the members came through, and a member that leaves or ends is gone from
 * both. (A node SIGKILLed for real: packages/redis/src/redis-presence-nodes.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '@baro/client';
import { BaroServer, WebSocket } from 'baro';
import { RedisBroker, RedisPresence, RedisSessionStore } from '@baro/redis';
import { startRedis } from '@baro/testing';
import { waitFor } from './support/wait.js';

test('presence across two nodes on Redis: room members and sizes agree on both, joins, leaves and ended sessions included', { timeout: 60_000 }, async (t) => {
  // after-hooks run in the order they were added: these run last in, first out.
  const cleanups: (() => unknown)[] = [];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const redis = await startRedis();
  cleanups.push(() => redis.stop());

  const node = async () => {
    const hub = { broker: new RedisBroker({ url: redis.url }), presence: new RedisPresence({ url: redis.url }), store: new RedisSessionStore({ url: redis.url }) };
    const server = new BaroServer({ port: 0, host: '127.0.0.1', ...hub });
    server.on('connection', (session) => {
      session.on('join', (room: string, ack?: (reply: unknown) => void) => {
        session.join(room);
        ack?.(session.id);
      });
      session.on('leave', (room: string, ack?: (reply: unknown) => void) => {
        session.leave(room);
        ack?.(true);
      });
    });
    await server.ready;
    cleanups.push(async () => {
      await server.close();
      await Promise.allSettled([hub.broker.close(), hub.presence.close(), hub.store.close()]);
    });
    return { server, url: `http://127.0.0.1:${server.address().port}` };
  };
  const [one, two] = [await node(), await node()];
  const client = (url: string, transport: 'websocket' | 'long-polling') => {
    const c = connect(url, { WebSocket, transports: [transport] });
    cleanups.push(() => c.close());
    return c;
  };
  const ana = client(one.url, 'websocket');
  const bo = client(two.url, 'long-polling');
  const cy = client(two.url, 'websocket');
  const ids = {
    ana: (await ana.emitWithAck('join', 'lobby')) as string,
    bo: (await bo.emitWithAck('join', 'lobby')) as string,
    cy: (await cy.emitWithAck('join', 'stage')) as string,
  };
  await cy.emitWithAck('join', 'lobby');

  const agree = async (room: string, expected: string[], what: string) => {
    const want = [...expected].sort();
    let seen: string[][] = [];
    await waitFor(
      async () => {
        seen = (await Promise.all([one.server.sessionsIn(room), two.server.sessionsIn(room)])).map((ids) => ids.sort());
        return seen.every((ids) => JSON.stringify(ids) === JSON.stringify(want));
      },
      what,
      { timeout: 5000, every: 20, detail: () => seen },
    );
  };
  await agree('lobby', [ids.ana, ids.bo, ids.cy], 'lobby: three members, on both nodes');
  await agree('stage', [ids.cy], 'stage: one member, on both nodes');
  assert.equal((await one.server.sessionsIn('lobby')).length, 3);

  await bo.emitWithAck('leave', 'lobby');
  await agree('lobby', [ids.ana, ids.cy], 'a member that left the room is gone from it on both nodes');
  ana.close();
  await agree('lobby', [ids.cy], 'a session that ended is gone from its rooms on both nodes');
  await agree('stage', [ids.cy], 'the other room is untouched');
});
