/** A node killed for real (SIGKILL of its process): its sessions leave within the stated time. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { PresenceChange } from 'baro';
import { startRedis, type RedisServer } from '@baro/testing';
import { RedisPresence } from './redis-presence.js';

const NODE_SCRIPT = fileURLToPath(new URL('./test-support/presence-node.js', import.meta.url));
const TTL_MS = 600;

let redis: RedisServer;
before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis.stop();
});

test('RedisPresence: a SIGKILLed node\'s sessions leave within ttl * 4/3 of its last refresh, announced on the other nodes', async () => {
  const prefix = 'killed:';
  const alive = new RedisPresence({ url: redis.url, prefix, nodeId: 'alive', ttlMs: TTL_MS });
  const changes: PresenceChange[] = [];
  const stop = alive.onChange((change) => changes.push(change));
  await alive.add('red', 'a');
  const child = spawn(process.execPath, [NODE_SCRIPT, redis.url, prefix, 'doomed', String(TTL_MS), 'red', 'b'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [line] = (await Promise.race([once(child.stdout!, 'data'), new Promise((_, reject) => setTimeout(() => reject(new Error('the node did not start')), 5000))])) as [Buffer];
    assert.equal(line.toString().trim(), 'ready');
    assert.deepEqual([...(await alive.members('red')).keys()].sort(), ['a', 'b']);
    assert.equal((await alive.members('red')).get('b')?.nodeId, 'doomed');
    // Let it refresh a few times on its own: it must stay while alive.
    await new Promise((resolve) => setTimeout(resolve, TTL_MS * 2));
    assert.ok((await alive.members('red')).has('b'), 'a refreshing node keeps its sessions');
  } finally {
    child.kill('SIGKILL');
  }
  await once(child, 'exit');
  const killed = Date.now();
  // Its last refresh was at most ttl/3 before the kill; the sweep on `alive` runs every ttl/3.
  const bound = Math.ceil((TTL_MS * 4) / 3) + 400;
  while (!changes.some((change) => change.type === 'left' && change.member.sessionId === 'b')) {
    assert.ok(Date.now() - killed < bound, `b left within ${bound} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.deepEqual([...(await alive.members('red')).keys()], ['a']);
  assert.deepEqual(await alive.roomsOf('b'), []);
  stop();
  await alive.close();
});
