#!/usr/bin/env node
// Broadcast over a Redis hub, side by side in one run: baro (@baro/redis broker and presence) on
// 1 and 2 nodes, socket.io 4 with @socket.io/redis-adapter on 1 and 2 nodes, and baro's
// in-process hub on 1 node as the reference. Each case gets a fresh, empty redis-server of its own
// on a free port (a Redis on 6379 is left alone).
//   node bench/redis.mjs [--quick] [--sessions N] [--rounds N] [--idle N]
// Rows:
//   broadcast: one emit to N WebSocket sessions (bench/load/session-broadcast.mjs), median and
//     max ms from the trigger's write to the last session having it; with 2 nodes the sessions
//     alternate between them and the trigger lands on the first, so half of them hear it through Redis;
//   Redis commands and CPU per broadcast: INFO commandstats calls (and redis-server's CPU time)
//     over the rounds (warm-up included), less what the idle sessions cost at the rate measured over
//     an idle window just before (printed as idle Redis cmds/s: keep-alives, presence);
//   memory per idle WebSocket session, 1 node with the hub: heap after GC and RSS.
// Cores (2 here): with 1 node, the node runs on core 0 and the load generator on core 1; with 2
// nodes, node A on core 0 and node B on core 1, and the load generator floats over both (there is
// no third core), so it competes with the nodes: its CPU% is printed beside each row. redis-server
// floats in every case and its CPU time over the rounds is printed too.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './lib/cli.mjs';
import { spawnNode, stopProcess, sleep, hasTaskset, procCpuMs } from './lib/proc.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH, '..');
const args = parseArgs();
const quick = Boolean(args.quick);
const P = {
  sessions: Number(args.sessions ?? (quick ? 2000 : 10_000)),
  rounds: Number(args.rounds ?? (quick ? 5 : 10)),
  warmupRounds: quick ? 1 : 2,
  idle: Number(args.idle ?? (quick ? 1000 : 5000)),
};
const pin = hasTaskset();
/** The idle window before the rounds, over which the sessions' own Redis traffic is measured. */
const IDLE_WINDOW_MS = quick ? 2000 : 5000;

const SERVERS = {
  baro: { proto: 'baro', script: path.join(BENCH, 'servers', 'baro-session.mjs') },
  socketio: { proto: 'socketio', script: path.join(BENCH, 'servers', 'socketio-session.mjs') },
};
const CASES = [
  { id: 'baro-memory-1', server: 'baro', redis: false, nodes: 1, label: 'baro, in-process hub, 1 node' },
  { id: 'baro-redis-1', server: 'baro', redis: true, nodes: 1, label: 'baro, Redis hub, 1 node' },
  { id: 'baro-redis-2', server: 'baro', redis: true, nodes: 2, label: 'baro, Redis hub, 2 nodes' },
  { id: 'socketio-redis-1', server: 'socketio', redis: true, nodes: 1, label: 'socket.io, Redis adapter, 1 node' },
  { id: 'socketio-redis-2', server: 'socketio', redis: true, nodes: 2, label: 'socket.io, Redis adapter, 2 nodes' },
];

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'baro-bench-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output}`)), 5000);
    child.once('error', (error) => reject(new Error(`cannot run redis-server: ${error.message}`)));
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  child.stdout.resume();
  child.stderr.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid,
    /** Commands Redis ran so far, by name, the INFO calls that ask excluded. */
    commands() {
      const info = execFileSync('redis-cli', ['-p', String(port), 'INFO', 'commandstats'], { encoding: 'utf8' });
      const byName = {};
      for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) if (match[1] !== 'info') byName[match[1]] = Number(match[2]);
      return byName;
    },
    async stop() {
      child.kill('SIGKILL');
      await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', resolve)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startNode(spec, { core, redisUrl, env = {} }) {
  const port = await freePort();
  let ready;
  const announced = new Promise((resolve) => (ready = resolve));
  const memory = [];
  const child = spawnNode({
    script: spec.script,
    args: ['--port', String(port), ...(redisUrl ? ['--redis', redisUrl] : [])],
    core: pin ? core : null,
    cwd: ROOT,
    env,
    onLine: (line) => {
      if (typeof line !== 'string') return;
      if (line.startsWith('BENCH_INFO')) ready();
      if (line.startsWith('BENCH_MEM ')) memory.shift()?.(JSON.parse(line.slice('BENCH_MEM '.length)));
    },
  });
  await Promise.race([announced, sleep(15_000).then(() => { throw new Error(`${spec.script} did not start: ${child.stderrTail()}`); })]);
  return {
    child,
    port,
    /** Heap (after GC) and RSS, asked of the process by SIGUSR2. */
    probeMemory() {
      const answer = new Promise((resolve) => memory.push(resolve));
      child.kill('SIGUSR2');
      return Promise.race([answer, sleep(5000).then(() => null)]);
    },
  };
}

/** Runs a load generator; resolves with its result event. `onEvent(event, child)` sees the others. */
function runLoad(script, loadArgs, { core = null, onEvent = () => {}, timeoutMs }) {
  return new Promise((resolve) => {
    let result = null;
    const child = spawnNode({
      script: path.join(BENCH, 'load', script),
      args: loadArgs.map(String),
      core: pin ? core : null,
      cwd: ROOT,
      onLine: (line) => {
        if (typeof line !== 'object' || line === null) return;
        if (line.event === 'result') result = line;
        else onEvent(line, child);
      },
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.exited.then(() => {
      clearTimeout(timer);
      resolve(result ?? { ok: false, error: `no result: ${child.stderrTail()}` });
    });
  });
}

async function broadcastCase(c) {
  const redis = c.redis ? await startRedis() : null;
  const spec = SERVERS[c.server];
  const nodes = [];
  try {
    for (let i = 0; i < c.nodes; i++) nodes.push(await startNode(spec, { core: i, redisUrl: redis?.url }));
    // Redis calls and CPU: over an idle window after the sessions opened (what they cost alone:
    // keep-alives, presence), then over the rounds, less that idle rate.
    const samples = {};
    const sample = () => {
      const commands = redis.commands();
      return { at: performance.now(), commands, calls: Object.values(commands).reduce((sum, n) => sum + n, 0), cpuMs: procCpuMs(redis.pid) };
    };
    const result = await runLoad('session-broadcast.mjs', [
      '--port', nodes[0].port, '--ports', nodes.map((n) => n.port).join(','), '--proto', spec.proto,
      '--sessions', P.sessions, '--rounds', P.rounds, '--warmup-rounds', P.warmupRounds, '--gap-ms', 200, '--size', 32,
      '--settle-ms', redis ? IDLE_WINDOW_MS : 0,
    ], {
      core: c.nodes === 1 ? 1 : null,
      timeoutMs: 300_000,
      onEvent: (event) => {
        if (redis && event.event === 'opened') samples.opened = sample();
        if (redis && event.event === 'rounds') samples.rounds = sample();
        // Before the sessions close: their goodbyes are not the broadcasts' cost.
        if (redis && event.event === 'rounds-done') samples.end = sample();
      },
    });
    if (redis && result.ok && samples.opened && samples.rounds && samples.end) {
      const end = samples.end;
      const idleSeconds = (samples.rounds.at - samples.opened.at) / 1000;
      const roundSeconds = (end.at - samples.rounds.at) / 1000;
      const idleCallsPerSecond = (samples.rounds.calls - samples.opened.calls) / idleSeconds;
      const idleCpuPerSecond = (samples.rounds.cpuMs - samples.opened.cpuMs) / idleSeconds;
      const broadcasts = P.rounds + P.warmupRounds;
      result.redisIdleCallsPerSecond = idleCallsPerSecond;
      result.redisCallsPerBroadcast = Math.max(0, end.calls - samples.rounds.calls - idleCallsPerSecond * roundSeconds) / broadcasts;
      result.redisCpuMsPerBroadcast = Math.max(0, end.cpuMs - samples.rounds.cpuMs - idleCpuPerSecond * roundSeconds) / broadcasts;
      // Which commands the rounds ran, per broadcast (idle rate not taken off): what the row is made of.
      result.redisCommandsPerBroadcast = Object.entries(end.commands)
        .map(([name, n]) => [name, (n - (samples.rounds.commands[name] ?? 0)) / broadcasts])
        .filter(([, n]) => n >= 0.5)
        .sort((a, b) => b[1] - a[1]);
    }
    return result;
  } finally {
    for (const node of nodes) await stopProcess(node.child);
    await redis?.stop();
  }
}

async function idleCase(c) {
  const redis = c.redis ? await startRedis() : null;
  const spec = SERVERS[c.server];
  const node = await startNode(spec, { core: 0, redisUrl: redis?.url, env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc`.trim() } });
  try {
    let before = null;
    let after = null;
    const settle = () => sleep(quick ? 300 : 1000);
    const result = await runLoad('session-idle.mjs', ['--port', node.port, '--proto', spec.proto, '--sessions', P.idle, '--warm', 100], {
      core: 1,
      timeoutMs: 240_000,
      onEvent: async (event, child) => {
        if (event.event === 'warmed') {
          await settle();
          before = await node.probeMemory();
          child.stdin.write('go\n');
        } else if (event.event === 'opened') {
          await settle();
          after = await node.probeMemory();
          child.stdin.write('close\n');
        }
      },
    });
    if (before && after && result.opened > 0) {
      result.heapPerSession = (after.heapUsed - before.heapUsed) / result.opened;
      result.rssPerSession = (after.rss - before.rss) / result.opened;
    }
    return result;
  } finally {
    await stopProcess(node.child);
    await redis?.stop();
  }
}

const broadcast = {};
for (const c of CASES) {
  broadcast[c.id] = await broadcastCase(c);
  if (!broadcast[c.id].ok) console.error(`${c.label}: ${broadcast[c.id].error ?? JSON.stringify(broadcast[c.id].failures ?? broadcast[c.id])}`);
}
const idle = {};
for (const c of CASES.filter((c) => c.nodes === 1)) idle[c.id] = await idleCase(c);

const fmt = (v, digits = 1) => (v == null || Number.isNaN(v) ? '-' : v >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(digits));
const ratio = (value, anchor) => (value == null || anchor == null || value === 0 ? '' : ` (${(anchor / value).toFixed(2)})`);
const anchorOf = (c) => (c.nodes === 1 ? 'socketio-redis-1' : 'socketio-redis-2');

console.log(`Broadcast over a Redis hub: 1 emit -> ${P.sessions.toLocaleString('en-US')} WebSocket sessions, 32 B, ${P.rounds} rounds${pin ? '' : '; not pinned'}`);
console.log('case'.padEnd(36) + 'median ms v'.padStart(16) + 'max ms v'.padStart(16) + 'Redis cmds/bcast v'.padStart(20) + 'Redis CPU ms/bcast'.padStart(20) + 'idle Redis cmds/s'.padStart(19) + 'loadgen CPU %'.padStart(15));
for (const c of CASES) {
  const r = broadcast[c.id];
  const anchor = broadcast[anchorOf(c)];
  if (!r.ok) {
    console.log(`  ${c.label}`.padEnd(36) + `failed: ${String(r.error ?? 'see above').slice(0, 80)}`);
    continue;
  }
  console.log(
    `  ${c.label}`.padEnd(36) +
      `${fmt(r.lastMs.median)}${ratio(r.lastMs.median, anchor?.lastMs?.median)}`.padStart(16) +
      `${fmt(r.lastMs.max)}${ratio(r.lastMs.max, anchor?.lastMs?.max)}`.padStart(16) +
      `${fmt(r.redisCallsPerBroadcast)}${c.redis ? ratio(r.redisCallsPerBroadcast, anchor?.redisCallsPerBroadcast) : ''}`.padStart(20) +
      fmt(r.redisCpuMsPerBroadcast, 2).padStart(20) +
      fmt(r.redisIdleCallsPerSecond).padStart(19) +
      fmt(r.clientCpuPct).padStart(15),
  );
}
for (const c of CASES) {
  const made = broadcast[c.id].redisCommandsPerBroadcast;
  if (made?.length) console.log(`  ${c.label}: ${made.slice(0, 8).map(([name, n]) => `${name} ${fmt(n)}`).join(', ')}`);
}
console.log(`Memory per idle WebSocket session, 1 node (${P.idle.toLocaleString('en-US')} sessions, after GC)`);
console.log('case'.padEnd(36) + 'heap bytes v'.padStart(16) + 'RSS bytes v'.padStart(16));
for (const c of CASES.filter((c) => c.nodes === 1)) {
  const r = idle[c.id];
  const anchor = idle['socketio-redis-1'];
  console.log(`  ${c.label}`.padEnd(36) + `${fmt(r.heapPerSession, 0)}${ratio(r.heapPerSession, anchor?.heapPerSession)}`.padStart(16) + `${fmt(r.rssPerSession, 0)}${ratio(r.rssPerSession, anchor?.rssPerSession)}`.padStart(16));
}
console.log('(v lower is better; ratio in parentheses: socket.io with the Redis adapter on as many nodes / this, > 1.00 = better)');
