#!/usr/bin/env node
// Parser micro-benchmark: masked client frames of 0 B, 5 B, 125 B, 64 KiB and
// 1 MiB, fed in 64 KiB chunks (what a socket read hands over; big frames span
// chunks, small ones sometimes split at a chunk edge), through
//   - ws's Receiver (ws/lib/receiver.js, the Writable ws itself writes socket data into)
//   - baro's FrameParser from @baro/protocol (needs `npm run build` first)
// Each (parser, size) runs in its own process pinned to core 0, so JIT state
// of one never leaks into the other.
//
//   node bench/parser.mjs [--sizes 0,5,125,65536,1048576] [--impls ws,baro] [--time 1] [--text]
//   internal: node bench/parser.mjs --child --impl ws --size 125 ...   (prints one JSON line)
//
// --text uses text frames (UTF-8 validated by both); since both parsers unmask
// in place, text mode re-copies the pristine masked bytes before every pass
// (binary mode does not need to: unmasking twice is harmless for binary data).
import { createRequire } from 'node:module';
import { isUtf8 } from 'node:buffer';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, intArg } from './lib/cli.mjs';
import { spawnNode, hasTaskset, machine } from './lib/proc.mjs';
import { buildFrame, OP_TEXT, OP_BINARY } from './load/wire.mjs';

const args = parseArgs();
const require = createRequire(import.meta.url);
const SELF = fileURLToPath(import.meta.url);
const MAX_PAYLOAD = 64 * 1024 * 1024;
const CHUNK = 64 * 1024;

// ----------------------------------------------------------- adapters ----
// Each adapter: create(onMessage) -> push(chunk). onMessage(byteLength) per message.
const ADAPTERS = {
  async ws() {
    const wsDir = path.dirname(require.resolve('ws'));
    // ws's package "exports" hides lib/, so require the file by absolute path.
    const Receiver = require(path.join(wsDir, 'lib', 'receiver.js'));
    return {
      version: require('ws/package.json').version,
      create(onMessage, onError) {
        const r = new Receiver({ isServer: true, maxPayload: MAX_PAYLOAD, binaryType: 'nodebuffer', allowSynchronousEvents: true });
        r.on('message', (data) => onMessage(data.length));
        r.on('error', onError);
        return (chunk) => r.write(chunk);
      },
    };
  },

  // Same Receiver with ws's JS masking (WS_NO_BUFFER_UTIL=1 is set for this child).
  async 'ws-nobu'() { return ADAPTERS.ws(); },

  // ==== baro plugs in here ====================================================
  // FrameParser from @baro/protocol (packages/protocol/src/frame-parser.ts):
  //   new FrameParser({ role: 'server', maxPayload, isUtf8? }, sink)
  //   sink = { onMessage(data, binary, compressed), onControl(opcode, payload), onError(error) }
  //   parser.push(chunk)
  // isUtf8 is given Node's native buffer.isUtf8, the same check ws uses on Node 20.
  async baro() {
    let mod;
    try {
      mod = await import('@baro/protocol');
    } catch (e) {
      throw new Error(`@baro/protocol not importable (run \`npm run build\`): ${e.message.split('\n')[0]}`);
    }
    const { FrameParser } = mod;
    if (typeof FrameParser !== 'function') throw new Error('@baro/protocol has no FrameParser export yet');
    return {
      version: JSON.parse(readFileSync(path.join(path.dirname(require.resolve('@baro/protocol')), '..', 'package.json'), 'utf8')).version,
      create(onMessage, onError) {
        const parser = new FrameParser({ role: 'server', maxPayload: MAX_PAYLOAD, isUtf8 }, {
          onMessage(data) { onMessage(data.length); },
          onControl() {},
          onError,
        });
        return (chunk) => parser.push(chunk);
      },
    };
  },
  // ===========================================================================
};

// -------------------------------------------------------------- child ----
async function child() {
  const impl = String(args.impl);
  const size = intArg(args, 'size', 125);
  const timeS = intArg(args, 'time', 1);
  const text = Boolean(args.text);
  const adapter = await ADAPTERS[impl]();

  const payload = Buffer.alloc(size, 0x61); // 'a': valid UTF-8 for --text
  const frame = buildFrame(text ? OP_TEXT : OP_BINARY, payload);
  // ~1 MiB of frames per pass (at least 4 frames), cut into 64 KiB reads.
  const frames = Math.max(4, Math.floor((1 << 20) / frame.length));
  const pristine = Buffer.concat(Array.from({ length: frames }, () => frame));
  const work = Buffer.from(pristine);
  const chunks = [];
  for (let o = 0; o < work.length; o += CHUNK) chunks.push(work.subarray(o, Math.min(o + CHUNK, work.length)));

  let messages = 0, bytes = 0, error = null;
  const push = adapter.create((len) => { messages++; bytes += len; }, (e) => { error = e; });
  const pass = () => {
    if (text) pristine.copy(work);
    for (let i = 0; i < chunks.length; i++) push(chunks[i]);
  };

  // Warm-up (JIT), bounded by time and passes.
  const wEnd = performance.now() + 300;
  for (let i = 0; i < 10_000 && performance.now() < wEnd; i++) pass();
  if (error) throw error;
  messages = 0; bytes = 0;
  let passes = 0;
  const t0 = performance.now(), tEnd = t0 + timeS * 1000;
  while (passes < 1_000_000 && performance.now() < tEnd) { pass(); passes++; }
  const ms = performance.now() - t0;
  if (error) throw error;
  const expected = passes * frames;
  process.stdout.write(JSON.stringify({
    impl, version: adapter.version, size, text, frames: messages, expected, ok: messages === expected,
    framesPerSec: Math.round(messages / (ms / 1000)),
    nsPerFrame: +((ms * 1e6) / messages).toFixed(1),
    payloadMBps: +(bytes / (ms / 1000) / 1e6).toFixed(1),
    wireMBps: +((passes * pristine.length) / (ms / 1000) / 1e6).toFixed(1),
  }) + '\n');
}

// --------------------------------------------------------- orchestrate ----
async function main() {
  const sizes = String(args.sizes ?? '0,5,125,65536,1048576').split(',').map(Number);
  const impls = String(args.impls ?? 'ws,ws-nobu,baro').split(',');
  const pin = hasTaskset() && machine().nproc >= 2;
  const rows = [];
  for (const size of sizes) {
    for (const impl of impls) {
      let res = null, err = '';
      const c = spawnNode({
        script: SELF, core: pin ? 0 : null, cwd: path.dirname(SELF), env: impl === 'ws-nobu' ? { WS_NO_BUFFER_UTIL: '1' } : {},
        args: ['--child', '--impl', impl, '--size', String(size), '--time', String(args.time ?? 1), ...(args.text ? ['--text'] : [])],
        onLine: (l) => { if (typeof l === 'object') res = l; },
      });
      const killer = setTimeout(() => c.kill('SIGKILL'), (Number(args.time ?? 1) + 30) * 1000); // bounded
      const { code } = await c.exited;
      clearTimeout(killer);
      if (!res) err = (c.stderrTail().split('\n').find((l) => /Error|error/.test(l)) || `exit ${code}`).trim();
      rows.push(res ?? { impl, size, error: err });
      const label = `${String(size).padStart(7)} B  ${impl.padEnd(7)}`;
      console.log(res ? `${label} ${res.framesPerSec.toLocaleString('en-US').padStart(12)} frames/s  ${String(res.nsPerFrame).padStart(9)} ns/frame  ${String(res.payloadMBps).padStart(8)} MB/s payload${res.ok ? '' : '  COUNT MISMATCH'}`
        : `${label} skipped: ${err}`);
    }
    const ws = rows.find((r) => r.size === size && r.impl === 'ws' && r.framesPerSec);
    const baro = rows.find((r) => r.size === size && r.impl === 'baro' && r.framesPerSec);
    if (ws && baro) console.log(`${' '.repeat(19)} baro/ws = ${(baro.framesPerSec / ws.framesPerSec).toFixed(2)}`);
  }
  const out = path.join(path.dirname(SELF), 'results', 'parser.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), machine: machine(), pinned: pin, chunk: CHUNK, text: !!args.text, rows }, null, 2));
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
  return rows;
}

if (args.child) await child();
else await main();
