/**
 * Two nodes in one process sharing a MemorySessionStore and a MemoryBroker, as nodes share Redis:
 * any request of a session may go to either node.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBroker } from '../hub/memory-broker.js';
import { MemorySessionStore } from '../hub/memory-session-store.js';
import type { Session } from './session.js';
import { poll, send, sequenced, SseStream, startServer, type Harness } from '../transports/test-support/http-client.js';

const T = { timeout: 10_000 };
type TestContext = { after: (fn: () => void | Promise<void>) => void };

async function twoNodes(t: TestContext, options: { resumeWindow?: number; heartbeat?: number; storeData?: boolean } = {}) {
  const store = new MemorySessionStore({ ttlMs: options.resumeWindow ?? 120_000 });
  const limits = { resumeWindow: options.resumeWindow, heartbeat: options.heartbeat };
  const broker = new MemoryBroker();
  const handled: string[] = [];
  const connections: { node: string; resumed: boolean }[] = [];
  const node = async (name: string): Promise<Harness> => {
    const harness = await startServer(t, { store, broker, limits, storeData: options.storeData });
    harness.server.on('connection', (session: Session) => {
      connections.push({ node: name, resumed: session.resumed });
      session.join('red');
      if (!session.resumed) session.data.openedOn = name;
      session.on('echo', (payload: unknown, ack?: (reply: unknown) => void) => {
        handled.push(`${name} ${JSON.stringify(payload)} ${JSON.stringify(session.data)}`);
        session.data.echoes = ((session.data.echoes as number | undefined) ?? 0) + 1;
        ack?.(payload);
      });
    });
    return harness;
  };
  return { a: await node('a'), b: await node('b'), handled, connections, store };
}

async function until(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a session opened on one node is served by the other: its POST handled there once, the answer sent by the node that carries the client', T, async (t) => {
  const { a, b, handled, connections, store } = await twoNodes(t);
  const opened = await poll(a.base, { wait: 0 });
  const [, info] = opened.packets[0];
  assert.equal(info.resumed, false);
  const auth = { sid: info.sid as string, token: info.token as string };
  const record = await store.load(auth.sid);
  assert.ok(record, 'the session was recorded before its open packet went out');
  assert.notEqual(record.tokenHash, auth.token);

  // The client waits on a, and sends through b.
  const waiting = poll(a.base, { ...auth, seq: 0, wait: 1 });
  const sent = await send(b.base, auth, [['e', 1, 'echo', { n: 1 }, 7]]);
  assert.deepEqual(sent.packets, [['r', 1]]);
  assert.deepEqual(handled, ['b {"n":1} {}'], "without storeData, the app's data is each node's own");
  assert.deepEqual(connections, [
    { node: 'a', resumed: false },
    { node: 'b', resumed: true },
  ]);
  assert.deepEqual(sequenced((await waiting).packets), [['a', 1, 7, { n: 1 }]], "a sends the answer b committed");

  // The same event again, on either node: answered with the receipt, never handled twice.
  assert.deepEqual((await send(b.base, auth, [['e', 1, 'echo', { n: 1 }, 7]])).packets, [['r', 1]]);
  assert.deepEqual((await send(a.base, auth, [['e', 1, 'echo', { n: 1 }, 7]])).packets, [['r', 1]]);
  assert.deepEqual(handled, ['b {"n":1} {}']);

  // A token that is not the session's gets nothing on a node that does not hold it.
  assert.equal((await send(b.base, { sid: auth.sid, token: 'x'.repeat(32) }, [['e', 2, 'echo', 2]])).status, 403);
  assert.equal((await poll(b.base, { sid: auth.sid, token: 'x'.repeat(32), seq: 0, wait: 0 })).status, 403);
  assert.deepEqual(handled, ['b {"n":1} {}']);

  // A poll on b that did not receipt the answer gets it again there, after an open packet saying where it is.
  const resumed = await poll(b.base, { ...auth, seq: 0, wait: 0 });
  assert.equal(resumed.packets[0][0], 'o');
  assert.equal(resumed.packets[0][1].resumed, true);
  assert.equal(resumed.packets[0][1].cseq, 1);
  assert.deepEqual(sequenced(resumed.packets), [['a', 1, 7, { n: 1 }]]);
  // Receipted there, it is gone from the store.
  await poll(b.base, { ...auth, seq: 1, wait: 0 });
  assert.deepEqual(await store.since(auth.sid, 1), []);
  assert.equal(await store.since(auth.sid, 0), null);
});

test('a session that ends on one node is gone for every node: its id and token open a fresh session', T, async (t) => {
  const { a, b, store } = await twoNodes(t);
  const [, info] = (await poll(a.base, { wait: 0 })).packets[0];
  const auth = { sid: info.sid as string, token: info.token as string };
  await send(a.base, auth, [['c', 1000, 'bye']]);
  // A polling client hears of the close with its next request; then the session is gone.
  const closing = await poll(a.base, { ...auth, seq: 0, wait: 0 });
  assert.deepEqual(closing.packets.at(-1)?.slice(0, 2), ['c', 1000]);
  assert.equal(await store.load(auth.sid), null);
  const fresh = await poll(b.base, { ...auth, seq: 0, wait: 0 });
  assert.equal(fresh.packets[0][1].resumed, false);
  assert.notEqual(fresh.packets[0][1].sid, auth.sid);
});

test('a session carried by a node stays in the store past its resume window; one whose client left expires there and leaves presence', T, async (t) => {
  const { a, store } = await twoNodes(t, { resumeWindow: 400, heartbeat: 200 });
  const carried = await SseStream.open(`${a.base}/sse`, {}, t);
  const [, info] = await carried.packet('o');
  const [, left] = (await poll(a.base, { wait: 0 })).packets[0];
  assert.equal((await a.server.sessionsIn('red')).length, 2);
  // The polling client never comes back: its carrier goes, then its record, then its presence. The
  // SSE client stays (it says so by POST, as the browser client answers heartbeats).
  await until(
    'the polling session to leave presence',
    async () => {
      await send(a.base, { sid: info.sid, token: info.token }, [['h', Date.now()]]);
      return (await a.server.sessionsIn('red')).length === 1;
    },
    6000,
  );
  assert.equal(await store.load(left.sid), null);
  assert.deepEqual(await a.server.sessionsIn('red'), [info.sid]);
  assert.ok(await store.load(info.sid), 'the session its node carries is kept alive in the store');
  carried.close();
});

test("with storeData the app's data goes with the session: set on one node, seen and changed on the other", T, async (t) => {
  const { a, b, handled, store } = await twoNodes(t, { storeData: true });
  const [, info] = (await poll(a.base, { wait: 0 })).packets[0];
  const auth = { sid: info.sid as string, token: info.token as string };
  await until('the data set by connection on a to be stored', async () => (await store.load(auth.sid))?.data?.openedOn === 'a');
  await send(b.base, auth, [['e', 1, 'echo', 1, 1]]);
  await send(a.base, auth, [['e', 2, 'echo', 2, 2]]);
  assert.deepEqual(handled, ['b 1 {"openedOn":"a"}', 'a 2 {"openedOn":"a","echoes":1}']);
  assert.deepEqual((await store.load(auth.sid))?.data, { openedOn: 'a', echoes: 2 });
});

test('a client too far from where the session is gets a fresh session, recorded in the store, on the node that holds it and on one that does not', T, async (t) => {
  const { a, b, store } = await twoNodes(t);
  for (const node of [a, b]) {
    const [, info] = (await poll(a.base, { wait: 0 })).packets[0];
    // The client claims a packet the session never sent.
    const answer = await poll(node.base, { sid: info.sid, token: info.token, seq: 99, wait: 0 });
    assert.equal(answer.status, 200);
    const [type, fresh] = answer.packets[0];
    assert.equal(type, 'o');
    assert.equal(fresh.resumed, false);
    assert.notEqual(fresh.sid, info.sid);
    assert.ok(await store.load(fresh.sid), 'the fresh session is in the store');
    // Where it was held, the old session is ended (elsewhere it is left to expire).
    if (node === a) assert.equal(await store.load(info.sid), null);
  }
});
