import { after, before } from 'node:test';
import { presenceSuite } from 'baro/test-support/presence-suite';
import { startRedis, type RedisServer } from '@baro/testing';
import { RedisPresence } from './redis-presence.js';

let redis: RedisServer;
before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis.stop();
});

// Each cluster is its own key prefix on the one redis-server: tests start from an empty store.
let run = 0;
presenceSuite('RedisPresence', () => {
  const prefix = `suite${++run}:`;
  return { node: ({ nodeId, ttlMs, now }) => new RedisPresence({ url: redis.url, prefix, nodeId, ttlMs, now, timers: false }) };
});
