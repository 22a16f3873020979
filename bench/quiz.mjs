#!/usr/bin/env node
// Live quiz benchmark: N simulated players (baro sessions over WebSocket) and one host against
// ONE `apps/quiz` server process (its CLI, as a user starts it), server pinned to core 0, players +
// host in one load generator pinned to core 1; loopback only. Players are lean wire-level baro
// session clients by default (--players-impl lean), or real @baro/client clients (--players-impl
// client); the host is always a real @baro/client client.
//
//   node bench/quiz.mjs                          1,000 then 10,000 players, 5 rounds each (~3-4 min)
//   node bench/quiz.mjs --quick                  1,000 players, 3 rounds (~20 s)
//   node bench/quiz.mjs --players 1000,10000 --rounds 5 [--json] [--server-cpu-prof [DIR]]
//   options: --players-impl lean|client (default lean) --warmup-rounds N (default 0)
//            --hold-reads-ms MS (diagnostic: the load generator reads nothing for MS after sending 'open',
//            so what follows is its own time to read every player's frame; default 0) --submitters K (players answering each round, default all; 0 = no submit phase)
//            --batch N (joins in flight, default 100) --settle-ms MS (default 500)
//            --step-timeout-s S (default 30) --submit-timeout-s S (default 60) --timeout-min M (global watchdog, default 10) --db-dir DIR
//            --server-cpu-prof [DIR] --loadgen-cpu-prof [DIR] (V8 CPU profiles, summarised by phase)
//            --port-base P (default 18300) --out FILE --wait-quiet S --nice N --no-pin
// Needs the build (apps/quiz/dist, packages/*/dist): `npm run build` or `npx tsc -b apps/quiz`.
// See bench/README.md ("Live quiz") for what every number means.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, intArg, HOST } from './lib/cli.mjs';
import { spawnNode, stopProcess, waitForPort, probePort, rssKiB, sleep, fdLimit, hasTaskset, machine, waitQuiet } from './lib/proc.mjs';
import { simpleTable } from './lib/quiz-stats.mjs';
import { fmt } from './lib/table.mjs';
import { summarizeProfile, renderProfile, openBursts } from './lib/quiz-profile.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH, '..');
const CLI = path.join(ROOT, 'apps', 'quiz', 'dist', 'cli.js');
const LOAD = path.join(BENCH, 'load', 'quiz-players.mjs');
const PASSWORD = 'bench-password-123';

const args = parseArgs();
const quick = Boolean(args.quick);
const jsonOnly = Boolean(args.json);
const P = {
  playersImpl: String(args['players-impl'] ?? 'lean'),
  holdReadsMs: intArg(args, 'hold-reads-ms', 0),
  players: args.players !== undefined && args.players !== true ? String(args.players).split(',').map((s) => Number(s.trim())) : quick ? [1000] : [1000, 10000],
  rounds: intArg(args, 'rounds', quick ? 3 : 5),
  warmupRounds: intArg(args, 'warmup-rounds', 0),
  batch: intArg(args, 'batch', 100),
  settleMs: intArg(args, 'settle-ms', 500),
  stepTimeoutS: intArg(args, 'step-timeout-s', 30),
  submitTimeoutS: intArg(args, 'submit-timeout-s', 60),
  submitters: args.submitters === undefined || args.submitters === 'all' ? null : intArg(args, 'submitters', null),
  timeoutMin: intArg(args, 'timeout-min', 10),
  waitQuietS: intArg(args, 'wait-quiet', quick ? 3 : 10),
  nice: intArg(args, 'nice', 0),
  portBase: intArg(args, 'port-base', 18300),
  dbDir: args['db-dir'] ? path.resolve(String(args['db-dir'])) : os.tmpdir(),
};
for (const n of P.players) if (!Number.isInteger(n) || n < 1) fail(`--players: "${args.players}" is not a comma list of positive integers`);
if (P.rounds < 1) fail('--rounds must be >= 1');
if (P.playersImpl !== 'lean' && P.playersImpl !== 'client') fail(`--players-impl: lean or client, not "${P.playersImpl}"`);
const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/Z$/, '');
const profDir = args['server-cpu-prof'] ? path.resolve(args['server-cpu-prof'] === true ? path.join(BENCH, 'results', `quiz-prof-${stamp}`) : String(args['server-cpu-prof'])) : null;
const lgProfDir = args['loadgen-cpu-prof'] ? path.resolve(args['loadgen-cpu-prof'] === true ? path.join(BENCH, 'results', `quiz-loadgen-prof-${stamp}`) : String(args['loadgen-cpu-prof'])) : null;
const outFile = args.out ? path.resolve(String(args.out)) : path.join(BENCH, 'results', `quiz-${stamp}.json`);

function fail(msg) { console.error(msg); process.exit(2); }

/** Which build ran: a hash of the server's compiled JS (tests excluded) and the newest file's time. */
function buildFingerprint() {
  const hash = createHash('sha256');
  let newest = 0, files = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((x, y) => (x.name < y.name ? -1 : 1))) {
      const f = path.join(dir, e.name);
      if (e.isDirectory()) { if (e.name !== 'e2e' && e.name !== 'test-support' && e.name !== 'web') walk(f); continue; }
      if (!e.name.endsWith('.js') || e.name.endsWith('.test.js')) continue;
      hash.update(path.relative(ROOT, f)).update(readFileSync(f));
      newest = Math.max(newest, statSync(f).mtimeMs);
      files++;
    }
  };
  for (const d of ['apps/quiz/dist', 'packages/server/dist', 'packages/protocol/dist', 'packages/client/dist']) if (existsSync(path.join(ROOT, d))) walk(path.join(ROOT, d));
  return { sha256: hash.digest('hex').slice(0, 16), files, newestFile: new Date(newest).toISOString() };
}
const log = (...a) => (jsonOnly ? console.error(...a) : console.log(...a));
const notes = [];
const note = (m) => { notes.push(m); log(m); };
const shq = (s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${String(s).replace(/'/g, `'\\''`)}'`);

if (!existsSync(CLI)) fail(`${path.relative(ROOT, CLI)} not found: build first (npm run build, or npx tsc -b apps/quiz)`);

const BUILD = buildFingerprint();
const pin = !args['no-pin'] && hasTaskset() && machine().nproc >= 2;
const SERVER_CORE = pin ? 0 : null, CLIENT_CORE = pin ? 1 : null;
if (!pin) note(`warning: not pinning (taskset ${hasTaskset() ? 'found' : 'missing'}, nproc ${machine().nproc}); numbers are less stable`);
// Each process (server, load generator) holds one socket per player plus a few dozen other fds.
const fds = fdLimit();
P.players = P.players.map((n) => {
  if (n + 200 <= fds) return n;
  note(`fd limit ${fds} (after ulimit -n in the spawn): lowering ${n} players to ${fds - 200}`);
  return fds - 200;
});

// ------------------------------------------------------------- watchdog ----
const children = new Set();
const started = Date.now();
const deadline = started + P.timeoutMin * 60_000;
const results = [];
function writeResults(extra = {}) {
  mkdirSync(path.dirname(outFile), { recursive: true });
  const doc = {
    meta: { date: new Date().toISOString(), elapsedS: Math.round((Date.now() - started) / 1000), command: reproduce(), playersImpl: P.playersImpl, plan: P, quick, pinned: pin, fdLimit: fds,
      machine: machine(), build: BUILD, profDir, loadgenProfDir: lgProfDir, notes, ...extra },
    results,
  };
  writeFileSync(outFile, JSON.stringify(doc, null, 2));
  return doc;
}
function killAll() { for (const c of children) { try { c.kill('SIGKILL'); } catch { /* gone */ } } }
const watchdog = setTimeout(() => {
  console.error(`WATCHDOG: the run exceeded ${P.timeoutMin} min: killing the server and the load generator`);
  killAll();
  try { writeResults({ aborted: 'watchdog' }); } catch { /* best effort */ }
  process.exit(4);
}, P.timeoutMin * 60_000);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { killAll(); process.exit(130); });

function reproduce() {
  return `cd ${shq(ROOT)} && node bench/quiz.mjs ${process.argv.slice(2).map(shq).join(' ')}`.trim();
}

// ---------------------------------------------------------------- helpers ----
let nextPort = P.portBase;
async function freePort() {
  for (let i = 0; i < 200; i++) { const p = nextPort++; if (!(await probePort(p))) return p; }
  throw new Error('no free port found');
}

async function api(base, method, url, body) {
  const res = await fetch(base + url, {
    method, signal: AbortSignal.timeout(10_000),
    headers: { authorization: `Bearer ${PASSWORD}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: HTTP ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

function benchQuiz(questions) {
  return {
    title: `bench quiz (${questions} questions)`, mode: 'cotato',
    questions: Array.from({ length: questions }, (_, i) => ({ type: 'choice', text: `Bench question ${i + 1}: which option is B?`, options: ['A', 'B', 'C', 'D'], answer: 1 })),
  };
}

function runLoad(loadArgs, timeoutMs, onProgress) {
  return new Promise((resolve) => {
    let result = null;
    if (lgProfDir) mkdirSync(lgProfDir, { recursive: true });
    const [script, ...rest] = [...(lgProfDir ? ['--cpu-prof', '--cpu-prof-dir', lgProfDir, '--cpu-prof-interval', '500'] : []), LOAD, ...loadArgs.map(String)];
    const child = spawnNode({
      script, args: rest, core: CLIENT_CORE, nice: P.nice, cwd: ROOT, env: { QUIZ_HOST_PASSWORD: PASSWORD },
      onLine: (l) => {
        if (typeof l !== 'object') return;
        if (l.event === 'result') result = l;
        else if (l.event === 'progress') onProgress(l.msg);
      },
    });
    children.add(child);
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.exited.then(({ code, signal }) => {
      clearTimeout(t);
      children.delete(child);
      if (result && lgProfDir) result.loadgenPid = child.pid;
      resolve(result ?? { ok: false, error: `load generator exited ${signal || code} without a result (timeout ${Math.round(timeoutMs / 1000)} s?): ${child.stderrTail().slice(-400)}` });
    });
  });
}

// ---------------------------------------------------------------- one run ----
async function runCount(n) {
  const row = { players: n, playersImpl: P.playersImpl, ok: false };
  const dir = mkdtempSync(path.join(P.dbDir, 'baro-quiz-bench-'));
  const port = await freePort();
  const base = `http://${HOST}:${port}`;
  const serverArgs = [CLI, '--port', port, '--host', HOST, '--db', path.join(dir, 'quiz.db'), '--sessions-per-address', Math.max(30000, n + 100), '--max-players', Math.max(10000, n), '--joins-per-minute', 1_000_000, '--max-connections', Math.max(20000, 2 * n + 100)].map(String);
  const nodeFlags = profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir, '--cpu-prof-interval', '500'] : [];
  if (profDir) mkdirSync(profDir, { recursive: true });
  let demoCode = null;
  const [script, ...rest] = [...nodeFlags, ...serverArgs];
  const server = spawnNode({
    script, args: rest, core: SERVER_CORE, nice: P.nice, cwd: ROOT, env: { QUIZ_HOST_PASSWORD: PASSWORD },
    onLine: (l) => { const m = typeof l === 'string' && /\(join code (\w+)\)/.exec(l); if (m) demoCode = m[1]; },
  });
  children.add(server);
  row.serverCommand = `QUIZ_HOST_PASSWORD=${PASSWORD} ${pin ? `taskset -c ${SERVER_CORE} ` : ''}node ${[...nodeFlags, ...serverArgs].map((a) => shq(path.isAbsolute(a) && a.startsWith(ROOT) ? path.relative(ROOT, a) : a)).join(' ')}`;
  let peakRss = 0;
  const rssTimer = setInterval(() => { const k = rssKiB(server.pid); if (k > peakRss) peakRss = k; }, 250);
  try {
    if (!(await waitForPort(port, server, 20_000))) throw new Error(`the quiz server did not start: ${server.stderrTail().slice(-400) || 'no output'}`);
    for (let i = 0; i < 50 && !demoCode; i++) await sleep(20);
    if (demoCode) {
      const info = await api(base, 'GET', `/api/join/${demoCode}`);
      row.demo = { code: demoCode, phase: info.phase, title: info.title };
    }
    const questions = Math.max(12, P.rounds + P.warmupRounds);
    const quiz = await api(base, 'POST', '/api/quizzes', { format: 'value', quiz: benchQuiz(questions) });
    const live = await api(base, 'POST', `/api/quizzes/${quiz.id}/live`);
    row.live = { id: live.id, code: live.code, questions };
    row.serverRssIdleKiB = rssKiB(server.pid);
    if (P.waitQuietS > 0) row.hostBefore = await waitQuiet({ maxMs: P.waitQuietS * 1000, pid: server.pid, pidCore: SERVER_CORE });
    if (row.hostBefore && !row.hostBefore.quiet) note(`${n} players: the host was still busy (${row.hostBefore.busyPct}% on a core) after waiting ${P.waitQuietS} s; running anyway`);
    const budgetMs = Math.max(10_000, deadline - Date.now() - 15_000);
    log(`  ${n} players: server pid ${server.pid} on ${base} (live ${live.code}): ${row.serverCommand}`);
    const r = await runLoad([
      '--url', base, '--code', live.code, '--live-id', live.id, '--players', n, '--players-impl', P.playersImpl, '--hold-reads-ms', P.holdReadsMs, '--rounds', P.rounds, '--warmup-rounds', P.warmupRounds,
      ...(P.submitters === null ? [] : ['--submitters', P.submitters]), '--submit-timeout-s', P.submitTimeoutS, '--batch', P.batch, '--settle-ms', P.settleMs, '--step-timeout-s', P.stepTimeoutS, '--join-timeout-s', Math.max(60, Math.ceil(n / 50)),
      '--budget-s', Math.floor(budgetMs / 1000), '--server-pid', server.pid, ...(pin ? ['--pinned'] : []),
    ], budgetMs + 5000, (m) => log(`    ${m}`));
    Object.assign(row, r, { players: n, playersImpl: P.playersImpl });
    delete row.event;
    if (server.exitCode !== null || server.signalCode !== null) {
      row.ok = false;
      row.error = `the server exited during the run (${server.exitCode ?? server.signalCode}): ${server.stderrTail().slice(-400)}`;
    }
  } catch (e) {
    row.ok = false;
    row.error = String(e?.message || e);
  } finally {
    clearInterval(rssTimer);
    row.serverPeakRssKiB = peakRss || null;
    row.serverStderr = server.stderrTail().slice(-1000) || undefined;
    // SIGTERM: the CLI stores what is queued and exits; --cpu-prof writes its profile on that exit.
    await stopProcess(server, 20_000);
    children.delete(server);
    rmSync(dir, { recursive: true, force: true });
  }
  if (profDir && row.phases?.length) {
    const file = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile') && f.includes(`.${server.pid}.`)).map((f) => path.join(profDir, f))[0];
    if (file) {
      try {
        row.profile = { file: path.relative(ROOT, file), phases: summarizeProfile(file, row.phases), openBursts: openBursts(file, row.phases) };
      } catch (e) { row.profile = { file, error: String(e) }; }
    } else row.profile = { error: 'no .cpuprofile written (server killed?)' };
  }
  if (lgProfDir && row.phases?.length) {
    const file = readdirSync(lgProfDir).filter((f) => f.endsWith('.cpuprofile') && f.includes(`.${row.loadgenPid}.`)).map((f) => path.join(lgProfDir, f))[0];
    if (file) {
      try { row.loadgenProfile = { file: path.relative(ROOT, file), phases: summarizeProfile(file, row.phases) }; } catch (e) { row.loadgenProfile = { file, error: String(e) }; }
    } else row.loadgenProfile = { error: 'no .cpuprofile written by the load generator' };
  }
  return row;
}

// ------------------------------------------------------------------ main ----
log(`reproduce: ${reproduce()}`);
log(`quiz bench: players ${P.players.join(', ')} | ${P.rounds} round(s)${P.warmupRounds ? ` + ${P.warmupRounds} warm-up` : ''} | ` +
  `${P.playersImpl === 'lean' ? 'lean wire-level players' : '@baro/client players'} | ` +
  `${P.submitters === null ? 'every player answers' : `${P.submitters} player(s) answer`} each round | ` +
  `pinned ${pin ? 'server->core 0, players+host->core 1' : 'no'} | fd limit ${fds} | db in ${P.dbDir} | build ${BUILD.sha256} (${BUILD.newestFile})${profDir ? ` | server --cpu-prof -> ${path.relative(ROOT, profDir)}` : ''}`);
for (const n of P.players) {
  const t0 = Date.now();
  const row = await runCount(n);
  results.push(row);
  log(`  ${n} players: ${row.ok ? 'done' : `FAILED: ${row.error}`} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
clearTimeout(watchdog);

const MiB = (k) => (k ? +(k / 1024).toFixed(0) : null);
const summaryRows = results.map((r) => {
  const a = r.aggregate;
  const l = a?.openLatencyMs;
  return [
    String(r.players), r.playersImpl, r.ok ? String(a?.rounds ?? '-') : `FAILED (${a?.rounds ?? 0} ok)`, r.join ? +(r.join.ms / 1000).toFixed(1) : null, r.join?.perSec ?? null,
    l?.p50 ?? null, l?.p99 ?? null, l?.max ?? null, a ? Math.max(...a.perRoundP99Ms) : null,
    a?.submitsPerSec.median == null ? '-' : `${fmt(a.submitsPerSec.median)}${r.rounds.some((x) => x.submit?.completed === false) ? ' (INCOMPLETE)' : ''}`, a?.loadgenCpuMsPerRound ?? null, a ? `${a.loadgenCpuMsOpen} / ${a.loadgenCpuMsSubmit}` : '-',
    a ? `${a.serverCpuMsOpen} / ${a.serverCpuMsSubmit}` : '-', MiB(r.serverPeakRssKiB), a?.maxOtherProcsPct ?? null,
  ];
});
const header = ['players', 'players impl', 'rounds', 'join s', 'joins/s', 'open->told p50 ms', 'p99 ms', 'max ms', 'worst round p99', 'submits/s (median)',
  'loadgen cpu ms/round', 'loadgen cpu ms open/submit', 'server cpu ms open/submit', 'server RSS MiB (peak)', 'other procs cpu %'];

if (!jsonOnly) {
  console.log('\n' + simpleTable(header, summaryRows));
  // Fairness (issue 15): when the buttons turn on, and what clock sync costs. Its own table, so the one above keeps its columns.
  const fairRows = results.filter((r) => r.aggregate?.buttonOnSpreadMs).map((r) => {
    const s = r.aggregate.buttonOnSpreadMs, c = r.clockSync;
    return [String(r.players), s.p50, s.p99, s.max, r.aggregate.openLeadMs.join(', '), c?.bytesPerMinute ?? null, c ? `${c.exchanges} in ${c.minutes} min` : '-', c?.uncertaintyMs ?? null];
  });
  if (fairRows.length) {
    console.log('\nbutton on (each player at max(arrival of the announcement, opensAt), wall clock) and clock sync:');
    console.log(simpleTable(['players', 'button-on spread p50 ms', 'p99 ms', 'max ms', 'lead ms per round', 'clock sync B/player/min', 'sync exchanges', 'sync ±ms'], fairRows));
  }
  for (const r of results) {
    if (!r.rounds?.length) continue;
    const rounds = r.rounds.filter((x) => x.open?.latencyMs);
    const int = (v) => (v == null ? '-' : String(v));
    const label = (x) => `${x.round}${x.timed ? '' : ' (warm-up)'}`;
    console.log(`\n${r.players} players (${r.playersImpl}), open -> told per round (latency = arrival of the 'open' state at a player - t0, taken right before the host's 'open' is sent):`);
    console.log(simpleTable(
      ['round', 'first ms', 'p50 ms', 'p99 ms', 'max ms', 'players > 100 ms', 'host ack ms', 'pings / host:state in window', 'ms since last ping', 'loadgen cpu ms', 'server cpu ms', 'show -> all ms'],
      rounds.map((x) => {
        const l = x.open.latencyMs;
        return [label(x), l.min, l.p50, l.p99, l.max, int(x.open.over100ms), x.open.hostAckMs ?? null, `${int(x.open.pingsInWindow)} / ${int(x.open.hostStatesInWindow)}`, int(x.open.msSinceLastPing),
          x.open.loadgenCpuMs, x.open.serverCpuMs, x.showToAllMs ?? null];
      })));
    if (rounds.some((x) => x.submit)) {
      console.log(`${r.players} players (${r.playersImpl}), submissions and close per round (${rounds[0].submit?.submitters ?? '-'} submits fired in one loop once every player saw 'open'):`);
      console.log(simpleTable(
        ['round', 'submits/s', 'accepted', 'first ack ms', 'last ack ms', 'send loop ms', 'loadgen cpu ms', 'server cpu ms', 'tickets', 'close -> all ms', 'loadgen cpu ms/round', 'other procs %'],
        rounds.map((x) => {
          const s = x.submit ?? {};
          return [label(x), s.perSec ?? null, int(s.accepted), s.firstAckMs ?? null, s.lastAckMs ?? null, s.sendLoopMs ?? null, s.loadgenCpuMs ?? null, s.serverCpuMs ?? null,
            s.tickets ? `${s.tickets[0]}-${s.tickets[1]}${s.completed === false ? ' INCOMPLETE' : ''}` : '-', x.closeToAllMs ?? null, x.loadgenCpuMs ?? null, x.otherProcsPct ?? null];
        })));
    }
    if (r.join) console.log(`  join: ${r.join.joined}/${r.join.of} in ${r.join.ms} ms (${r.join.perSec}/s, ${r.join.concurrency} in flight), server cpu ${r.join.serverCpuMs} ms, ` +
      `loadgen cpu ${r.join.loadgenCpuMs} ms; server RSS idle ${MiB(r.serverRssIdleKiB)} MiB -> after join ${MiB(r.join.serverRssKiB)} MiB -> peak ${MiB(r.serverPeakRssKiB)} MiB; ` +
      `host got ${r.hostStates} host:state pushes (${r.hostStateBytes ? `${(r.hostStateBytes / 1048576).toFixed(2)} MiB of JSON for ${r.hostStatePlayers} players` : 'size n/a'}); ` +
      `dropped player clients ${r.dropped ?? 0}${r.dropReasons?.length ? ` ${JSON.stringify(r.dropReasons)}` : ''}`);
    if (r.hostEvents?.length) console.log(`  HOST CONNECTION: ${r.hostEvents.map((e) => `${e.type}${e.code ? ` ${e.code}` : ''}${e.reason ? ` "${e.reason}"` : ''} (round ${e.round}, t=${e.atS}s)`).join('; ')}`);
    if (rounds.some((x) => x.open.readAfterHoldMs)) {
      console.log(`  --hold-reads-ms ${P.holdReadsMs} (diagnostic: latencies above include the hold): after the hold, the load generator read every player's 'open' in ` +
        `${rounds.map((x) => `${x.open.readAfterHoldMs.max} ms`).join(', ')} (p50 ${rounds.map((x) => x.open.readAfterHoldMs.p50).join(', ')} ms; ` +
        `pings answered meanwhile ${rounds.map((x) => x.open.pingsInWindow).join(', ')}, receipts ${rounds.map((x) => x.open.receiptsSentInWindow ?? '-').join(', ')})`);
    }
    if (r.aggregate) console.log(`  all ${r.aggregate.openLatencyMs.n} samples: ${JSON.stringify(r.aggregate.openLatencyMs)}; per-round max ${r.aggregate.perRoundMaxMs.join(', ')} ms; ` +
      `rounds with server pings answered in the window: ${r.aggregate.roundsWithPingsInWindow} of ${r.aggregate.rounds}`);
    if (r.lean) {
      const L = r.lean;
      console.log(`  lean players: ${L.framesIn} frames read, ${L.statesScanned} states scanned (${L.scanChecks} cross-checked with JSON.parse: ${L.scanMismatches} mismatches; ` +
        `${L.scanFallbacks} parsed because the scan could not read them), ${L.receiptsSent} receipts sent, ${L.pingsAnswered} pings and ${L.heartbeats} heartbeats answered, ` +
        `${L.gaps} sequence gaps, ${L.stray} stray packets, ${L.notices} notices, ${L.closePackets} close packets`);
    }
    const sb = r.rounds.find((x) => x.stateBytes)?.stateBytes;
    if (sb) console.log(`  message sizes (JSON, round 0): state shown ${sb.shown ?? '-'} B, open ${sb.open ?? '-'} B, closed ${sb.closed ?? '-'} B; own view (you) ${r.rounds[0].youBytes ?? '-'} B`);
    if (r.profile?.openBursts) {
      console.log(`  server side of each open (from the profile, ms after t0): ${r.profile.openBursts.map((b) => `round ${b.round}: command at ${b.commandAtMs}, first frame written at ${b.firstWriteAtMs ?? '-'}, every frame written by ${b.allWrittenAtMs}`).join('; ')}`);
    }
    if (r.profile?.phases) console.log(`  server cpu profile (${r.profile.file}), by phase:\n${renderProfile(r.profile.phases)}`);
    else if (r.profile?.error) console.log(`  server cpu profile: ${r.profile.error}`);
    if (r.loadgenProfile?.phases) console.log(`  load generator cpu profile (${r.loadgenProfile.file}), by phase:\n${renderProfile(r.loadgenProfile.phases)}`);
    else if (r.loadgenProfile?.error) console.log(`  load generator cpu profile: ${r.loadgenProfile.error}`);
  }
  const spread = results.filter((r) => r.aggregate?.buttonOnSpreadMs);
  for (const r of spread) {
    const p99 = r.aggregate.buttonOnSpreadMs.p99;
    console.log(`target (issue 15): button-on spread p99 <= 10 ms for ${r.players} players on loopback: ${p99 <= 10 ? 'MET' : 'NOT MET'} (p99 ${p99} ms)`);
  }
  const big = results.find((r) => r.players === 10000 && r.aggregate);
  if (big) {
    const p99 = big.aggregate.openLatencyMs.p99;
    console.log(`\ntarget (product issue): open->told p99 < 100 ms for 10,000 players on one core: ${p99 < 100 ? 'MET' : 'NOT MET'} ` +
      `(p99 ${p99} ms over ${big.aggregate.rounds} round(s), ${big.playersImpl} players${big.ok ? '' : ', run FAILED later'})`);
  }
  const busy = results.filter((r) => (r.aggregate?.maxOtherProcsPct ?? 0) > 10);
  if (busy.length) console.log(`WARNING: other processes used > 10 % of a pinned core during ${busy.map((r) => `${r.players} players`).join(', ')}: treat those figures as noisy`);
  for (const r of results) if (!r.ok) console.log(`FAILED ${r.players} players: ${r.error}`);
}
const doc = writeResults();
if (jsonOnly) console.log(JSON.stringify(doc, null, 2));
else console.log(`done in ${doc.meta.elapsedS}s; wrote ${path.relative(process.cwd(), outFile) || outFile}`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
