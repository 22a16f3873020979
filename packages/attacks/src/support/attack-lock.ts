/**
 * One attack at a time across the test runner's processes (it runs two test files at once): two
 * attacks on 2 cores would each slow the other's bystander and blur what each server holds. The
 * lock is a directory (mkdir is atomic); one left behind by a killed run is taken over after 5 min.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pause } from './wait.js';

const LOCK = join(tmpdir(), 'baro-attacks.lock');
const STALE_MS = 5 * 60_000;
const WAIT_MS = 150_000;

export async function withAttackLock<T>(run: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > STALE_MS) rmSync(LOCK, { recursive: true, force: true });
      } catch {
        // released meanwhile
      }
      if (Date.now() > deadline) throw new Error(`another attack held ${LOCK} for ${WAIT_MS} ms`);
      await pause(50);
    }
  }
  try {
    return await run();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
