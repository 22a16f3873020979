// Summarises a V8 .cpuprofile of the quiz server (or of the load generator) by benchmark phase (join, show, open, submit,
// close). The load generator stamps each phase with process.hrtime() in µs, which is the same
// CLOCK_MONOTONIC clock V8 stamps its samples with, so samples can be cut into phase windows.
// Samples are taken on a timer whatever the thread does, so time blocked in a synchronous system
// call (SQLite's fsync) shows under the function that made the call.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

function area(url, name) {
  if (name === '(idle)') return 'idle';
  if (name === '(garbage collector)') return 'gc';
  if (name === '(program)' || name === '(root)') return 'program (native, unattributed)';
  if (!url) return 'V8 builtins / native';
  if (url.includes('/packages/server/')) return 'baro server';
  if (url.includes('/packages/protocol/')) return 'baro protocol';
  if (url.includes('/apps/quiz/')) return 'quiz app';
  if (url.includes('/packages/client/')) return 'baro client';
  if (url.includes('/bench/')) return 'bench load generator';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.startsWith('node:')) return 'node internals';
  return 'other';
}

function label(cf) {
  const url = cf.url.replace(/^file:\/\//, '').replace(ROOT + '/', '');
  return `${cf.functionName || '(anonymous)'}${url ? ` ${url}:${cf.lineNumber + 1}` : ''}`;
}

/**
 * windows: [{ name, round, startUs, endUs }]. Returns { [phase]: { windows, wallMs, sampledMs, idleMs,
 * areas: {area: ms}, self: [[fn, ms]], inclusive: [[fn, ms]] } }.
 */
export function summarizeProfile(file, windows, { top = 15 } = {}) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const lab = new Map(prof.nodes.map((n) => [n.id, label(n.callFrame)]));
  const ar = new Map(prof.nodes.map((n) => [n.id, area(n.callFrame.url, n.callFrame.functionName)]));
  const names = [...new Set(windows.map((w) => w.name))];
  const acc = Object.fromEntries(names.map((n) => [n, { windows: 0, wallMs: 0, sampledMs: 0, idleMs: 0, areas: {}, self: new Map(), inclusive: new Map() }]));
  for (const w of windows) { acc[w.name].windows++; acc[w.name].wallMs += (w.endUs - w.startUs) / 1000; }
  const sorted = [...windows].sort((a, b) => a.startUs - b.startUs);
  let t = prof.startTime, wi = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    t += prof.timeDeltas[i];
    // each sample stands for the interval until the next one
    const dt = (i + 1 < prof.timeDeltas.length ? prof.timeDeltas[i + 1] : 0) / 1000;
    while (wi < sorted.length && sorted[wi].endUs < t) wi++;
    if (wi >= sorted.length) break;
    const w = sorted[wi];
    if (t < w.startUs) continue;
    const a = acc[w.name];
    const id = prof.samples[i];
    a.sampledMs += dt;
    const category = ar.get(id);
    if (category === 'idle') { a.idleMs += dt; continue; }
    a.areas[category] = (a.areas[category] ?? 0) + dt;
    a.self.set(lab.get(id), (a.self.get(lab.get(id)) ?? 0) + dt);
    const seen = new Set();
    for (let n = id; n !== undefined; n = parent.get(n)) {
      const l = lab.get(n);
      if (seen.has(l) || byId.get(n).callFrame.functionName === '(root)') continue;
      seen.add(l);
      a.inclusive.set(l, (a.inclusive.get(l) ?? 0) + dt);
    }
  }
  const r = (x) => +x.toFixed(1);
  const topOf = (m) => [...m.entries()].sort((x, y) => y[1] - x[1]).slice(0, top).map(([k, v]) => [k, r(v)]);
  return Object.fromEntries(Object.entries(acc).map(([k, a]) => [k, {
    windows: a.windows, wallMs: r(a.wallMs), sampledMs: r(a.sampledMs), idleMs: r(a.idleMs),
    areas: Object.fromEntries(Object.entries(a.areas).sort((x, y) => y[1] - x[1]).map(([n, v]) => [n, r(v)])),
    self: topOf(a.self), inclusive: topOf(a.inclusive),
    inclusiveApp: topOf(new Map([...a.inclusive].filter(([k]) => /apps\/quiz\/|better-sqlite3/.test(k)))),
  }]));
}

/**
 * The server's side of each 'open', from the profile: when its sampled stack first shows the host's
 * `command` (the open arrived), when it first writes a player frame (session flushes run as
 * microtasks once the command handler has queued the state for every session), and when that burst
 * ended. The host message's handler (the command, its ack) and then those microtasks run to
 * completion in one go (garbage collection may interrupt them); the burst ends at the first sample
 * that is idle, a timer or an immediate, or, once the flushes started, anything but microtasks. Times in ms from t0 (the load generator's send);
 * resolution: the sampling interval.
 */
export function openBursts(file, windows) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stackHas = (id, test) => { for (let n = id; n !== undefined; n = parent.get(n)) if (test(byId.get(n).callFrame)) return true; return false; };
  const isCommand = (cf) => cf.functionName === 'command' && cf.url.includes('/apps/quiz/');
  const MICROTASKS = new Set(['processTicksAndRejections', 'runMicrotasks']);
  const isMicrotasks = (cf) => MICROTASKS.has(cf.functionName);
  const TIMERS = new Set(['listOnTimeout', 'processTimers', 'processImmediate']);
  const isTimer = (cf) => TIMERS.has(cf.functionName);
  const isWrite = (cf) => cf.functionName === 'writeBuffer' || cf.functionName === 'writev' || cf.functionName === 'writeUtf8String' || cf.functionName === 'writeLatin1String';
  const times = [];
  let t = prof.startTime;
  for (let i = 0; i < prof.samples.length; i++) { t += prof.timeDeltas[i]; times.push(t); }
  const out = [];
  for (const w of windows.filter((x) => x.name === 'open')) {
    let cmdAt = null, firstWriteAt = null, endAt = null, flushing = false;
    for (let i = 0; i < times.length; i++) {
      if (times[i] < w.startUs) continue;
      if (times[i] > w.endUs + 1_000_000) break;
      const id = prof.samples[i];
      if (cmdAt === null) { if (stackHas(id, isCommand)) cmdAt = times[i]; continue; }
      const name = byId.get(id).callFrame.functionName;
      if (name === '(garbage collector)' || name === '(program)') continue;
      const inMicrotasks = stackHas(id, isMicrotasks);
      if (name === '(idle)') { endAt = times[i]; break; }
      if (!flushing) {
        // Still the host message's handler (the command, then its ack), until the flushes start.
        if (inMicrotasks) flushing = true;
        else if (stackHas(id, isTimer)) { endAt = times[i]; break; }
      }
      if (flushing && !inMicrotasks) { endAt = times[i]; break; }
      if (firstWriteAt === null && inMicrotasks && stackHas(id, isWrite)) firstWriteAt = times[i];
    }
    const ms = (x) => (x === null ? null : +((x - w.startUs) / 1000).toFixed(1));
    out.push({ round: w.round, commandAtMs: ms(cmdAt), firstWriteAtMs: ms(firstWriteAt), allWrittenAtMs: ms(endAt) });
  }
  return out;
}

export function renderProfile(summary, phases = ['open', 'submit', 'show', 'close', 'join'], top = 8) {
  const out = [];
  for (const p of phases) {
    const s = summary[p];
    if (!s) continue;
    const busy = s.sampledMs - s.idleMs;
    out.push(`  ${p}: ${s.windows} window(s), ${s.wallMs} ms wall, busy ${busy.toFixed(1)} ms (idle ${s.idleMs} ms)`);
    out.push(`    by area: ${Object.entries(s.areas).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    out.push(`    self:      ${s.self.slice(0, top).map(([k, v]) => `${v} ${k}`).join('\n               ')}`);
    const own = s.inclusiveApp ?? [];
    out.push(`    inclusive (quiz app): ${own.slice(0, top).map(([k, v]) => `${v} ${k}`).join('\n                          ')}`);
  }
  return out.join('\n');
}
