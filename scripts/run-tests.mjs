#!/usr/bin/env node
// Runs every compiled *.test.js under packages/*/dist and apps/*/dist with node's own test runner.
// Each file gets its own `node --test` process, two at a time (CI has 2 cores), under a time limit:
// a file that hangs (a test that never settles, a handle that keeps the process alive) is named,
// its report so far printed, and its whole process group (Chromium, redis-server) killed, instead
// of holding CI until CI's own limit with no clue which file it was. (Not --test-force-exit: it
// ends a file once the tests known so far are done, and tests made later, in loops after an
// await, were silently left out: a loaded run reported 33 of frame-parser's 45.) Each report is printed whole
// when its file ends, so reports never interleave; the summary at the end adds them up.
// Node 20 has no glob support in --test, hence the walk.
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filter = process.argv.slice(2);

const PARALLEL_FILES = 2;
/** The longest test takes about 70 s on a loaded 2-core machine. */
const TEST_TIMEOUT_MS = Number(process.env.TEST_TIMEOUT_MS) || 240_000; // TEST_TIMEOUT_MS overrides
/** The longest file takes about 3 minutes on a loaded 2-core machine; TEST_FILE_TIMEOUT_MS overrides. */
const FILE_TIMEOUT_MS = Number(process.env.TEST_FILE_TIMEOUT_MS) || 900_000;
const COUNTERS = ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo'];

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

function testFiles() {
  const files = [];
  for (const group of ['packages', 'apps']) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const pkg of readdirSync(base)) {
      const dist = join(base, pkg, 'dist');
      if (existsSync(dist)) walk(dist, files);
    }
  }
  return files
    .map((f) => relative(root, f))
    .filter((f) => filter.length === 0 || filter.some((word) => f.includes(word)))
    .sort();
}

const running = new Set();

function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Runs one file; resolves with its report, exit code, counters and whether it timed out. */
function runFile(file) {
  const started = Date.now();
  const child = spawn(
    process.execPath,
    ['--enable-source-maps', '--test', '--test-reporter=spec', `--test-timeout=${TEST_TIMEOUT_MS}`, file],
    // Its own process group, so a kill reaches the browsers and servers it started.
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  running.add(child);
  let report = '';
  child.stdout.setEncoding('utf8').on('data', (text) => (report += text));
  child.stderr.setEncoding('utf8').on('data', (text) => (report += text));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child);
  }, FILE_TIMEOUT_MS);
  return new Promise((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      const counts = {};
      for (const name of COUNTERS) {
        const matches = [...report.matchAll(new RegExp(`^ℹ ${name} (\\d+)$`, 'gm'))];
        counts[name] = matches.length > 0 ? Number(matches.at(-1)[1]) : 0;
      }
      resolve({ file, report, code: code ?? 1, signal, counts, timedOut, seconds: (Date.now() - started) / 1000 });
    });
  });
}

function stopAll() {
  for (const child of running) killGroup(child);
  process.exit(130);
}
process.once('SIGINT', stopAll);
process.once('SIGTERM', stopAll);

const files = testFiles();
if (files.length === 0) {
  console.error('no test files found: run `npm run build` first');
  process.exit(1);
}

const started = Date.now();
const totals = Object.fromEntries(COUNTERS.map((name) => [name, 0]));
const failedFiles = [];
let next = 0;

async function worker() {
  while (next < files.length) {
    const result = await runFile(files[next++]);
    const ok = result.code === 0 && !result.timedOut;
    process.stdout.write(`\n▷ ${result.file} (${result.seconds.toFixed(1)} s)\n${result.report}`);
    if (result.timedOut) {
      process.stdout.write(`✖ ${result.file} did not end within ${FILE_TIMEOUT_MS / 1000} s: killed; its report so far is above\n`);
    } else if (!ok && result.counts.fail === 0) {
      process.stdout.write(`✖ ${result.file} exited with ${result.signal ?? result.code} without a failed test\n`);
    }
    for (const name of COUNTERS) totals[name] += result.counts[name];
    if (!ok) failedFiles.push(result.file);
  }
}

await Promise.all(Array.from({ length: Math.min(PARALLEL_FILES, files.length) }, worker));

console.log(`\nℹ files ${files.length}`);
for (const name of COUNTERS) console.log(`ℹ ${name} ${totals[name]}`);
console.log(`ℹ duration_ms ${Date.now() - started}`);
if (failedFiles.length > 0) {
  console.log(`✖ failed files (${failedFiles.length}):\n${failedFiles.map((f) => `  ${f}`).join('\n')}`);
  process.exit(1);
}
