#!/usr/bin/env node
// Browser bundle of @baro/client: one minified ESM file, dist/baro-client.min.js, built from the
// compiled dist/index.js (run `npx tsc -b` first) with @baro/protocol tree-shaken into it.
// Prints the raw and gzip sizes; fails when min+gz passes the budget (BARO_BUNDLE_BUDGET bytes,
// default 8.25 KiB), and when a part of the codec that the client never needs (the RFC 6455 frame
// parser and connection, the handshake) ended up inside.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const outfile = `${root}dist/baro-client.min.js`;
const budget = Number(process.env.BARO_BUNDLE_BUDGET ?? 8.25 * 1024);

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.error('esbuild is not installed: add it to the root devDependencies (npm install -D esbuild)');
  process.exit(1);
}

const common = { bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true, treeShaking: true, legalComments: 'none', logLevel: 'warning' };
const result = await esbuild.build({ ...common, entryPoints: [`${root}dist/index.js`], outfile, metafile: true });

const code = readFileSync(outfile);
const gzip = gzipSync(code, { level: 9 }).length;
const kib = (bytes) => `${(bytes / 1024).toFixed(2)} KiB`;
console.log(`${outfile}: ${code.length} B raw (${kib(code.length)}), ${gzip} B min+gz (${kib(gzip)}); budget ${kib(budget)}`);

const inputs = Object.keys(result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].inputs);
for (const input of inputs) console.log(`  ${input}`);
const unwanted = inputs.filter((input) => /frame-parser|frame-encoder|connection\.js|client-handshake|server-handshake|sha1|permessage|utf8/.test(input));
if (unwanted.length > 0) {
  console.error(`codec parts the client does not use are in the bundle: ${unwanted.join(', ')}`);
  process.exit(1);
}
if (gzip > budget) {
  console.error(`over budget by ${gzip - budget} B`);
  process.exit(1);
}

// The peers (WebRTC) are a second file, so that pages without them do not pay for them:
// dist/baro-peers.min.js, loaded beside the client (`createPeers(client)` takes the client).
const peersOutfile = `${root}dist/baro-peers.min.js`;
await esbuild.build({ ...common, entryPoints: [`${root}dist/peers/index.js`], outfile: peersOutfile });
const peersCode = readFileSync(peersOutfile);
console.log(`${peersOutfile}: ${peersCode.length} B raw, ${gzipSync(peersCode, { level: 9 }).length} B min+gz`);
