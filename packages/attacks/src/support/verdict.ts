/**
 * The three things every attack test asserts, and the figures it prints (node:test diagnostics,
 * visible in the spec reporter: the "before/after" numbers of the report come from there).
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { BYSTANDER_BOUND_MS, BYSTANDER_LIMIT_MS, type BystanderReport } from './bystander.js';
import { mib, MiB, type MemoryReport } from './memory.js';

export function assertHeld(t: TestContext, name: string, memory: MemoryReport, boundMiB: number): void {
  t.diagnostic(`${name}: RSS ${mib(memory.baseline)} → peak ${mib(memory.peak)} (+${mib(memory.growth)}; bound +${boundMiB} MiB)`);
  assert.ok(memory.growth <= boundMiB * MiB, `${name}: the server grew by ${mib(memory.growth)}, over the bound of ${boundMiB} MiB`);
}

/**
 * The bystander's p95 may exceed its baseline's (taken just before, in the same conditions) by
 * `BYSTANDER_BOUND_MS`; every round trip is bounded by BYSTANDER_LIMIT_MS regardless.
 */
export function assertServed(t: TestContext, name: string, report: BystanderReport, baseline: BystanderReport): void {
  const boundMs = BYSTANDER_BOUND_MS + baseline.p95Ms;
  t.diagnostic(`${name}: bystander ${report.roundTrips} round trips, p95 ${report.p95Ms} ms, max ${report.maxMs} ms (baseline p95 ${baseline.p95Ms} ms, max ${baseline.maxMs} ms; bounds: p95 ${boundMs} ms, each ${BYSTANDER_LIMIT_MS} ms)${report.failures.length ? `, failures: ${report.failures.slice(0, 3).join('; ')}` : ''}`);
  assert.deepEqual(report.failures, [], `${name}: the bystander was not served`);
  assert.ok(report.roundTrips >= 3, `${name}: the bystander made only ${report.roundTrips} round trips`);
  assert.ok(report.p95Ms <= boundMs, `${name}: the bystander's p95 round trip took ${report.p95Ms} ms (bound ${boundMs} ms: ${BYSTANDER_BOUND_MS} over its baseline)`);
}
