// Session-protocol groups of the runner (bench/run.mjs --only sessions,session-broadcast):
// baro's BaroServer over its four transports against socket.io 4 as the anchor.
//   sessions           N sessions x 1 echo in flight, per transport: msgs/s, p50/p99, CPU
//   session-broadcast  one server-wide emit to N WebSocket sessions: time to the last one
//   (sessions also has a memory row: N idle WebSocket sessions, the server's heap and RSS per
//   session after GC)
// run.mjs hands in its process plumbing (withServer, runClient, cpuWindow); this file
// owns the plan, the cases, the table and the JSON section. See bench/README.md.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, ratioVsWs } from './table.mjs';

const BENCH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const SESSION_GROUPS = ['sessions', 'session-broadcast'];

export const SESSION_SERVERS = {
  baro: { id: 'baro', label: 'baro BaroServer', proto: 'baro', script: path.join(BENCH, 'servers', 'baro-session.mjs'),
    transports: ['websocket', 'sse', 'long-polling', 'polling'] },
  socketio: { id: 'socketio', label: 'socket.io 4', proto: 'socketio', script: path.join(BENCH, 'servers', 'socketio-session.mjs'),
    transports: ['websocket', 'long-polling'] },
  'baro-socketio': { id: 'baro-socketio', label: 'baro @baro/socketio', proto: 'socketio', script: path.join(BENCH, 'servers', 'baro-socketio-session.mjs'),
    transports: ['websocket', 'long-polling'] },
};

export const SESSION_CASES = [
  { id: 'session-ws', group: 'sessions', transport: 'websocket', label: 'session echo: websocket' },
  { id: 'session-sse', group: 'sessions', transport: 'sse', label: 'session echo: SSE down + POST up' },
  { id: 'session-lp', group: 'sessions', transport: 'long-polling', label: 'session echo: long-polling down + POST up' },
  { id: 'session-poll-100ms', group: 'sessions', transport: 'polling', interval: 100, label: 'session echo: polling every 100 ms + POST up' },
  // One poll a second: a 0.7 s window would see less than one cycle, so it gets a longer one.
  { id: 'session-poll-1s', group: 'sessions', transport: 'polling', interval: 1000, minWarmup: 1, minDuration: 2.5,
    label: 'session echo: polling every 1 s + POST up' },
  { id: 'session-idle', group: 'sessions', transport: 'websocket', idle: true, get label() { return `session memory: ${PLAN.idleSessions} idle websocket sessions, after GC`; } },
  { id: 'session-bcast', group: 'session-broadcast', get label() { return `session broadcast: 1 emit -> ${PLAN.bcastSessions} websocket sessions, 32 B`; } },
];

let PLAN = null;

/** The plan for these groups, from the runner's quick flag and arguments. */
export function sessionPlan(quick, args, fdLimit) {
  const P = quick
    ? { warmup: 0.2, duration: 0.7, reps: 1, sessions: 100, bcastSessions: 1000, bcastRounds: 5, bcastWarmRounds: 1, bcastGapMs: 100,
      idleSessions: 500, idleWarm: 50, idleSettleMs: 300 }
    : { warmup: 1, duration: 3, reps: 3, sessions: 100, bcastSessions: 5000, bcastRounds: 10, bcastWarmRounds: 2, bcastGapMs: 200,
      idleSessions: 2000, idleWarm: 100, idleSettleMs: 1000 };
  if (args.warmup !== undefined) P.warmup = Number(args.warmup);
  if (args.duration !== undefined) P.duration = Number(args.duration);
  if (args['session-reps'] !== undefined) P.reps = Math.max(1, Number(args['session-reps']));
  else if (args.reps !== undefined) P.reps = Math.max(1, Number(args.reps));
  if (args['session-count'] !== undefined) P.sessions = Number(args['session-count']);
  if (args['session-bcast-count'] !== undefined) P.bcastSessions = Number(args['session-bcast-count']);
  if (args['session-idle-count'] !== undefined) P.idleSessions = Number(args['session-idle-count']);
  // --session-cases session-ws,session-idle: only these cases (ids of SESSION_CASES).
  P.caseIds = typeof args['session-cases'] === 'string' ? args['session-cases'].split(',').map((id) => id.trim()) : null;
  P.notes = [];
  if (P.bcastSessions + 200 > fdLimit) {
    P.notes.push(`fd limit ${fdLimit}: lowering session broadcast sessions from ${P.bcastSessions} to ${fdLimit - 200}`);
    P.bcastSessions = fdLimit - 200;
  }
  if (P.idleSessions + P.idleWarm + 200 > fdLimit) {
    P.notes.push(`fd limit ${fdLimit}: lowering idle sessions from ${P.idleSessions} to ${fdLimit - 200 - P.idleWarm}`);
    P.idleSessions = fdLimit - 200 - P.idleWarm;
  }
  // Every HTTP session holds two sockets (GET + POST).
  if (2 * P.sessions + 200 > fdLimit) {
    P.notes.push(`fd limit ${fdLimit}: lowering echo sessions from ${P.sessions} to ${Math.floor((fdLimit - 200) / 2)}`);
    P.sessions = Math.floor((fdLimit - 200) / 2);
  }
  PLAN = P;
  return P;
}

function primary(c, r) {
  if (!r || !r.ok) return null;
  if (c.idle) return r.heapPerSession ?? null;
  return c.group === 'session-broadcast' ? r.lastMs?.median ?? null : r.msgsPerSec ?? null;
}

/** Median rep by the primary metric, among undisturbed reps when there are any (as run.mjs does). */
function pickMedianRep(c, reps) {
  const good = reps.filter((r) => primary(c, r) !== null);
  if (good.length === 0) return reps.at(-1);
  const clean = good.filter((r) => !r.disturbed);
  const pool = (clean.length ? clean : good).sort((a, b) => primary(c, a) - primary(c, b));
  const med = pool[(pool.length - 1) >> 1];
  const vals = pool.map((r) => primary(c, r));
  return {
    ...med,
    reps: good.map((r) => ({ value: primary(c, r), disturbed: r.disturbed, foreignPct: r.foreignPct })),
    usedReps: pool.length,
    spreadPct: vals.length > 1 ? +((100 * (Math.max(...vals) - Math.min(...vals))) / primary(c, med)).toFixed(1) : 0,
  };
}

const mib = (bytes) => (bytes / 1048576).toFixed(1);

function oneLine(c, r) {
  if (!r.ok) {
    const why = r.error || (r.verify?.bad ? `verify: ${r.verify.note}` : '') || JSON.stringify({ errors: r.errors, notes: r.errorNotes, failures: r.failures }).slice(0, 300);
    return `FAILED: ${why}`;
  }
  const noise = r.disturbed ? `  [DISTURBED: other processes ${r.foreignPct}% of a pinned core]` : '';
  if (c.idle) {
    return `${r.heapPerSession} B heap, ${r.rssPerSession} B RSS per session (heap ${mib(r.before.heapUsed)} -> ${mib(r.after.heapUsed)} MiB, ${r.opened} sessions)`;
  }
  if (c.group === 'session-broadcast') {
    return `last median ${r.lastMs.median} ms, max ${r.lastMs.max} ms, first ${r.firstMs.median} ms, opened ${r.sessions} in ${r.openMs} ms, load gen ${r.clientCpuPct}% cpu${noise}`;
  }
  return `${r.msgsPerSec.toLocaleString('en-US')} msg/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, load gen ${r.clientCpuPct}% / server ${r.serverCpuPct}% cpu` +
    `${r.httpRequestsPerMsg != null ? `, ${r.httpRequestsPerMsg} HTTP req/msg` : ''}${noise}`;
}

/**
 * Runs the selected session groups. ctx: { groups, P (plan from sessionPlan), servers (ids),
 * withServer, runClient, cpuWindow, pin, SERVER_CORE, CLIENT_CORE }.
 * Returns { cases, results, rows, text, clientBound, noisy, notes }.
 */
export async function runSessionGroups(ctx) {
  const { P, withServer, runClient, cpuWindow, pin, SERVER_CORE, CLIENT_CORE } = ctx;
  const cases = SESSION_CASES.filter((c) => ctx.groups.includes(c.group) && (!P.caseIds || P.caseIds.includes(c.id)));
  const serverIds = ctx.servers;
  const results = {};

  async function runEcho(spec, c) {
    const warmup = Math.max(P.warmup, c.minWarmup ?? 0), duration = Math.max(P.duration, c.minDuration ?? 0);
    return withServer(spec, {}, async (srv) => {
      let win = null, sample = null;
      const r = await runClient('session-echo.mjs', [
        '--port', srv.port, '--proto', spec.proto, '--transport', c.transport, '--interval', c.interval ?? 100,
        '--sessions', P.sessions, '--warmup', warmup, '--duration', duration,
      ].map(String), {
        timeoutMs: (warmup + duration + 60) * 1000,
        onEvent: (e) => {
          if (e.event === 'mark' && e.name === 'start') win = cpuWindow(srv.child.pid);
          if (e.event === 'mark' && e.name === 'end' && win) sample = win();
        },
      });
      if (sample) {
        r.serverCpuPct = sample.serverCpuPct;
        if (r.msgsPerSec > 0) r.serverCpuUsPerMsg = +((sample.serverCpuPct * 1e4) / r.msgsPerSec).toFixed(1);
        if (r.msgsPerSec > 0 && r.clientCpuPct != null) r.clientCpuUsPerMsg = +((r.clientCpuPct * 1e4) / r.msgsPerSec).toFixed(1);
        if (pin) {
          r.cores = sample.cores;
          const own = { [SERVER_CORE]: sample.serverCpuPct, [CLIENT_CORE]: r.clientCpuPct };
          r.foreignPct = Math.max(0, ...[SERVER_CORE, CLIENT_CORE].map((id) => +((sample.cores[id]?.taskPct ?? 0) - (own[id] ?? 0)).toFixed(1)));
        }
      }
      return r;
    });
  }

  /** N idle sessions: the server's heap (after GC) and RSS, before and after they opened. */
  async function runIdle(spec) {
    const settle = () => new Promise((resolve) => setTimeout(resolve, P.idleSettleMs));
    return withServer({ ...spec, env: { ...spec.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc`.trim() } }, { cpuSensitive: false }, async (srv) => {
      let before = null, after = null;
      const r = await runClient('session-idle.mjs', ['--port', srv.port, '--proto', spec.proto, '--sessions', P.idleSessions, '--warm', P.idleWarm].map(String), {
        timeoutMs: 240_000,
        onEvent: async (e, child) => {
          if (e.event === 'warmed') {
            await settle();
            before = await srv.probeMemory();
            child.stdin.write('go\n');
          } else if (e.event === 'opened') {
            await settle();
            after = await srv.probeMemory();
            child.stdin.write('close\n');
          }
        },
      });
      if (before?.gc && after?.gc && r.opened > 0) {
        r.before = before; r.after = after;
        r.heapPerSession = Math.round((after.heapUsed - before.heapUsed) / r.opened);
        r.externalPerSession = Math.round((after.external - before.external) / r.opened);
        r.rssPerSession = Math.round((after.rss - before.rss) / r.opened);
      } else if (r.ok) { r.ok = false; r.error = 'the server answered no memory probe after GC'; }
      return r;
    });
  }

  async function runBroadcast(spec) {
    return withServer(spec, {}, async (srv) => runClient('session-broadcast.mjs', [
      '--port', srv.port, '--proto', spec.proto, '--sessions', P.bcastSessions, '--rounds', P.bcastRounds,
      '--warmup-rounds', P.bcastWarmRounds, '--gap-ms', P.bcastGapMs, '--size', 32,
    ].map(String), { timeoutMs: 180_000 }));
  }

  for (const c of cases) {
    results[c.id] = {};
    const ids = serverIds.filter((id) => c.group === 'session-broadcast'
      ? SESSION_SERVERS[id].transports.includes('websocket')
      : SESSION_SERVERS[id].transports.includes(c.transport));
    const reps = c.group === 'sessions' && !c.idle ? P.reps : 1;
    const perServer = Object.fromEntries(ids.map((id) => [id, []]));
    for (let rep = 0; rep < reps; rep++) {
      const order = ids.map((_, i) => ids[(i + rep) % ids.length]);
      for (const id of order) {
        const t0 = Date.now();
        const spec = SESSION_SERVERS[id];
        const r = c.group === 'session-broadcast' ? await runBroadcast(spec) : c.idle ? await runIdle(spec) : await runEcho(spec, c);
        perServer[id].push(r);
        console.log(`  ${c.id.padEnd(18)} ${id.padEnd(8)} ${reps > 1 ? `rep ${rep + 1}/${reps} ` : ''}${oneLine(c, r)}  (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
      }
    }
    for (const id of ids) results[c.id][id] = pickMedianRep(c, perServer[id]);
  }

  // Table: ratio against socket.io, normalized so > 1.00 means better than socket.io.
  const rows = [];
  for (const c of cases) {
    const res = results[c.id];
    const metrics = c.idle
      ? [['heap bytes / idle session', (r) => r.heapPerSession, 'lower'], ['external bytes / idle session', (r) => r.externalPerSession, null],
        ['RSS bytes / idle session', (r) => r.rssPerSession, 'lower'], ['heap after, MiB', (r) => (r.after ? +mib(r.after.heapUsed) : null), null]]
      : c.group === 'session-broadcast'
      ? [['median ms to last', (r) => r.lastMs?.median, 'lower'], ['max ms to last', (r) => r.lastMs?.max, 'lower'],
        ['median ms to first', (r) => r.firstMs?.median, null], ['open all sessions, ms', (r) => r.openMs, null],
        ['load gen cpu %', (r) => r.clientCpuPct, null]]
      : [['msgs/s', (r) => r.msgsPerSec, 'higher'], ['p50 ms', (r) => r.latencyMs?.p50, 'lower'], ['p99 ms', (r) => r.latencyMs?.p99, 'lower'],
        ['spread %', (r) => r.spreadPct, null], ['server cpu %', (r) => r.serverCpuPct, null],
        ['server cpu us / msg', (r) => r.serverCpuUsPerMsg, 'lower'], ['HTTP requests / msg', (r) => r.httpRequestsPerMsg, null],
        ['load gen cpu %', (r) => r.clientCpuPct, null], ['other procs cpu %', (r) => r.foreignPct, null]];
    for (const [name, get, better] of metrics) {
      if (name === 'spread %' && (P.reps < 2 || c.idle)) continue;
      if (name === 'HTTP requests / msg' && c.transport === 'websocket') continue;
      const cells = {};
      for (const id of serverIds) {
        const r = res[id];
        if (!r) { cells[id] = { text: 'n/a' }; continue; }
        if (!r.ok) { cells[id] = { text: 'FAILED' }; continue; }
        const v = get(r);
        const ratio = better && id !== 'socketio' && res.socketio?.ok ? ratioVsWs(v, get(res.socketio), better) : null;
        cells[id] = { value: v, ratio, mark: r.disturbed ? '*' : '' };
      }
      rows.push({ case: c.label, metric: name, better, cells });
    }
  }

  const clientBound = [], noisy = [];
  for (const c of cases) for (const [id, r] of Object.entries(results[c.id])) {
    if (!r?.ok || c.idle) continue;
    if (r.clientCpuPct >= 90) clientBound.push(`${c.id}/${id} (${r.clientCpuPct}%)`);
    if (r.disturbed) noisy.push(`${c.id}/${id}`);
  }
  const labels = Object.fromEntries(serverIds.map((id) => [id, SESSION_SERVERS[id].label]));
  const lines = [render(rows, serverIds, labels)];
  lines.push('ratio = baro vs socket.io, normalized so > 1.00 is better than socket.io (msgs/s x/sio; latency, time, CPU per msg sio/x).');
  lines.push(`echo: ${P.sessions} sessions, 1 echo in flight each, closed loop; polling rows: the next echo leaves as the previous one` +
    ' arrives in a poll answer, so its answer waits a whole interval (a client emitting at random times waits half of one on average).');
  if (noisy.length) lines.push(`WARNING (* in the table): other processes were using the pinned cores during ${noisy.join(', ')}; treat those numbers as noise.`);
  if (clientBound.length) lines.push(`load generator near saturation (>= 90% of its core), those rows may understate the server: ${clientBound.join(', ')}`);
  return {
    plan: P,
    servers: Object.fromEntries(serverIds.map((id) => [id, { label: SESSION_SERVERS[id].label,
      info: Object.values(results).map((r) => r[id]?.serverInfo).find(Boolean) ?? null }])),
    cases: cases.map(({ id, label, group, transport, interval }) => ({ id, label, group, transport: transport ?? 'websocket', intervalMs: interval ?? null })),
    results, table: rows, text: lines.join('\n'), clientBound, noisy,
  };
}

function render(rows, cols, labels) {
  const cellText = (c) => (c.text ?? (fmt(c.value) + (c.mark || '') + (c.ratio != null ? ` (${c.ratio.toFixed(2)})` : '')));
  const metricW = Math.max(6, ...rows.map((r) => r.metric.length + (r.better ? 2 : 0))) + 2;
  const widths = cols.map((id) => Math.max(labels[id].length, ...rows.map((r) => cellText(r.cells[id]).length)) + 2);
  const line = (first, cells) => first.padEnd(metricW) + cells.map((t, i) => t.padStart(widths[i])).join('');
  const out = [line('', cols.map((id) => labels[id]))];
  out.push('-'.repeat(metricW + widths.reduce((a, b) => a + b, 0)));
  let lastCase = null;
  for (const r of rows) {
    if (r.case !== lastCase) { out.push(r.case); lastCase = r.case; }
    const arrow = r.better === 'higher' ? ' ^' : r.better === 'lower' ? ' v' : '';
    out.push(line(`  ${r.metric}${arrow}`, cols.map((id) => cellText(r.cells[id]))));
  }
  out.push('(^ higher is better, v lower is better; ratio in parentheses vs socket.io, > 1.00 = better than socket.io;');
  out.push(' * = other processes disturbed the run kept; n/a = socket.io has no such transport)');
  return out.join('\n');
}

