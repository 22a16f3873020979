#!/usr/bin/env node
// Side-by-side WebSocket benchmark: baro vs ws (with/without bufferutil) vs
// uWebSockets.js, with a raw node:net echo as the ceiling.
// Server pinned to core 0, load generator to core 1; loopback only.
//
//   node bench/run.mjs                       full run (~7-8 min)
//   node bench/run.mjs --quick               < 1 min, short windows, fewer connections
//   node bench/run.mjs --only echo,broadcast --servers baro,ws
//   options: --reps N --duration S --warmup S --wait-quiet S --nice N --port-base P --out FILE --no-pin
//            --baro-server FILE (default examples/echo-server.mjs)
//   session groups (bench/lib/sessions.mjs): --only sessions,session-broadcast
//            --session-servers baro,socketio --session-count N --session-bcast-count N --session-reps N
//            --session-idle-count N --session-cases session-ws,session-idle (only these cases)
// See bench/README.md for what every number means.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './lib/cli.mjs';
import {
  spawnNode, stopProcess, waitForPort, probePort, cpuWindow, rssKiB, sleep, fdLimit, hasTaskset, machine, waitQuiet,
} from './lib/proc.mjs';
import { renderTable, ratioVsWs } from './lib/table.mjs';
import { SESSION_GROUPS, SESSION_SERVERS, sessionPlan, runSessionGroups } from './lib/sessions.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH, '..');
const args = parseArgs();
const quick = Boolean(args.quick);

// ---------------------------------------------------------------- plan ----
const P = quick
  ? { warmup: 0.2, duration: 0.7, reps: 1, echoConns: 100, bcastConns: 1000, bcastRounds: 5, bcastWarmRounds: 1, bcastGapMs: 100,
    memConns: 2000, memWarm: 50, memSettleMs: 300, rssSampleMs: 150, rssMaxWaitMs: 3000 }
  : { warmup: 1, duration: 3, reps: 3, echoConns: 100, bcastConns: 5000, bcastRounds: 10, bcastWarmRounds: 2, bcastGapMs: 200,
    memConns: 10000, memWarm: 100, memSettleMs: 1000, rssSampleMs: 250, rssMaxWaitMs: 10000 };
if (args.warmup !== undefined) P.warmup = Number(args.warmup);
if (args.duration !== undefined) P.duration = Number(args.duration);
if (args.reps !== undefined) P.reps = Math.max(1, Number(args.reps));
// Before each run, wait (bounded) for the host to be quiet: other processes on
// these two cores (builds, tests) distort everything. 0 disables.
// The total waiting is capped too, so a host that never calms down cannot stretch the run.
P.waitQuietS = args['wait-quiet'] !== undefined ? Number(args['wait-quiet']) : quick ? 3 : 20;
P.waitQuietBudgetS = quick ? 4 : 120;
P.quietThresholdPct = 15;
// Opt-in: run server and load generator at this nice value (e.g. -10, needs root)
// so other work on a shared host is preempted. Off by default: it slows that work down.
P.nice = args.nice !== undefined ? Number(args.nice) : 0;
let quietBudgetMs = P.waitQuietBudgetS * 1000;
for (const k of ['echoConns', 'bcastConns', 'memConns']) {
  const flag = k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`); // --echo-conns ...
  if (args[flag] !== undefined) P[k] = Number(args[flag]);
}

const ECHO_CASES = [
  { id: 'echo-32-d1', group: 'echo', label: 'echo 32 B text, 1 in flight/conn', size: 32, type: 'text', depth: 1 },
  { id: 'echo-32-d16', group: 'echo', label: 'echo 32 B text, 16 in flight/conn', size: 32, type: 'text', depth: 16 },
  { id: 'echo-64k-d1', group: 'echo', label: 'echo 64 KiB binary, 1 in flight/conn', size: 65536, type: 'binary', depth: 1 },
  { id: 'echo-64k-d4', group: 'echo', label: 'echo 64 KiB binary, 4 in flight/conn', size: 65536, type: 'binary', depth: 4 },
  { id: 'deflate-4k-d1', group: 'deflate', label: 'deflate echo 4 KiB JSON text, 1 in flight/conn', size: 4096, type: 'text', depth: 1, deflate: true },
];
const OTHER_CASES = [
  { id: 'broadcast', group: 'broadcast', get label() { return `broadcast 1 -> ${P.bcastConns} conns, 32 B`; } },
  { id: 'memory', group: 'memory', get label() { return `memory per idle conn (${P.memConns} conns)`; } },
];
const ALL_CASES = [...ECHO_CASES, ...OTHER_CASES];

const SERVERS = {
  baro: { label: 'baro', script: args['baro-server'] ? path.resolve(String(args['baro-server'])) : path.join(ROOT, 'examples', 'echo-server.mjs'),
    groups: ['echo', 'deflate', 'broadcast', 'memory'] },
  ws: { label: 'ws+bufferutil', script: path.join(BENCH, 'servers', 'ws.mjs'), groups: ['echo', 'deflate', 'broadcast', 'memory'] },
  // bufferutil only unmasks inbound payloads >= 32 B: broadcast (one inbound message),
  // idle memory and deflate (zlib-bound) are the same code as `ws`, so echo only.
  'ws-nobu': { label: 'ws (no bufferutil)', script: path.join(BENCH, 'servers', 'ws.mjs'), env: { WS_NO_BUFFER_UTIL: '1' }, groups: ['echo'] },
  uws: { label: 'uWS.js', script: path.join(BENCH, 'servers', 'uws.mjs'), groups: ['echo', 'deflate', 'broadcast', 'memory'] },
  net: { label: 'net echo (ceiling)', script: path.join(BENCH, 'servers', 'net.mjs'), raw: true, groups: ['echo'] },
};

const GROUPS = ['echo', 'deflate', 'broadcast', 'memory', ...SESSION_GROUPS];
const onlyGroups = args.only ? String(args.only).split(',').map((s) => s.trim()) : GROUPS;
for (const g of onlyGroups) if (!GROUPS.includes(g)) fail(`--only: unknown group "${g}" (${GROUPS.join(', ')})`);
const sessionGroups = onlyGroups.filter((g) => SESSION_GROUPS.includes(g));
const sessionServerIds = args['session-servers'] ? String(args['session-servers']).split(',').map((s) => s.trim()) : Object.keys(SESSION_SERVERS);
for (const s of sessionServerIds) if (!SESSION_SERVERS[s]) fail(`--session-servers: unknown server "${s}" (${Object.keys(SESSION_SERVERS).join(', ')})`);
let serverIds = args.servers ? String(args.servers).split(',').map((s) => s.trim()) : Object.keys(SERVERS);
for (const s of serverIds) if (!SERVERS[s]) fail(`--servers: unknown server "${s}" (${Object.keys(SERVERS).join(', ')})`);

const notes = [];
function note(msg) { notes.push(msg); console.log(msg); }
function fail(msg) { console.error(msg); process.exit(2); }

if (serverIds.includes('baro') && !existsSync(SERVERS.baro.script)) {
  note(`baro echo server not found (${path.relative(ROOT, SERVERS.baro.script)}) - skipping baro`);
  serverIds = serverIds.filter((s) => s !== 'baro');
}
if (serverIds.length === 0) fail('no server left to benchmark');

const pin = !args['no-pin'] && hasTaskset() && machine().nproc >= 2;
const SERVER_CORE = pin ? 0 : null, CLIENT_CORE = pin ? 1 : null;
if (!pin) note(`warning: not pinning (taskset ${hasTaskset() ? 'found' : 'missing'}, nproc ${machine().nproc}); numbers are less stable`);
const fds = fdLimit();
for (const k of ['bcastConns', 'memConns']) {
  if (P[k] + 200 > fds) { note(`fd limit ${fds}: lowering ${k} from ${P[k]} to ${fds - 200}`); P[k] = fds - 200; }
}

let nextPort = Number(args['port-base'] || 18100);
async function freePort() {
  for (let i = 0; i < 200; i++) {
    const p = nextPort++;
    if (!(await probePort(p))) return p;
  }
  throw new Error('no free port found');
}

// ------------------------------------------------------------ running ----
async function startServer(id, { deflate = false } = {}) {
  const s = typeof id === 'object' ? id : SERVERS[id]; // an object: a spec from bench/lib/sessions.mjs
  const port = await freePort();
  let info = null;
  const memoryWaiters = [];
  const child = spawnNode({
    script: s.script, args: ['--port', String(port), ...(deflate ? ['--deflate'] : [])], core: SERVER_CORE, nice: P.nice, env: s.env, cwd: ROOT,
    onLine: (l) => {
      if (typeof l !== 'string') return;
      if (l.startsWith('BENCH_INFO ')) { try { info = JSON.parse(l.slice(11)); } catch { /* ignore */ } }
      if (l.startsWith('BENCH_MEM ')) { let m = null; try { m = JSON.parse(l.slice(10)); } catch { /* ignore */ } memoryWaiters.splice(0).forEach((w) => w(m)); }
    },
  });
  /** Asks a server that answers memory probes (bench/lib/cli.mjs) for its memory after GC; null if it does not answer. */
  const probeMemory = (timeoutMs = 5000) => new Promise((resolve) => {
    const t = setTimeout(() => resolve(null), timeoutMs);
    memoryWaiters.push((m) => { clearTimeout(t); resolve(m); });
    child.kill('SIGUSR2');
  });
  const ready = await waitForPort(port, child);
  if (!ready) {
    await stopProcess(child);
    const tail = child.stderrTail().split('\n');
    const why = tail.find((l) => /\w*Error\b/.test(l)) || tail.slice(-3).join(' | ') || 'no output';
    throw new Error(`server did not start: ${why.trim()}`);
  }
  for (let i = 0; i < 10 && !info; i++) await sleep(10); // let BENCH_INFO arrive (baro prints none)
  return { child, port, info: () => info, probeMemory };
}

/** Run a load script pinned to the client core; resolves with its "result" line. */
function runClient(script, clientArgs, { onEvent, timeoutMs }) {
  return new Promise((resolve) => {
    let result = null;
    const child = spawnNode({
      script: path.join(BENCH, 'load', script), args: clientArgs, core: CLIENT_CORE, nice: P.nice, cwd: ROOT,
      onLine: (l) => {
        if (typeof l !== 'object') return;
        if (l.event === 'result') result = l;
        else if (onEvent) onEvent(l, child);
      },
    });
    const t = setTimeout(() => { child.kill('SIGKILL'); }, timeoutMs);
    child.exited.then(({ code, signal }) => {
      clearTimeout(t);
      resolve(result ?? { ok: false, error: `load generator exited ${signal || code} without a result: ${child.stderrTail().slice(-300)}` });
    });
  });
}

async function withServer(id, opts, fn) {
  let srv;
  try { srv = await startServer(id, opts); } catch (e) { return { ok: false, error: e.message }; }
  try {
    let gate = null;
    if (P.waitQuietS > 0) {
      gate = await waitQuiet({ threshold: P.quietThresholdPct, maxMs: Math.min(P.waitQuietS * 1000, quietBudgetMs),
        sampleMs: quick ? 100 : 200, pid: srv.child.pid, pidCore: SERVER_CORE });
      quietBudgetMs -= gate.waitedMs;
    }
    const whole = cpuWindow(srv.child.pid);
    const r = await fn(srv);
    if (gate) r.hostBefore = gate;
    if (pin && r.foreignPct === undefined) {
      // Broadcast/memory: judge both cores over the whole run; the generator reports
      // its lifetime CPU (procCpuMs), which sits inside this window.
      const w = whole();
      const gen = typeof r.procCpuMs === 'number' ? (100 * r.procCpuMs) / w.ms : 0;
      r.foreignPct = Math.max(0, +((w.cores[SERVER_CORE]?.taskPct ?? 0) - w.serverCpuPct).toFixed(1),
        +((w.cores[CLIENT_CORE]?.taskPct ?? 0) - gen).toFixed(1));
    }
    // Judged on what was measured during the run; hostBefore only says whether we had to start anyway.
    // RSS does not depend on CPU contention, so memory runs are never flagged.
    r.disturbed = opts.cpuSensitive !== false && r.foreignPct > 10;
    const alive = srv.child.exitCode === null && srv.child.signalCode === null;
    if (!alive) { r.ok = false; r.error = `server exited during the run (${srv.child.exitCode ?? srv.child.signalCode}): ${srv.child.stderrTail().slice(-300)}`; }
    r.serverInfo = srv.info();
    return r;
  } finally {
    await stopProcess(srv.child);
  }
}

async function runEcho(id, c) {
  return withServer(id, { deflate: !!c.deflate }, async (srv) => {
    let win = null, sample = null;
    const r = await runClient('echo.mjs', [
      '--port', srv.port, '--conns', P.echoConns, '--size', c.size, '--type', c.type, '--depth', c.depth,
      '--warmup', P.warmup, '--duration', P.duration, ...(SERVERS[id].raw ? ['--raw'] : []), ...(c.deflate ? ['--deflate'] : []),
    ].map(String), {
      timeoutMs: (P.warmup + P.duration + 60) * 1000,
      onEvent: (e) => {
        if (e.event === 'mark' && e.name === 'start') win = cpuWindow(srv.child.pid);
        if (e.event === 'mark' && e.name === 'end' && win) sample = win();
      },
    });
    if (sample && pin) {
      r.serverCpuPct = sample.serverCpuPct; r.cores = sample.cores;
      // Other processes' share of each pinned core during the window.
      const own = { 0: sample.serverCpuPct, 1: r.clientCpuPct };
      const core = (i) => sample.cores[pin ? (i === 0 ? SERVER_CORE : CLIENT_CORE) : i];
      r.foreignPct = Math.max(0, ...[0, 1].map((i) => (core(i)?.taskPct ?? 0) - (own[i] ?? 0)).map((x) => +x.toFixed(1)));
    }
    return r;
  });
}

async function runBroadcast(id) {
  return withServer(id, {}, async (srv) => {
    const r = await runClient('broadcast.mjs', ['--port', srv.port, '--conns', P.bcastConns, '--rounds', P.bcastRounds,
      '--warmup-rounds', P.bcastWarmRounds, '--gap-ms', P.bcastGapMs, '--size', 32].map(String), { timeoutMs: 180_000 });
    return r;
  });
}

async function waitQuietRss(pid, { intervalMs = P.rssSampleMs, stableSamples = 4, tolerance = 0.01, maxMs = P.rssMaxWaitMs } = {}) {
  const seen = [];
  const t0 = Date.now();
  while (Date.now() - t0 < maxMs) {
    seen.push(rssKiB(pid));
    const last = seen.slice(-stableSamples);
    if (last.length === stableSamples && (Math.max(...last) - Math.min(...last)) <= tolerance * Math.max(...last)) {
      return { kib: last.at(-1), waitedMs: Date.now() - t0, quiet: true };
    }
    await sleep(intervalMs);
  }
  return { kib: seen.at(-1), waitedMs: Date.now() - t0, quiet: false };
}

async function runMemory(id) {
  return withServer(id, { cpuSensitive: false }, async (srv) => {
    const pid = srv.child.pid;
    let before = null, after = null;
    const r = await runClient('idle.mjs', ['--port', srv.port, '--conns', P.memConns, '--warm', P.memWarm].map(String), {
      timeoutMs: 240_000,
      onEvent: async (e, child) => {
        if (e.event === 'warmed') {
          await sleep(P.memSettleMs);
          before = await waitQuietRss(pid);
          child.stdin.write('go\n');
        } else if (e.event === 'opened') {
          await sleep(P.memSettleMs / 2);
          after = await waitQuietRss(pid);
          child.stdin.write('close\n');
        }
      },
    });
    if (before && after && r.opened > 0) {
      r.rssBeforeKiB = before.kib; r.rssAfterKiB = after.kib; r.quiet = before.quiet && after.quiet;
      r.bytesPerConn = Math.round(((after.kib - before.kib) * 1024) / r.opened);
    } else if (r.ok) { r.ok = false; r.error = 'RSS not sampled'; }
    return r;
  });
}

function primary(caseId, r) {
  if (!r || !r.ok) return null;
  if (caseId === 'broadcast') return r.lastMs?.median ?? null;
  if (caseId === 'memory') return r.bytesPerConn ?? null;
  return r.msgsPerSec ?? null;
}

/** Median rep by the primary metric, taken among undisturbed reps when there are any. */
function pickMedianRep(caseId, reps) {
  const good = reps.filter((r) => primary(caseId, r) !== null);
  if (good.length === 0) return reps.at(-1);
  const clean = good.filter((r) => !r.disturbed);
  const pool = (clean.length ? clean : good).sort((a, b) => primary(caseId, a) - primary(caseId, b));
  const med = pool[(pool.length - 1) >> 1];
  const vals = pool.map((r) => primary(caseId, r));
  return {
    ...med,
    reps: good.map((r) => ({ value: primary(caseId, r), disturbed: r.disturbed, foreignPct: r.foreignPct })),
    usedReps: pool.length,
    spreadPct: vals.length > 1 ? +((100 * (Math.max(...vals) - Math.min(...vals))) / primary(caseId, med)).toFixed(1) : 0,
  };
}

// --------------------------------------------------------------- main ----
const started = Date.now();
console.log(`baro bench: servers ${serverIds.join(', ')} | groups ${onlyGroups.join(', ')} | ${quick ? 'quick' : 'full'} ` +
  `| echo ${P.echoConns} conns, ${P.warmup}s warm-up + ${P.duration}s x ${P.reps} rep(s) | pinned ${pin ? 'server->core 0, load->core 1' : 'no'} | fd limit ${fds}`);

const results = {};
const cases = ALL_CASES.filter((c) => onlyGroups.includes(c.group));
for (const c of cases) {
  results[c.id] = {};
  const ids = serverIds.filter((id) => SERVERS[id].groups.includes(c.group));
  const reps = c.group === 'echo' || c.group === 'deflate' ? P.reps : 1;
  const perServer = Object.fromEntries(ids.map((id) => [id, []]));
  for (let rep = 0; rep < reps; rep++) {
    // Rotate the order each rep so slow drifts on the host do not always hit the same server.
    const order = ids.map((_, i) => ids[(i + rep) % ids.length]);
    for (const id of order) {
      const t0 = Date.now();
      let r;
      if (c.group === 'broadcast') r = await runBroadcast(id);
      else if (c.group === 'memory') r = await runMemory(id);
      else r = await runEcho(id, c);
      perServer[id].push(r);
      console.log(`  ${c.id.padEnd(14)} ${id.padEnd(8)} ${reps > 1 ? `rep ${rep + 1}/${reps} ` : ''}${oneLine(c.id, r)}  (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
    }
  }
  for (const id of ids) results[c.id][id] = pickMedianRep(c.id, perServer[id]);
}

// Session groups (BaroServer transports vs socket.io): own cases, servers, table; see bench/lib/sessions.mjs.
let sessionOut = null;
if (sessionGroups.length) {
  const SP = sessionPlan(quick, args, fds);
  for (const n of SP.notes) note(n);
  console.log(`session groups: ${sessionGroups.join(', ')} | servers ${sessionServerIds.join(', ')} | echo ${SP.sessions} sessions, ` +
    `${SP.warmup}s warm-up + ${SP.duration}s x ${SP.reps} rep(s) | broadcast ${SP.bcastSessions} sessions, ${SP.bcastWarmRounds} + ${SP.bcastRounds} rounds`);
  sessionOut = await runSessionGroups({ groups: sessionGroups, P: SP, servers: sessionServerIds, withServer, runClient, cpuWindow, pin, SERVER_CORE, CLIENT_CORE });
}

function oneLine(caseId, r) {
  if (!r.ok) return `FAILED: ${r.error || (r.verify?.bad ? `verify: ${r.verify.note}` : '') || JSON.stringify(r.failures || r.errors || {}).slice(0, 200)}`;
  const noise = r.disturbed ? `  [DISTURBED: other processes ${r.foreignPct}% of a pinned core]` : '';
  if (caseId === 'broadcast') return `last median ${r.lastMs.median} ms, max ${r.lastMs.max} ms, load gen ${r.clientCpuPct}% cpu${noise}`;
  if (caseId === 'memory') return `${r.bytesPerConn} B/conn (RSS ${(r.rssBeforeKiB / 1024).toFixed(1)} -> ${(r.rssAfterKiB / 1024).toFixed(1)} MiB, ${r.opened} conns)${noise}`;
  return `${r.msgsPerSec.toLocaleString('en-US')} msg/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, load gen ${r.clientCpuPct}% / server ${r.serverCpuPct}% cpu${noise}`;
}

// Ratios against ws+bufferutil, normalized so > 1 means better than ws.
const rows = [];
const cols = serverIds;
for (const c of cases) {
  const res = results[c.id];
  const metrics = c.group === 'broadcast'
    ? [['median ms to last', (r) => r.lastMs?.median, 'lower'], ['max ms to last', (r) => r.lastMs?.max, 'lower'], ['load gen cpu %', (r) => r.clientCpuPct, null]]
    : c.group === 'memory'
      ? [['bytes / idle conn', (r) => r.bytesPerConn, 'lower'], ['RSS after, MiB', (r) => (r.rssAfterKiB ? +(r.rssAfterKiB / 1024).toFixed(1) : null), null]]
      : [['msgs/s', (r) => r.msgsPerSec, 'higher'], ['MB/s', (r) => r.mbPerSec, null], ['p50 ms', (r) => r.latencyMs?.p50, 'lower'],
        ['p99 ms', (r) => r.latencyMs?.p99, 'lower'], ['spread %', (r) => r.spreadPct, null], ['server cpu %', (r) => r.serverCpuPct, null],
        ['load gen cpu %', (r) => r.clientCpuPct, null], ['other procs cpu %', (r) => r.foreignPct, null]];
  for (const [name, get, better] of metrics) {
    if (name === 'MB/s' && c.size < 1024) continue;
    if (name === 'spread %' && P.reps < 2) continue;
    const cells = {};
    for (const id of cols) {
      const r = res[id];
      if (!r) { cells[id] = { text: 'n/a' }; continue; }
      if (!r.ok) { cells[id] = { text: r.error?.includes('deflate') ? 'no deflate' : 'FAILED' }; continue; }
      const v = get(r);
      const ratio = better && res.ws?.ok ? ratioVsWs(v, get(res.ws), better) : null;
      cells[id] = { value: v, ratio, mark: r.disturbed ? '*' : '' };
    }
    rows.push({ case: c.label, metric: name, better, cells });
  }
}

const labels = Object.fromEntries(cols.map((id) => [id, SERVERS[id].label]));
if (rows.length) console.log('\n' + renderTable(rows, cols, labels));
const infos = {};
for (const c of cases) for (const [id, r] of Object.entries(results[c.id])) if (r?.serverInfo && !infos[id]) infos[id] = r.serverInfo;
if (rows.length) console.log('\nratio = vs ws+bufferutil, normalized so > 1.00 is better than ws (throughput x/ws; latency, time, memory ws/x).');
if (infos.ws) console.log(`ws masking: ${JSON.stringify(infos.ws.masking)}`);
if (infos['ws-nobu']) console.log(`ws-nobu masking: ${JSON.stringify(infos['ws-nobu'].masking)}`);
if (infos.uws) console.log(`uWS.js: native=${infos.uws.native}, broadcast via ${infos.uws.broadcast}`);
const clientBound = [];
for (const c of cases) for (const [id, r] of Object.entries(results[c.id])) if (r?.ok && r.clientCpuPct >= 90) clientBound.push(`${c.id}/${id} (${r.clientCpuPct}%)`);
const noisy = [];
let okRuns = 0;
for (const c of cases) for (const [id, r] of Object.entries(results[c.id])) {
  if (!r?.ok) continue;
  okRuns++;
  if (r.disturbed) noisy.push(`${c.id}/${id}`);
}
if (noisy.length) {
  console.log(`WARNING (* in the table): other processes were using these cores during (or right before) ${noisy.length === okRuns ? 'EVERY run kept' : noisy.join(', ')}` +
    ` and no undisturbed rep was available: treat those numbers as noise, rerun when the host is idle (or with --nice -10).`);
}
if (clientBound.length) console.log(`load generator near saturation (>= 90% of its core), those rows may understate the server: ${clientBound.join(', ')}`);
if (sessionOut) console.log('\n' + sessionOut.text);
for (const n of notes) console.log(n);
const elapsed = ((Date.now() - started) / 1000).toFixed(0);
console.log(`done in ${elapsed}s`);

const outFile = args.out ? path.resolve(String(args.out)) : path.join(BENCH, 'results', 'latest.json');
mkdirSync(path.dirname(outFile), { recursive: true });
writeFileSync(outFile, JSON.stringify({
  meta: { date: new Date().toISOString(), elapsedS: Number(elapsed), quick, plan: P, pinned: pin, fdLimit: fds, machine: machine(),
    servers: Object.fromEntries(serverIds.map((id) => [id, { label: SERVERS[id].label, info: infos[id] ?? null }])), notes },
  cases: cases.map(({ id, label, group, size, type, depth, deflate }) => ({ id, label, group, size, type, depth, deflate: !!deflate })),
  results,
  table: rows,
  sessions: sessionOut && { plan: sessionOut.plan, servers: sessionOut.servers, cases: sessionOut.cases, results: sessionOut.results, table: sessionOut.table },
}, null, 2));
console.log(`wrote ${path.relative(process.cwd(), outFile) || outFile}`);
