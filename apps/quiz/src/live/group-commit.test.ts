import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteQuizStore } from '../store/sqlite-store.js';
import type { NewSubmission } from '../store/store.js';
import { GroupCommit } from './group-commit.js';

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'baro-writer-'));
  const store = new SqliteQuizStore({ path: join(dir, 'quiz.db') });
  const quiz = store.createQuiz({ title: 'Q', body: {} });
  const live = store.createLiveSession({ quizId: quiz.id, phase: 'ongoing' });
  const player = store.addPlayer({ liveSessionId: live.id, nickname: 'Ana', secretHash: 's' });
  // Count the transactions by wrapping the real store's batch method.
  const batches: number[] = [];
  const append = store.appendSubmissions.bind(store);
  store.appendSubmissions = (inputs) => {
    batches.push(inputs.length);
    return append(inputs);
  };
  const answer = (i: number) => ({ liveSessionId: live.id, playerId: player.id, questionIndex: 0, answer: `"a${i}"`, clientSubmissionId: `c${i}`, correct: false, points: 0 });
  const dispose = () => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { store, live, batches, answer, dispose };
}

test('answers written in one turn share one transaction; a full batch is written at once', async () => {
  const { store, live, batches, answer, dispose } = setup();
  try {
    const writer = new GroupCommit((inputs: readonly NewSubmission[]) => store.appendSubmissions(inputs), { maxBatch: 4 });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => writer.write(answer(i))));
    assert.deepEqual(batches, [4, 4, 2]);
    assert.deepEqual(
      results.map((r) => r.submission.ticket),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    assert.equal(store.listSubmissions(live.id).length, 10);
  } finally {
    dispose();
  }
});

test('settled() waits for the batch in flight; a failed batch rejects every answer in it and stores none', async () => {
  const { store, live, batches, answer, dispose } = setup();
  try {
    const writer = new GroupCommit((inputs: readonly NewSubmission[]) => store.appendSubmissions(inputs));
    await writer.settled();
    let stored = false;
    const first = writer.write(answer(1)).then(() => (stored = true));
    await writer.settled();
    assert.equal(stored, true, 'settled() resolved only after the queued answer was stored');
    await first;
    const good = writer.write(answer(2));
    const bad = writer.write({ ...answer(3), playerId: 'nobody' });
    await assert.rejects(good, /no player/);
    await assert.rejects(bad, /no player/);
    assert.deepEqual(batches, [1, 2]);
    assert.deepEqual(
      store.listSubmissions(live.id).map((s) => s.ticket),
      [1],
    );
  } finally {
    dispose();
  }
});

test('with delayMs, writes that arrive over several turns share one batch; without it, each turn commits its own', async () => {
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  for (const [delayMs, expected] of [
    [0, [1, 1, 1]],
    [50, [3]],
  ] as const) {
    const batches: number[][] = [];
    const commit = new GroupCommit((inputs: readonly number[]) => {
      batches.push([...inputs]);
      return inputs.map((n) => n * 10);
    }, { delayMs });
    const results: Promise<number>[] = [];
    for (const n of [1, 2, 3]) {
      results.push(commit.write(n));
      await turn();
    }
    assert.deepEqual(await Promise.all(results), [10, 20, 30]);
    assert.deepEqual(
      batches.map((b) => b.length),
      expected,
      `delayMs ${delayMs}`,
    );
  }
});
