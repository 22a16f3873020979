import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryPresence, MemoryPresenceStore } from './memory-presence.js';
import { presenceSuite } from './test-support/presence-suite.js';

presenceSuite('MemoryPresence', () => {
  const store = new MemoryPresenceStore();
  return { node: (options) => new MemoryPresence({ ...options, store, timers: false }) };
});

test('MemoryPresence: a listener that throws does not keep the change from the others, and the caller hears of it', async () => {
  const presence = new MemoryPresence({ timers: false });
  const heard: string[] = [];
  presence.onChange(() => {
    throw new Error('app bug');
  });
  presence.onChange((change) => heard.push(`${change.type} ${change.member.sessionId}`));
  await assert.rejects(presence.add('red', 'a'), /app bug/);
  assert.deepEqual(heard, ['joined a']);
  assert.equal((await presence.members('red')).size, 1, 'the member was added all the same');
  await presence.close();
});

test('MemoryPresence: its own timer refreshes it and sweeps dead nodes', async () => {
  const store = new MemoryPresenceStore();
  const alive = new MemoryPresence({ store, ttlMs: 60 });
  const dead = new MemoryPresence({ store, ttlMs: 60, timers: false });
  await alive.add('red', 'a');
  await dead.add('red', 'b');
  const deadline = Date.now() + 2000;
  while ((await alive.members('red')).has('b') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual([...(await alive.members('red')).keys()], ['a']);
  await alive.close();
  await dead.close();
});
