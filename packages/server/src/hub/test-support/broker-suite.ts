/**
 * What every broker must do, run against each implementation (the in-memory one here; a Redis one
 * must pass it unchanged): positions that grow, history after a position, a gap (never a partial
 * answer) once the history no longer reaches it by count, bytes or age, epochs, subscriptions.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Broker, BrokerEntry, HistoryLimits, StreamPosition } from '../broker.js';

export interface BrokerFactoryOptions {
  limits: HistoryLimits;
  /** The broker's clock, for the age bound. */
  now: () => number;
}

const entry = (n: number, extra: Partial<BrokerEntry> = {}): BrokerEntry => ({ name: 'n', data: n, size: 10, ...extra });
const LIMITS: HistoryLimits = { count: 5, bytes: 1000, age: 60_000 };

export function brokerSuite(name: string, make: (options: BrokerFactoryOptions) => Broker | Promise<Broker>): void {
  describe(`${name}: the shared broker suite`, () => {
    const setup = async (limits: Partial<HistoryLimits> = {}) => {
      let time = 1_000_000;
      const broker = await make({ limits: { ...LIMITS, ...limits }, now: () => time });
      return { broker, advance: (ms: number) => (time += ms) };
    };

    test('positions grow by one per publish, per channel, within one epoch', async () => {
      const { broker } = await setup();
      const unsubscribe = [broker.subscribe('a', () => {}), broker.subscribe('b', () => {})];
      const head = await broker.head('a');
      assert.equal(head.offset, 0);
      const positions: StreamPosition[] = [];
      for (let i = 1; i <= 3; i++) positions.push(await broker.publish('a', entry(i)));
      assert.deepEqual(positions.map((p) => p.offset), [1, 2, 3]);
      assert.ok(positions.every((p) => p.epoch === head.epoch));
      assert.deepEqual(await broker.publish('b', entry(1)), { epoch: (await broker.head('b')).epoch, offset: 1 });
      assert.deepEqual(await broker.head('a'), positions[2]);
      unsubscribe.forEach((stop) => stop());
      await broker.close();
    });

    test('history after a position: the later entries, in order, as published', async () => {
      const { broker } = await setup();
      const stop = broker.subscribe('a', () => {});
      const start = await broker.head('a');
      for (let i = 1; i <= 4; i++) await broker.publish('a', entry(i, { exceptSessions: ['x'], exceptRooms: ['r'] }));
      const all = await broker.history('a', start);
      assert.ok(all.ok);
      assert.deepEqual(all.entries.map((e) => [e.offset, e.entry.data]), [[1, 1], [2, 2], [3, 3], [4, 4]]);
      assert.deepEqual(all.entries[0].entry.exceptSessions, ['x']);
      assert.deepEqual(all.entries[0].entry.exceptRooms, ['r']);
      const later = await broker.history('a', { epoch: start.epoch, offset: 2 });
      assert.ok(later.ok);
      assert.deepEqual(later.entries.map((e) => e.offset), [3, 4]);
      const none = await broker.history('a', { epoch: start.epoch, offset: 4 });
      assert.ok(none.ok);
      assert.equal(none.entries.length, 0);
      // A position the channel never reached is not "nothing missing".
      assert.deepEqual(await broker.history('a', { epoch: start.epoch, offset: 9 }), { ok: false, reason: 'gap' });
      stop();
      await broker.close();
    });

    test('volatile entries take a position, reach subscribers and are never in history', async () => {
      const { broker } = await setup();
      const heard: unknown[] = [];
      const stop = broker.subscribe('a', (_position, e) => heard.push(e.data));
      const start = await broker.head('a');
      await broker.publish('a', entry(1));
      await broker.publish('a', entry(2, { volatile: true }));
      await broker.publish('a', entry(3));
      assert.deepEqual(heard, [1, 2, 3]);
      const history = await broker.history('a', start);
      assert.ok(history.ok);
      assert.deepEqual(history.entries.map((e) => [e.offset, e.entry.data]), [[1, 1], [3, 3]]);
      stop();
      await broker.close();
    });

    for (const [bound, limits, publish] of [
      ['count', { count: 3 }, (i: number) => entry(i)],
      ['bytes', { bytes: 35 }, (i: number) => entry(i)],
    ] as const) {
      test(`history past the ${bound} bound is a gap, never a partial answer`, async () => {
        const { broker } = await setup(limits);
        const stop = broker.subscribe('a', () => {});
        const start = await broker.head('a');
        for (let i = 1; i <= 6; i++) await broker.publish('a', publish(i));
        assert.deepEqual(await broker.history('a', start), { ok: false, reason: 'gap' });
        assert.deepEqual(await broker.history('a', { epoch: start.epoch, offset: 2 }), { ok: false, reason: 'gap' });
        const kept = await broker.history('a', { epoch: start.epoch, offset: 3 });
        assert.ok(kept.ok, 'the last three are kept');
        assert.deepEqual(kept.entries.map((e) => e.offset), [4, 5, 6]);
        stop();
        await broker.close();
      });
    }

    test('history past the age bound is a gap', async () => {
      const { broker, advance } = await setup({ age: 1000 });
      const stop = broker.subscribe('a', () => {});
      const start = await broker.head('a');
      await broker.publish('a', entry(1));
      advance(600);
      await broker.publish('a', entry(2));
      advance(600);
      assert.deepEqual(await broker.history('a', start), { ok: false, reason: 'gap' });
      const recent = await broker.history('a', { epoch: start.epoch, offset: 1 });
      assert.ok(recent.ok);
      assert.deepEqual(recent.entries.map((e) => e.offset), [2]);
      stop();
      await broker.close();
    });

    test('a position from another epoch is refused as such', async () => {
      const { broker } = await setup();
      const stop = broker.subscribe('a', () => {});
      await broker.publish('a', entry(1));
      assert.deepEqual(await broker.history('a', { epoch: `not-${(await broker.head('a')).epoch}`, offset: 0 }), { ok: false, reason: 'epoch' });
      stop();
      await broker.close();
    });

    test('subscribers hear their channel only, in position order, until they unsubscribe', async () => {
      const { broker } = await setup();
      const heard: [string, number, unknown][] = [];
      const stopA = broker.subscribe('a', (position, e) => heard.push(['a', position.offset, e.data]));
      const stopA2 = broker.subscribe('a', (position) => heard.push(['a2', position.offset, null]));
      const stopB = broker.subscribe('b', (position, e) => heard.push(['b', position.offset, e.data]));
      await broker.publish('a', entry(1));
      await broker.publish('b', entry(2));
      stopA2();
      await broker.publish('a', entry(3));
      stopA();
      stopB();
      await broker.publish('b', entry(4));
      // A networked broker delivers asynchronously: give it a moment.
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(heard, [
        ['a', 1, 1],
        ['a2', 1, null],
        ['b', 1, 2],
        ['a', 2, 3],
      ]);
      await broker.close();
    });
  });
}
