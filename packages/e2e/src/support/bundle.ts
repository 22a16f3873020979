/**
 * The client's browser bundle, as users get it: `packages/client/dist/baro-client.min.js`, built
 * by `node packages/client/scripts/bundle.mjs`. `npm test` only runs `tsc -b`, so when that file
 * is missing or older than the compiled client, the browser suites build the same bundle (the
 * script's esbuild options) in memory instead of testing a stale one.
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const clientDist = fileURLToPath(new URL('../../../client/dist/', import.meta.url));
export const BUNDLE_PATH = join(clientDist, 'baro-client.min.js');

let cached: Buffer | null = null;
/** Where the served bundle came from, for the test log. */
export let bundleSource = '';

function newestClientModule(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'test-support') continue;
    const stat = statSync(path);
    if (stat.isDirectory()) newest = Math.max(newest, newestClientModule(path));
    else if (name.endsWith('.js') && !name.endsWith('.test.js') && name !== 'baro-client.min.js') newest = Math.max(newest, stat.mtimeMs);
  }
  return newest;
}

/** Call once before serving (in a `before` hook): reads or builds the bundle. */
export async function prepareClientBundle(): Promise<Buffer> {
  if (cached) return cached;
  if (!existsSync(join(clientDist, 'index.js'))) throw new Error(`the client is not built (${clientDist}index.js missing): run \`npx tsc -b\``);
  if (existsSync(BUNDLE_PATH) && statSync(BUNDLE_PATH).mtimeMs >= newestClientModule(clientDist)) {
    cached = readFileSync(BUNDLE_PATH);
    bundleSource = BUNDLE_PATH;
    return cached;
  }
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(clientDist, 'index.js')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    treeShaking: true,
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  cached = Buffer.from(result.outputFiles[0].contents);
  bundleSource = `in-memory esbuild of ${clientDist}index.js (${BUNDLE_PATH} missing or stale)`;
  return cached;
}

export function clientBundle(): Buffer {
  if (!cached) throw new Error('prepareClientBundle() was not awaited');
  return cached;
}
