import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { constants as zlibConstants, deflateRawSync } from 'node:zlib';
import { ProtocolError, type DeflateParams } from '@baro/protocol';
import { InflateBudget, type InflateBudgetHolder } from './inflate-budget.js';
import { PerMessageDeflate } from './permessage-deflate.js';

const KiB = 1024;

function holder(name: string, evicted: string[]): InflateBudgetHolder & { name: string } {
  return { name, heldBytes: 0, evict: () => evicted.push(name) };
}

describe('InflateBudget', () => {
  test('charges up to the limit exactly (N); one byte more (N+1) is refused to the only holder', () => {
    const budget = new InflateBudget(100);
    const evicted: string[] = [];
    const a = holder('a', evicted);
    assert.equal(budget.charge(a, 60), true);
    assert.equal(budget.charge(a, 40), true);
    assert.equal(budget.inUseBytes, 100);
    assert.equal(budget.charge(a, 1), false, 'N+1');
    assert.equal(a.heldBytes, 100, 'a refused charge charges nothing');
    assert.deepEqual(evicted, [], 'the caller stops itself; it is not evicted');
    budget.release(a);
    assert.equal(budget.inUseBytes, 0);
    assert.equal(a.heldBytes, 0);
    assert.equal(budget.peakBytes, 100);
  });

  test('past the limit the holder with the most bytes is evicted and its bytes released', () => {
    const budget = new InflateBudget(100);
    const evicted: string[] = [];
    const bomb = holder('bomb', evicted);
    const small = holder('small', evicted);
    assert.equal(budget.charge(bomb, 90), true);
    assert.equal(budget.charge(small, 10), true);
    assert.equal(budget.charge(small, 5), true, 'room is made by evicting the bomb');
    assert.deepEqual(evicted, ['bomb']);
    assert.equal(bomb.heldBytes, 0);
    assert.equal(budget.inUseBytes, 15);
    assert.equal(budget.evictions, 1);
    assert.ok(budget.peakBytes <= 100);
  });

  test('the charging holder pays when it holds the most, counting the new bytes', () => {
    const budget = new InflateBudget(100);
    const evicted: string[] = [];
    const bomb = holder('bomb', evicted);
    const small = holder('small', evicted);
    budget.charge(small, 20);
    budget.charge(bomb, 70);
    assert.equal(budget.charge(bomb, 20), false);
    assert.deepEqual(evicted, []);
    assert.equal(budget.inUseBytes, 90);
  });

  test('of several holders, the one with the most bytes is evicted, not the first or the newest', () => {
    const budget = new InflateBudget(100);
    const evicted: string[] = [];
    const holders = [holder('h20', evicted), holder('h45', evicted), holder('h35', evicted)];
    budget.charge(holders[0], 20);
    budget.charge(holders[1], 45);
    budget.charge(holders[2], 35);
    const late = holder('late', evicted);
    assert.equal(budget.charge(late, 10), true);
    assert.deepEqual(evicted, ['h45']);
    assert.equal(budget.inUseBytes, 65);
  });

  test('limitBytes is validated and may change at run time', () => {
    assert.throws(() => new InflateBudget(-1), RangeError);
    assert.throws(() => new InflateBudget(1.5), RangeError);
    const budget = new InflateBudget(10);
    assert.throws(() => (budget.limitBytes = Number.NaN), RangeError);
    budget.limitBytes = 20;
    assert.equal(budget.charge(holder('a', []), 20), true);
  });
});

describe('PerMessageDeflate charges the inflate budget', () => {
  const params: DeflateParams = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
  const opened: PerMessageDeflate[] = [];
  afterEach(() => {
    for (const instance of opened.splice(0)) instance.close();
  });
  function inflater(budget: InflateBudget): PerMessageDeflate {
    const instance = new PerMessageDeflate({ params, role: 'server', maxInflatedBytes: 1024 * KiB, inflateBudget: budget });
    opened.push(instance);
    return instance;
  }
  function compressed(size: number): Buffer {
    return deflateRawSync(Buffer.alloc(size, 0x61), { finishFlush: zlibConstants.Z_SYNC_FLUSH }).subarray(0, -4);
  }

  test('a message of exactly the budget (N) inflates and gives its bytes back; N+1 fails with 1013', async () => {
    const size = 200 * KiB;
    const budget = new InflateBudget(size);
    const inflated = await inflater(budget).decompress(compressed(size));
    assert.equal(inflated.byteLength, size);
    assert.equal(budget.inUseBytes, 0, 'released once delivered');
    assert.equal(budget.peakBytes, size);

    const failure = await inflater(budget).decompress(compressed(size + 1)).then(
      () => assert.fail('inflated past the budget'),
      (error: unknown) => error,
    );
    assert.ok(failure instanceof ProtocolError);
    assert.equal(failure.kind, 'WS_ERR_INFLATE_BUDGET');
    assert.equal(failure.closeCode, 1013);
    assert.equal(budget.inUseBytes, 0, 'a failed inflation gives its bytes back');
    assert.ok(budget.peakBytes <= size);
  });

  test('ten bombs inflating at once never hold more than the budget, and all of them fail with 1013', async () => {
    const budget = new InflateBudget(512 * KiB);
    const bomb = compressed(1000 * KiB);
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => inflater(budget).decompress(bomb)));
    const codes = results.map((result) => (result.status === 'rejected' ? (result.reason as ProtocolError).closeCode : 'ok'));
    assert.deepEqual(codes, Array(10).fill(1013));
    assert.ok(budget.peakBytes <= budget.limitBytes, `peak ${budget.peakBytes}`);
    assert.equal(budget.inUseBytes, 0);
  });
});
