/**
 * Streams with positions over a real server and real HTTP clients: a client away while its rooms
 * are broadcast to is replayed exactly what was for it (exclusions judged, volatile left out), in
 * emission order with its own events; a client whose position the history no longer reaches
 * resyncs, never silently misses anything.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '../websocket/test-support/wait.js';
import type { Session } from '../session/session.js';
import type { BaroServerOptions } from '../baro-server.js';
import { startServer } from '../transports/test-support/http-client.js';
import { SseDriver } from '../transports/test-support/drivers.js';

const T = { timeout: 15_000 };

async function setup(t: { after: (fn: () => Promise<void> | void) => void }, options: BaroServerOptions = {}) {
  const harness = await startServer(t, options);
  const sessions: Session[] = [];
  harness.server.on('connection', (session: Session) => {
    sessions.push(session);
    session.join('quiz');
  });
  const client = new SseDriver(harness.base);
  t.after(() => client.stop());
  await client.open();
  await until(() => sessions.length === 1, 2000, 'the session');
  await client.until((c) => c.positions.get('quiz') !== undefined, 'the position in "quiz" from the open packet');
  return { ...harness, client, session: sessions[0] };
}

const FENCE = 'fence';
const messages = (client: SseDriver): unknown[][] =>
  client.received.flatMap((packet) => (packet[0] === 'e' && packet[2] !== FENCE ? [['e', packet[3]]] : packet[0] === 'm' ? [[packet[1], packet[4]]] : []));

/**
 * Proves nothing more of the replay is on its way, without sleeping: an event emitted now comes
 * after everything the session was replayed, so once it arrives, the rest has.
 */
async function fence(client: SseDriver, session: Session): Promise<void> {
  const seen = client.events(FENCE).length;
  session.emit(FENCE, seen);
  await client.until((c) => c.events(FENCE).length > seen, 'the fence after the replay');
}

describe('streams with positions', () => {
  test('an away client is replayed its rooms since its position, merged with its own events in emission order', T, async (t) => {
    const { client, session, server } = await setup(t);
    server.to('quiz').emit('q', 1);
    await client.until((c) => c.events('q').length === 1, 'the first broadcast');
    await client.drop();
    await until(() => !session.connected, 2000, 'the server to see the carrier gone');
    server.to('quiz').emit('q', 2);
    session.emit('own', 3);
    server.emit('q', 4);
    server.to('quiz').emit('q', 5);
    assert.equal(server.stats().queuedBytes < 1000, true, 'broadcasts for an away session wait in history, not in its queue');
    await client.resume();
    await client.until((c) => c.events('q').length === 4, 'the replay');
    await fence(client, session);
    assert.deepEqual(messages(client), [
      ['quiz', 1],
      ['quiz', 2],
      ['e', 3],
      ['', 4],
      ['quiz', 5],
    ]);
    assert.equal(client.duplicates, 0);
    assert.equal(client.opens.at(-1)![1].resumed, true);
  });

  test('exclusions hold on replay: except(room), exceptSession, and rooms the session is not in', T, async (t) => {
    const { client, session, server } = await setup(t);
    session.join('red');
    await client.drop();
    await until(() => !session.connected, 2000, 'the server to see the carrier gone');
    server.to('quiz').except('red').emit('q', 'not for red');
    server.to('quiz').exceptSession(session.id).emit('q', 'not for this session');
    server.to('blue', 'green').emit('q', 'not for quiz members');
    server.except('red').emit('q', 'not for red either');
    server.to('quiz', 'red').emit('q', 'once, although in both rooms');
    server.to('quiz').emit('q', 'last');
    await client.resume();
    await client.until((c) => c.events('q').includes('last'), 'the replay');
    await fence(client, session);
    assert.deepEqual(client.events('q'), ['once, although in both rooms', 'last']);
  });

  test('volatile broadcasts are not replayed (and not kept in history)', T, async (t) => {
    const { client, session, server } = await setup(t);
    await client.drop();
    await until(() => !session.connected, 2000, 'the server to see the carrier gone');
    const before = server.stats().historyEntries;
    server.to('quiz').emit('q', 'volatile', { volatile: true });
    server.to('quiz').emit('q', 'kept');
    assert.equal(server.stats().historyEntries, before + 1);
    await client.resume();
    await client.until((c) => c.events('q').includes('kept'), 'the replay');
    await fence(client, session);
    assert.deepEqual(client.events('q'), ['kept']);
  });

  test('a position the room history no longer reaches means a resync, never silence', T, async (t) => {
    const { client, session, server } = await setup(t, { history: { count: 3 } });
    server.to('quiz').emit('q', 0);
    await client.until((c) => c.events('q').length === 1, 'the first broadcast');
    await client.drop();
    await until(() => !session.connected, 2000, 'the server to see the carrier gone');
    for (let i = 1; i <= 5; i++) server.to('quiz').emit('q', i);
    await client.resume();
    const open = client.opens.at(-1)!;
    assert.equal(open[1].resumed, false, 'the client is told to resync');
    assert.notEqual(open[1].sid, session.id);
    assert.equal(session.ended, true);
    assert.deepEqual(client.events('q'), [0], 'nothing from the broken stream was handed over as if complete');
  });
});
