/**
 * What one process cannot show: two brokers (two nodes) on one redis-server, and Redis going away
 * or restarting under them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BrokerEntry, StreamPosition } from 'baro';
import { startRedis, type RedisServer } from '@baro/testing';
import { RedisBroker } from './redis-broker.js';

const entry = (n: number): BrokerEntry => ({ name: 'n', data: n, size: 10 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 50 ms until it holds, for at most `ms`. */
async function eventually(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`);
    await sleep(50);
  }
}

let redis: RedisServer;
before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis.stop();
});

describe('RedisBroker across nodes', () => {
  test('a publish on one node reaches subscribers on another, in order, with the same positions and history', async () => {
    const [one, two] = [new RedisBroker({ url: redis.url, prefix: 'nodes:' }), new RedisBroker({ url: redis.url, prefix: 'nodes:' })];
    const heard: [number, unknown][] = [];
    const stop = two.subscribe('room', (position, e) => heard.push([position.offset, e.data]));
    // The subscription is on its way once a publish from its own node went through.
    const start = await two.head('room');
    assert.deepEqual(await one.head('room'), start, 'both nodes see one head');
    await two.publish('room', entry(0));
    for (let i = 1; i <= 20; i++) await one.publish('room', entry(i));
    await eventually(() => heard.length === 21, 2000, 'all 21 heard on the other node');
    assert.deepEqual(heard, Array.from({ length: 21 }, (_, i) => [start.offset + i + 1, i]));
    const history = await two.history('room', start);
    assert.ok(history.ok);
    assert.deepEqual(history.entries.map((e) => e.entry.data), Array.from({ length: 21 }, (_, i) => i));
    stop();
    await Promise.all([one.close(), two.close()]);
  });

  test('Redis restarted: both nodes reconnect by themselves, and the channel is in a new epoch', async () => {
    const errors: Error[] = [];
    const options = { url: redis.url, prefix: 'restart:', onError: (error: Error) => errors.push(error) };
    const [publisher, subscriber] = [new RedisBroker(options), new RedisBroker(options)];
    const heard: StreamPosition[] = [];
    const stop = subscriber.subscribe('room', (position) => heard.push(position));
    await subscriber.publish('room', entry(0));
    const before = await publisher.publish('room', entry(1));
    await eventually(() => heard.length === 2, 2000, 'heard before the restart');

    await redis.restart();
    // Until they are back, publishing fails at once (never hangs, never lands in a stale epoch).
    let after: StreamPosition | null = null;
    await eventually(
      async () => {
        after = await publisher.publish('room', entry(2)).catch(() => null);
        return after !== null && heard.some((position) => position.epoch === after!.epoch);
      },
      5000,
      'a publish after the restart heard on the other node',
    );
    assert.ok(errors.length > 0, 'the outage was reported');
    assert.notEqual(after!.epoch, before.epoch, 'a restart is a new epoch');
    assert.deepEqual(await subscriber.history('room', before), { ok: false, reason: 'epoch' });
    assert.deepEqual(await subscriber.history('room', { epoch: before.epoch, offset: 0 }), { ok: false, reason: 'epoch' });
    const now = await subscriber.history('room', { epoch: after!.epoch, offset: 0 });
    assert.ok(now.ok && now.entries.length >= 1);
    stop();
    await Promise.all([publisher.close(), subscriber.close()]);
  });

  test('closing while Redis is away ends promptly, subscription changes still queued for it or not', async () => {
    const broker = new RedisBroker({ url: redis.url, prefix: 'closing:' });
    const stop = broker.subscribe('room', () => {});
    await broker.publish('room', entry(1));
    await redis.kill();
    stop(); // an unsubscribe that waits for a connection that will not come
    const started = Date.now();
    await broker.close();
    assert.ok(Date.now() - started < 3000, `close took ${Date.now() - started} ms`);
    await redis.restart();
  });

  test('Redis unreachable: calls fail promptly with an error, and work again once Redis is back', async () => {
    const broker = new RedisBroker({ url: redis.url, prefix: 'down:' });
    await broker.publish('room', entry(1));
    await redis.kill();
    const started = Date.now();
    await assert.rejects(broker.publish('room', entry(2)));
    assert.ok(Date.now() - started < 2000, 'no waiting for Redis to come back');
    // A node started while Redis is away waits for its first connection, bounded, then says why.
    const late = new RedisBroker({ url: redis.url, prefix: 'down:', connectTimeout: 300 });
    await assert.rejects(late.head('room'), /not reachable within 300 ms/);
    await late.close();
    await redis.restart();
    await eventually(async () => (await broker.publish('room', entry(3)).catch(() => null)) !== null, 5000, 'publishing again');
    await broker.close();
  });
});
