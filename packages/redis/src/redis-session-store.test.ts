import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import { sessionStoreSuite } from 'baro/test-support/session-store-suite';
import { startRedis, type RedisServer } from '@baro/testing';
import { RedisSessionStore } from './redis-session-store.js';

let redis: RedisServer;
before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis.stop();
});

// Each cluster is its own key prefix on the one redis-server; its nodes are separate stores (own connections).
let run = 0;
sessionStoreSuite('RedisSessionStore', ({ ttlMs }) => {
  const prefix = `suite${++run}:`;
  return { node: () => new RedisSessionStore({ url: redis.url, prefix, ttlMs }) };
});

test('RedisSessionStore: one hash tag per session (one Cluster slot), every key expiring within the resume window', async () => {
  const prefix = `tags${++run}:`;
  const store = new RedisSessionStore({ url: redis.url, prefix, ttlMs: 30_000 });
  const inspector = createClient({ url: redis.url });
  await inspector.connect();
  try {
    await store.create({ id: 'abc', tokenHash: 'h', remoteAddress: 'a', createdAt: 1 });
    await store.join('abc', 'red', { epoch: 'E', offset: 0 });
    await store.commit('abc', { cseq: 1, packets: ['p1'] });
    const keys = (await inspector.keys(`${prefix}*`)).sort();
    assert.deepEqual(keys, [`${prefix}{s:abc}:out`, `${prefix}{s:abc}:rec`, `${prefix}{s:abc}:rooms`]);
    for (const key of keys) {
      const ttl = await inspector.pTTL(key);
      assert.ok(ttl > 0 && ttl <= 30_000, `${key} expires in ${ttl} ms`);
    }
    assert.equal(JSON.stringify(await inspector.hGetAll(`${prefix}{s:abc}:rec`)).includes('secret'), false);
  } finally {
    await inspector.close();
    await store.close();
  }
});
