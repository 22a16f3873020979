/**
 * One attack, measured: starts the watch and the bystander, runs the attack, stops both and
 * asserts the memory bound and the bystander's service. The attack's own outcome (close code,
 * status) is asserted by the test on what `attack` returns; `describe` prints it first, so a
 * failing run still shows every figure.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { withAttackLock } from './attack-lock.js';
import type { SeparateBystander } from './bystander.js';
import { MemoryWatch, MiB } from './memory.js';
import type { Target } from './target.js';
import { assertHeld, assertServed } from './verdict.js';

/**
 * `attack(overBound)`: `overBound()` turns true once the server grew past the bound (plus a margin),
 * so an attack that already proved the problem can stop before it exhausts the machine.
 */
export interface AttackBounds<T> {
  /** What the server may grow by over its baseline, in MiB. */
  boundMiB: number;
  /** Starts the bystander (after its warm-up). */
  bystander: () => Promise<SeparateBystander>;
  /** Prints the attack's outcome before the verdicts. */
  describe?: (result: T) => void;
}

const BASELINE_ROUND_TRIPS = 10;

export function measureAttack<T>(t: TestContext, name: string, target: Target, bounds: AttackBounds<T>, attack: (overBound: () => boolean) => Promise<T>): Promise<T> {
  return withAttackLock(() => measureAlone(t, name, target, bounds, attack));
}

async function measureAlone<T>(t: TestContext, name: string, target: Target, { boundMiB, bystander, describe }: AttackBounds<T>, attack: (overBound: () => boolean) => Promise<T>): Promise<T> {
  const served = await bystander();
  // The bystander's round trips before the attack, in the same conditions (the machine's other
  // load): the attack is judged by what it adds to them.
  const baseline = await served.baseline(BASELINE_ROUND_TRIPS);
  const watch = new MemoryWatch(target.pid);
  let result: T;
  try {
    result = await attack(() => watch.growth > (boundMiB + 64) * MiB);
    describe?.(result);
  } finally {
    // A short attack may end before the bystander's next round trips: it must still get them.
    await served.roundTripsDone(3).catch(() => {});
    const report = await served.stop();
    const memory = watch.stop();
    assert.ok(target.alive(), `${name}: the server process died`);
    assertHeld(t, name, memory, boundMiB);
    assertServed(t, name, report, baseline);
  }
  return result;
}
