// Process plumbing for the runner: pinned spawns with a raised fd limit,
// JSON-line stdout, readiness probes, and /proc sampling (CPU, RSS).
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';

export const CLK_TCK = (() => {
  try { return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100; } catch { return 100; }
})();

export const FD_TARGET = 65535;

/** The shell prefix every bench process runs under: raise the fd soft limit as far as allowed. */
const ULIMIT = `ulimit -n ${FD_TARGET} 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null;`;

export function fdLimit() {
  try { return Number(execFileSync('bash', ['-c', `${ULIMIT} ulimit -n`]).toString().trim()); } catch { return NaN; }
}

export function hasTaskset() {
  try { execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' }); return true; } catch { return false; }
}

function shq(s) { return `'${String(s).replace(/'/g, `'\\''`)}'`; }

/**
 * Spawn `node script ...args` pinned to `core` (or unpinned when core is null),
 * through bash so ulimit applies; `exec` keeps the PID equal to node's PID.
 * onLine(obj|string) gets each stdout line (parsed JSON when it parses).
 */
export function spawnNode({ script, args = [], core = null, nice = 0, env = {}, cwd, onLine, onStderr }) {
  const pin = (nice ? `nice -n ${Number(nice)} ` : '') + (core === null ? '' : `taskset -c ${core} `);
  const cmd = `${ULIMIT} exec ${pin}${shq(process.execPath)} ${[script, ...args].map(shq).join(' ')}`;
  const child = spawn('bash', ['-c', cmd], { cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '', errTail = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => {
    out += d;
    let i;
    while ((i = out.indexOf('\n')) !== -1) {
      const line = out.slice(0, i); out = out.slice(i + 1);
      if (!onLine) continue;
      let v = line;
      if (line.startsWith('{')) { try { v = JSON.parse(line); } catch { /* keep string */ } }
      onLine(v);
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => { errTail = (errTail + d).slice(-4000); if (onStderr) onStderr(d); });
  child.stdin.on('error', () => {});
  child.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  child.stderrTail = () => errTail.trim();
  return child;
}

export async function stopProcess(child, graceMs = 2000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const t = setTimeout(() => { try { child.kill('SIGKILL'); } catch { /* gone */ } }, graceMs);
  await child.exited;
  clearTimeout(t);
}

export function probePort(port, host = '127.0.0.1', timeoutMs = 500) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok) => { s.destroy(); resolve(ok); };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

export async function waitForPort(port, child, timeoutMs = 15000) {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    if (await probePort(port)) return true;
    await sleep(20);
  }
  return false;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** utime+stime of a process, in ms. */
export function procCpuMs(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // after "pid (comm) ": f[0] = state (field 3) ... utime = field 14 => f[11], stime => f[12]
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
  } catch { return NaN; }
}

/** Busy/total jiffies per core from /proc/stat (busy excludes idle and iowait). */
export function coreTimes() {
  const out = {};
  try {
    for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
      const m = /^cpu(\d+) (.*)$/.exec(line);
      if (!m) continue;
      const v = m[2].trim().split(/\s+/).map(Number);
      const total = v.slice(0, 8).reduce((a, b) => a + b, 0); // user..steal
      // busy: everything but idle/iowait; task: user+nice+system (what processes are charged,
      // so task minus our own process is other processes' load on that core).
      out[m[1]] = { busy: total - v[3] - v[4], task: v[0] + v[1] + v[2], total, steal: v[7] || 0 };
    }
  } catch { /* not Linux */ }
  return out;
}

export function rssKiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch { return NaN; }
}

function coreDelta(k0, k1) {
  const cores = {};
  for (const id of Object.keys(k1)) {
    if (!k0[id]) continue;
    const dt = k1[id].total - k0[id].total;
    const pct = (x) => (dt > 0 ? +((100 * x) / dt).toFixed(1) : null);
    cores[id] = { busyPct: pct(k1[id].busy - k0[id].busy), taskPct: pct(k1[id].task - k0[id].task), stealPct: pct(k1[id].steal - k0[id].steal) };
  }
  return cores;
}

/** Sampler for a window: server CPU %, per-core busy/task/steal %. */
export function cpuWindow(pid) {
  const c0 = procCpuMs(pid), k0 = coreTimes(), t0 = performance.now();
  return () => {
    const ms = performance.now() - t0;
    return { serverCpuPct: +((100 * (procCpuMs(pid) - c0)) / ms).toFixed(1), cores: coreDelta(k0, coreTimes()), ms: Math.round(ms) };
  };
}

/** Busiest core's busy % over `ms`, not counting `pid` (our idle server) on `pidCore`. */
export async function hostBusy(ms = 300, pid = null, pidCore = null) {
  const w = cpuWindow(pid ?? process.pid);
  await sleep(ms);
  const { cores, serverCpuPct } = w();
  return Math.max(0, ...Object.entries(cores).map(([id, c]) => (c.busyPct ?? 0) - (pid !== null && String(id) === String(pidCore) ? serverCpuPct : 0)));
}

/** Wait (bounded) until no core is busier than `threshold` %. */
export async function waitQuiet({ threshold = 15, maxMs = 20000, sampleMs = 200, pid = null, pidCore = null } = {}) {
  const t0 = Date.now();
  let busy = await hostBusy(sampleMs, pid, pidCore);
  while (busy > threshold && Date.now() - t0 < maxMs) busy = await hostBusy(500, pid, pidCore);
  return { busyPct: +busy.toFixed(1), waitedMs: Date.now() - t0, quiet: busy <= threshold };
}

export function machine() {
  const cpus = os.cpus();
  return { cpuModel: cpus[0]?.model, nproc: cpus.length, node: process.version, platform: `${process.platform}-${process.arch}`,
    kernel: os.release(), memGiB: +(os.totalmem() / 2 ** 30).toFixed(1) };
}
