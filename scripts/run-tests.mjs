#!/usr/bin/env node
// Runs every compiled *.test.js under packages/*/dist and apps/*/dist with node's own test runner,
// so CI reads node's summary. Node 20 has no glob support in --test, hence the walk.
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filter = process.argv.slice(2);

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const files = [];
for (const group of ['packages', 'apps']) {
  const base = join(root, group);
  if (!existsSync(base)) continue;
  for (const pkg of readdirSync(base)) {
    const dist = join(base, pkg, 'dist');
    if (existsSync(dist)) walk(dist, files);
  }
}
const selected = files
  .map((f) => relative(root, f))
  .filter((f) => filter.length === 0 || filter.some((word) => f.includes(word)))
  .sort();
if (selected.length === 0) {
  console.error('no test files found: run `npm run build` first');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--enable-source-maps', '--test', '--test-reporter=spec', '--test-concurrency=2', ...selected],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
