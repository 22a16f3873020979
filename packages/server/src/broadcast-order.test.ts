/**
 * A broadcast is written to its members one after another; who comes first must not be the same
 * member every time (a quiz ranks by arrival), while each member still gets every event in order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from './session/session.js';
import { coreOf } from './session/session.js';
import { SseDriver } from './transports/test-support/drivers.js';
import { startServer } from './transports/test-support/http-client.js';
import { until } from './websocket/test-support/wait.js';

const MEMBERS = 8;
const BROADCASTS = 12;

test('each broadcast starts at a random member; every member gets every broadcast, in order', { timeout: 20_000 }, async (t) => {
  const { server, base } = await startServer(t);
  const sessions: Session[] = [];
  server.on('connection', (session: Session) => {
    session.join('room');
    sessions.push(session);
  });
  const clients = Array.from({ length: MEMBERS }, () => new SseDriver(base));
  t.after(() => clients.forEach((client) => client.stop()));
  await Promise.all(clients.map((client) => client.open()));
  await until(() => sessions.length === MEMBERS, 2000, 'every session');

  // Each session's writes happen in its flush, queued in the order the broadcast reached it.
  const flushes: string[] = [];
  for (const session of sessions) {
    const core = coreOf(session);
    const flush = core.flush.bind(core);
    core.flush = () => {
      flushes.push(session.id);
      flush();
    };
  }
  const firsts: string[] = [];
  for (let n = 0; n < BROADCASTS; n++) {
    flushes.length = 0;
    server.to('room').emit('tick', { n });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(new Set(flushes).size, MEMBERS, `broadcast ${n} reached every member once`);
    firsts.push(flushes[0]);
  }
  // With a fixed order one member would be first 12 times out of 12; at random, that happens with
  // probability 8 × (1/8)^12, about 1 in 8.6 billion.
  assert.ok(new Set(firsts).size > 1, `the same member was first every time: ${firsts.join(', ')}`);

  await Promise.all(clients.map((client) => client.until((c) => c.events('tick').length === BROADCASTS, `${BROADCASTS} ticks`)));
  for (const client of clients) {
    assert.deepEqual(
      client.events('tick'),
      Array.from({ length: BROADCASTS }, (_, n) => ({ n })),
    );
  }
});
