import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveLab } from './serve.js';
import type { RunResult } from './lab.js';

test('the lab page shows each workload table and the three charts; it says so when there are no results', { timeout: 10_000 }, async (t) => {
  const docs = await mkdtemp(join(tmpdir(), 'baro-lab-'));
  t.after(() => rm(docs, { recursive: true, force: true }));
  const server = await serveLab(docs, 0);
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;

  const missing = await fetch(url);
  assert.equal(missing.status, 503);

  await mkdir(join(docs, 'lab'));
  const result = {
    workload: 'quiz', variant: 'WebSocket <b>', deliveredDown: 10, expectedDown: 10, sentUp: 0, deliveredUp: 0, inOrder: true,
    bytesDownPerMessage: 170, bytesUpPerMessage: 24.5, bytesPerMessage: 194.5, requestsPerMessage: 0.033, pollResponses: 0,
    emptyResponses: 0, latency: { p50: 5.2, p99: 13.7, max: 14.3 }, cpuMsPer1000: 198.9,
  } as unknown as RunResult;
  await writeFile(join(docs, 'lab', 'results.json'), JSON.stringify([result]));
  for (const name of ['bytes-per-message', 'latency', 'requests-per-message']) await writeFile(join(docs, 'lab', `${name}.svg`), `<svg id="${name}"></svg>`);

  const page = await fetch(url);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /<h2>quiz<\/h2>/);
  assert.match(html, /WebSocket &#60;b&#62;/, 'cells are escaped');
  assert.match(html, /<td>194\.5<\/td>/);
  for (const name of ['bytes-per-message', 'latency', 'requests-per-message']) assert.match(html, new RegExp(`<svg id="${name}">`));
  assert.equal((await fetch(`${url}other`)).status, 404);
});
