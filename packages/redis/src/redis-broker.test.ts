import { after, before } from 'node:test';
import { brokerSuite } from 'baro/test-support/broker-suite';
import { startRedis, type RedisServer } from '@baro/testing';
import { RedisBroker } from './redis-broker.js';

let redis: RedisServer;
before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis.stop();
});

// Every broker gets its own key prefix: tests share one redis-server and start from empty channels.
let run = 0;
brokerSuite('RedisBroker', ({ limits, now }) => new RedisBroker({ url: redis.url, prefix: `suite${++run}:`, limits, now }));
