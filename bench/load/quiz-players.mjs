#!/usr/bin/env node
// Load generator of the quiz benchmark (bench/quiz.mjs): N simulated players and one host in this
// one process (pinned to core 1 by the runner). Speaks apps/quiz/src/shared/protocol.ts.
// The host is always a real baro client (`@baro/client` over baro's Node WebSocket). The players:
//   --players-impl lean    (default) wire-level baro sessions on raw `net` sockets (quiz-lean.mjs):
//                          `state` frames are scanned, not parsed, so reading 10,000 of them costs
//                          this core a few tens of ms instead of ~200 ms;
//   --players-impl client  real `@baro/client` clients, like the host.
//
//   node bench/load/quiz-players.mjs --url http://127.0.0.1:P --code CODE --live-id ID --players N
//        [--players-impl lean|client --hold-reads-ms 0 --rounds 5 --warmup-rounds 0 --submitters N (default: all) --batch 500 --settle-ms 500
//         --step-timeout-s 30 --submit-timeout-s 60 --join-timeout-s 120 --budget-s 300 --server-pid PID --pinned]
//   host password: env QUIZ_HOST_PASSWORD.
//
// Prints JSON lines: {event:'progress', msg} while it runs and one {event:'result', ...} at the end
// (also on failure, with what was measured so far). Every wait is bounded; a watchdog ends the
// process after --budget-s whatever happens.
import { createServer as createNetServer, connect as netConnect } from 'node:net';
import { ClockSync, connect } from '@baro/client';
import { WebSocket } from 'baro';
import { LeanPlayer, leanStats, CHECK_EVERY } from './quiz-lean.mjs';
import { parseArgs, intArg } from '../lib/cli.mjs';
import { procCpuMs, rssKiB, cpuWindow, sleep } from '../lib/proc.mjs';
import { summary, r1, r2 } from '../lib/quiz-stats.mjs';

const args = parseArgs();
const URL_ = String(args.url || '');
const CODE = String(args.code || '');
const LIVE_ID = String(args['live-id'] || '');
const N = intArg(args, 'players', 1000);
const ROUNDS = intArg(args, 'rounds', 5);
const WARMUP = intArg(args, 'warmup-rounds', 0);
const BATCH = Math.max(1, intArg(args, 'batch', 500));
const SETTLE_MS = intArg(args, 'settle-ms', 500);
const SUBMITTERS = Math.min(N, Math.max(0, intArg(args, 'submitters', N)));
const STEP_MS = intArg(args, 'step-timeout-s', 30) * 1000;
const SUBMIT_MS = intArg(args, 'submit-timeout-s', 60) * 1000;
const JOIN_MS = intArg(args, 'join-timeout-s', 120) * 1000;
const BUDGET_MS = intArg(args, 'budget-s', 300) * 1000;
const SERVER_PID = args['server-pid'] ? Number(args['server-pid']) : null;
const PINNED = Boolean(args.pinned);
const PASSWORD = process.env.QUIZ_HOST_PASSWORD || '';
const OPTIONS = 4; // every question has 4 options, the correct one is 1
const IMPL = String(args['players-impl'] ?? 'lean');
if (IMPL !== 'lean' && IMPL !== 'client') { console.error(`--players-impl: lean or client, not "${IMPL}"`); process.exit(2); }
const LEAN = IMPL === 'lean';
const HOLD_MS = intArg(args, 'hold-reads-ms', 0);

const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const progress = (msg) => out({ event: 'progress', msg });
const hrUs = () => Number(process.hrtime.bigint() / 1000n); // CLOCK_MONOTONIC, same clock as V8's .cpuprofile
const now = () => performance.now();
const srvCpu = () => (SERVER_PID ? procCpuMs(SERVER_PID) : NaN);
const srvRss = () => (SERVER_PID ? rssKiB(SERVER_PID) : NaN);
const cpuMs = (u) => (u.user + u.system) / 1000;

if (!URL_ || !CODE || !LIVE_ID) { console.error('--url, --code and --live-id are required'); process.exit(2); }

// ------------------------------------------------------------------ result & watchdog ----
const result = { event: 'result', ok: false, players: N, playersImpl: IMPL, rounds: [], phases: [], join: null, notes: [] };
let finished = false;
function finish(ok, error) {
  if (finished) return;
  finished = true;
  result.ok = ok;
  if (error) result.error = error;
  for (const x of result.rounds) { delete x._lat; delete x._spread; }
  result.dropped = dropped;
  result.dropReasons = [...dropReasons.entries()].slice(0, 5);
  result.hostStates = hostStates;
  result.hostEvents = hostEvents.slice(0, 20);
  result.pingsAnswered = pings;
  if (LEAN) result.lean = { ...leanStats, checkEvery: CHECK_EVERY };
  result.loadgenCpuMs = r1(cpuMs(process.cpuUsage()));
  result.loadgenMaxRssKiB = Math.round(process.resourceUsage().maxRSS);
  // Pipes are written synchronously on Linux: the line is out before we exit.
  process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(ok ? 0 : 1));
}
const watchdog = setTimeout(() => finish(false, `load generator watchdog: still running after ${BUDGET_MS / 1000} s`), BUDGET_MS);
process.on('uncaughtException', (e) => finish(false, `uncaught: ${e?.stack || e}`));
process.on('unhandledRejection', (e) => finish(false, `unhandled rejection: ${e?.stack || e}`));

// ------------------------------------------------------------------------ waiting ----
// One waiter at a time: counters are bumped by the event handlers, which poke the waiter.
const counts = { shown: 0, you: 0, open: 0, closed: 0, replies: 0 };
let waiter = null;
function poke() { if (waiter && waiter.pred()) { const w = waiter; waiter = null; clearTimeout(w.timer); w.resolve(true); } }
function until(pred, timeoutMs) {
  if (pred()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const w = { pred, resolve, timer: setTimeout(() => { if (waiter === w) waiter = null; resolve(false); }, timeoutMs) };
    waiter = w;
  });
}
function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([promise, new Promise((_, reject) => { t = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(t));
}

// ------------------------------------------------------------------------ clients ----
let pings = 0, lastPingAt = -Infinity, dropped = 0, hostStates = 0, lastHostState = null, hostStatesInOpen = 0, inOpen = false;
const hostEvents = [];
const dropReasons = new Map();
const clientOptions = { WebSocket, transports: ['websocket'], reconnect: false, ackTimeout: STEP_MS, openTimeout: 15_000 };

const PORT = Number(new URL(URL_).port || 80);

function makeClient() {
  const client = connect(URL_, clientOptions);
  client.on('ping', (_data, ack) => { onPing(); ack({}); });
  return client;
}
function onPing() { pings++; lastPingAt = now(); }
function onDropped(key) {
  dropped++;
  dropReasons.set(key, (dropReasons.get(key) ?? 0) + 1);
}

// The round being measured: which question, and per-player flags reset at every round.
// stateBytes: size of the 'state' message body per stage, as player 0 received it (one JSON.stringify per stage).
const round = { index: -1, stateBytes: {} };
class Player {
  constructor(i) {
    this.i = i;
    this.nickname = `p${i}`; // letters/digits, <= 20 chars, unique
    this.version = -1;
    this.client = null; // --players-impl client: a BaroClient
    this.lean = null;   // --players-impl lean: a LeanPlayer
    this.reset();
  }
  reset() { this.shown = false; this.you = false; this.openAt = 0; this.closedAt = 0; this.reply = null; this.replyAt = 0; }
}
const players = Array.from({ length: N }, (_, i) => new Player(i));

// What a player does with a `state` (stage, question index, version; `s` = the parsed state when
// there is one: always in client mode, for player 0 and the cross-checked players in lean mode) and
// with its own view. `t` is the arrival time (client: when the handler runs; lean: when the
// socket's bytes were read).
function onPlayerState(p, stage, questionIndex, version, t, s) {
  if (version < p.version) return; // "a client ignores a state older than the one it has"
  p.version = version;
  if (questionIndex === null || questionIndex !== round.index) return;
  if (p.i === 0 && stage && s && round.stateBytes[stage] === undefined) round.stateBytes[stage] = JSON.stringify(s).length;
  // The opening instant (server clock) is in the announcement, the same bytes for every player.
  if (stage === 'open' && s?.opensAt != null) round.opensAt = s.opensAt;
  if (stage === 'open') { if (!p.openAt) { p.openAt = t; counts.open++; } }
  else if (stage === 'shown') { if (!p.shown) { p.shown = true; counts.shown++; } }
  else if (stage === 'closed') { if (!p.closedAt) { p.closedAt = t; counts.closed++; } }
  else return;
  poke();
}
function onPlayerYou(p, view) {
  if (p.i === 0 && round.youBytes === undefined && view) round.youBytes = JSON.stringify(view).length;
  if (!p.you) { p.you = true; counts.you++; poke(); }
}

function attach(p) {
  const c = p.client;
  c.on('state', (s) => {
    const t = now();
    onPlayerState(p, s.stage, s.question ? s.question.index : null, s.version, t, s);
  });
  c.on('you', (view) => onPlayerYou(p, view));
  c.onState((e) => {
    if (e.type !== 'closed' || finished) return;
    onDropped(`${e.code} ${e.reason}`);
  });
}

const leanHooks = {
  state: (lp, stage, questionIndex, version, t, s) => onPlayerState(players[lp.i], stage, questionIndex, version, t, s),
  you: (lp, _bytes, view) => onPlayerYou(players[lp.i], view),
  ping: () => onPing(),
  dropped: (_lp, reason) => { if (!finished) onDropped(reason); },
};
/** A lean player's event with an answer, as a promise (rejects on timeout or a dropped socket). */
function leanAck(lp, name, data, timeoutMs) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer to "${name}" within ${timeoutMs} ms`)), timeoutMs);
    lp.emitWithAck(name, data, (reply, error) => {
      clearTimeout(t);
      if (error !== undefined) reject(new Error(`"${name}": ${error}`));
      else resolve(reply);
    });
  });
}

/** Opens player p's session and joins: resolves the join reply. */
async function joinOne(p, timeoutMs) {
  const request = { code: CODE, nickname: p.nickname };
  if (!LEAN) {
    p.client = makeClient();
    attach(p);
    return p.client.emitWithAck('join', request, { timeout: timeoutMs });
  }
  p.lean = new LeanPlayer(p.i, PORT, leanHooks);
  const t0 = now();
  await p.lean.open(Math.min(timeoutMs, 15_000));
  return leanAck(p.lean, 'join', request, Math.max(1, timeoutMs - (now() - t0)));
}

async function joinAll() {
  let next = 0, ok = 0;
  const errors = new Map();
  const t0 = now(), h0 = hrUs(), c0 = process.cpuUsage(), s0 = srvCpu();
  let lastReport = t0;
  const worker = async () => {
    while (next < N && !finished) {
      const p = players[next++];
      try {
        const reply = await joinOne(p, Math.min(STEP_MS, JOIN_MS));
        if (!reply?.ok) throw new Error(reply?.error || 'join refused');
        p.version = Math.max(p.version, reply.state?.version ?? -1);
        ok++;
      } catch (e) {
        const k = String(e?.message || e).slice(0, 120);
        errors.set(k, (errors.get(k) ?? 0) + 1);
      }
      if (now() - lastReport > 5000) { lastReport = now(); progress(`joined ${ok}/${N} (${((now() - t0) / 1000).toFixed(1)} s)`); }
    }
  };
  const all = Promise.all(Array.from({ length: Math.min(BATCH, N) }, worker));
  const done = await Promise.race([all.then(() => true), sleep(JOIN_MS).then(() => false)]);
  const ms = now() - t0;
  result.phases.push({ name: 'join', round: null, startUs: h0, endUs: hrUs() });
  result.join = {
    ms: Math.round(ms), joined: ok, of: N, perSec: Math.round((ok * 1000) / ms), concurrency: Math.min(BATCH, N),
    loadgenCpuMs: r1(cpuMs(process.cpuUsage(c0))), serverCpuMs: r1(srvCpu() - s0), serverRssKiB: srvRss(),
    errors: [...errors.entries()].slice(0, 5),
  };
  if (!done) throw new Error(`joining did not finish within ${JOIN_MS / 1000} s (${ok}/${N} joined)`);
  if (ok !== N) throw new Error(`${N - ok} of ${N} players could not join: ${JSON.stringify([...errors.entries()].slice(0, 3))}`);
}

// --------------------------------------------------------------------------- host ----
// The host reconnects (as the host page does) and says host:hello again when the server could not
// resume its session; every drop is recorded (hostEvents) and reported.
let host = null;
async function hostHello() {
  const hello = await withTimeout(host.emitWithAck('host:hello', { liveId: LIVE_ID, password: PASSWORD }, { timeout: STEP_MS }), STEP_MS + 1000, 'host:hello');
  if (!hello?.ok) throw new Error(`host:hello: ${hello?.error || 'refused'}`);
}
function connectHost() {
  host = connect(URL_, { ...clientOptions, reconnect: { initialDelay: 100, maxDelay: 1000 } });
  host.on('ping', (_data, ack) => ack({}));
  host.on('host:state', (state) => { hostStates++; lastHostState = state; if (inOpen) hostStatesInOpen++; });
  host.onState((e) => {
    if (e.type === 'closed' || e.type === 'reconnecting' || e.type === 'resync') {
      hostEvents.push({ type: e.type, code: e.code, reason: e.reason, round: round.index, atS: r1(now() / 1000) });
    }
    if (e.type === 'resync') hostHello().catch((err) => hostEvents.push({ type: 'hello-failed', reason: String(err?.message || err) }));
  });
}
async function hostCommand(command) {
  for (let attempt = 0; ; attempt++) {
    const reply = await withTimeout(host.emitWithAck('host:command', command, { timeout: STEP_MS }), STEP_MS + 1000, `host ${command.command}`);
    if (reply?.ok) return;
    // Reconnected under a new session and the command got there before host:hello: say hello, retry once.
    if (attempt === 0 && /host:hello/.test(reply?.error ?? '')) { await hostHello(); continue; }
    throw new Error(`host ${command.command}: ${reply?.error || 'refused'}`);
  }
}

// ------------------------------------------------------------------------- rounds ----
let lastTicket = null;

async function playRound(r) {
  const timed = r >= WARMUP;
  const rec = { round: r, question: r, timed };
  result.rounds.push(rec);
  const roundCpu0 = process.cpuUsage(), roundT0 = now(), roundWin = SERVER_PID ? cpuWindow(SERVER_PID) : null;
  for (const p of players) p.reset();
  for (const k of Object.keys(counts)) counts[k] = 0;
  round.index = r;
  round.stateBytes = {};
  round.youBytes = undefined;

  // --- show (first round) / next: every player must have the shown state and its own view.
  let h = hrUs(), t = now();
  await hostCommand(r === 0 ? { command: 'show', index: 0 } : { command: 'next' });
  if (!(await until(() => counts.shown >= N && counts.you >= N, STEP_MS))) {
    throw new Error(`round ${r}: only ${counts.shown}/${N} players saw question ${r} shown (${counts.you} got their view) within ${STEP_MS} ms`);
  }
  rec.showToAllMs = r1(now() - t);
  result.phases.push({ name: 'show', round: r, startUs: h, endUs: hrUs() });
  await sleep(SETTLE_MS); // let receipts, host pushes and the personal views drain

  // --- open: t0 right before the command leaves; each player stamps its 'open' state on arrival.
  const pings0 = pings, sinceLastPing = now() - lastPingAt;
  hostStatesInOpen = 0; inOpen = true;
  const oc0 = process.cpuUsage(), os0 = srvCpu(), receipts0 = leanStats.receiptsSent;
  h = hrUs();
  const t0 = now();
  let hostAckAt = 0, openError = null;
  const openAck = hostCommand({ command: 'open' }).then(() => { hostAckAt = now(); }, (e) => { openError = e; });
  // Diagnostic (--hold-reads-ms): keep this process busy so that the server writes every frame before
  // any player reads one; what follows the hold is then this load generator's own reading time.
  let holdEndMs = null;
  if (HOLD_MS > 0) { const end = now() + HOLD_MS; while (now() < end); holdEndMs = now() - t0; }
  const allOpen = await until(() => counts.open >= N, STEP_MS);
  const tOpenEnd = now();
  inOpen = false;
  const ocu = process.cpuUsage(oc0);
  rec.open = {
    windowMs: r2(tOpenEnd - t0), loadgenCpuMs: r1(cpuMs(ocu)), loadgenUserMs: r1(ocu.user / 1000), loadgenSystemMs: r1(ocu.system / 1000),
    serverCpuMs: r1(srvCpu() - os0), serverRssKiB: srvRss(), ...(LEAN ? { receiptsSentInWindow: leanStats.receiptsSent - receipts0 } : {}),
    pingsInWindow: pings - pings0, hostStatesInWindow: hostStatesInOpen, msSinceLastPing: Number.isFinite(sinceLastPing) ? Math.round(sinceLastPing) : null,
  };
  result.phases.push({ name: 'open', round: r, startUs: h, endUs: hrUs() });
  await openAck;
  if (openError) throw openError;
  rec.open.hostAckMs = r2(hostAckAt - t0);
  if (!allOpen) throw new Error(`round ${r}: only ${counts.open}/${N} players were told 'open' within ${STEP_MS} ms`);
  const lat = new Float64Array(N);
  for (let i = 0; i < N; i++) lat[i] = players[i].openAt - t0;
  rec.open.latencyMs = summary(lat);
  if (holdEndMs !== null) {
    rec.open.holdEndMs = r2(holdEndMs);
    const after = lat.map((v) => v - holdEndMs);
    rec.open.readAfterHoldMs = summary(after);
  }
  rec.open.over100ms = lat.reduce((a, v) => a + (v > 100 ? 1 : 0), 0);
  rec._lat = lat; // aggregated below, not printed
  // Button on: each page turns it on at the opening instant by its synced clock, or when the
  // announcement arrives if that is later. Every simulated player shares this machine's clock with
  // the server (a perfectly synced clock), so the spread is what the announcement's lead and its
  // delivery leave: max(arrival, opensAt) across players, in wall time.
  if (round.opensAt != null) {
    const on = new Float64Array(N);
    for (let i = 0; i < N; i++) on[i] = Math.max(performance.timeOrigin + players[i].openAt, round.opensAt);
    const first = on.reduce((a, v) => Math.min(a, v), Infinity);
    rec.open.buttonOnSpreadMs = summary(on.map((v) => v - first));
    rec.open.leadMs = r1(round.opensAt - (performance.timeOrigin + t0));
    rec._spread = on.map((v) => v - first);
    // Answers are accepted from the opening instant on: an earlier one would be a false start.
    const wait = round.opensAt - Date.now() + 1;
    if (wait > 0) await sleep(wait);
  }
  round.opensAt = null;

  // --- submit: every player has seen 'open'; fire all submits (the first SUBMITTERS players) in one synchronous loop.
  const M = SUBMITTERS;
  if (M > 0) await submitPhase(r, rec, M);

  // --- close: every player must see 'closed' (the reveal and their own view) before the next round.
  h = hrUs(); t = now();
  await hostCommand({ command: 'close' });
  if (!(await until(() => counts.closed >= N, STEP_MS))) throw new Error(`round ${r}: only ${counts.closed}/${N} players saw 'closed' within ${STEP_MS} ms`);
  rec.closeToAllMs = r1(now() - t);
  result.phases.push({ name: 'close', round: r, startUs: h, endUs: hrUs() });
  await sleep(Math.min(SETTLE_MS, 200));

  rec.stateBytes = round.stateBytes;
  rec.youBytes = round.youBytes;
  if (LEAN && leanStats.scanMismatches) {
    throw new Error(`round ${r}: LEAN PLAYER CHECK FAILED: ${leanStats.scanMismatches} state frame(s) scanned differently from JSON.parse (${leanStats.mismatchNote})`);
  }
  const roundMs = now() - roundT0, roundCpu = cpuMs(process.cpuUsage(roundCpu0));
  rec.roundMs = Math.round(roundMs);
  rec.loadgenCpuMs = r1(roundCpu);
  if (roundWin) {
    const w = roundWin();
    rec.serverCpuPct = w.serverCpuPct;
    // Other processes on the cores we use: core task time minus our own processes' share.
    if (PINNED) {
      const lg = (100 * roundCpu) / roundMs;
      rec.otherProcsPct = r1(Math.max(0, (w.cores['0']?.taskPct ?? 0) - w.serverCpuPct, (w.cores['1']?.taskPct ?? 0) - lg));
    }
  }
  const l = rec.open.latencyMs;
  progress(`round ${r}${timed ? '' : ' (warm-up)'}: open->told p50 ${l.p50} p99 ${l.p99} max ${l.max} ms (first ${l.min}); ` +
    (rec.open.readAfterHoldMs ? `after the ${rec.open.holdEndMs} ms hold: every player read in ${rec.open.readAfterHoldMs.max} ms; ` : '') +
    (rec.submit ? `${rec.submit.perSec} submits/s (${rec.submit.accepted} in ${rec.submit.lastAckMs} ms); ` : '') +
    `loadgen ${rec.loadgenCpuMs} ms cpu; pings in window ${rec.open.pingsInWindow}`);
}

async function submitPhase(r, rec, M) {
  const sc0 = process.cpuUsage(), ss0 = srvCpu();
  const h = hrUs();
  const ts = now();
  let lastReplyAt = 0, firstReplyAt = 0, failures = 0;
  const failReasons = new Map();
  const onReply = (p, reply) => {
    const at = now();
    if (p.reply) { failReasons.set('second reply', (failReasons.get('second reply') ?? 0) + 1); failures++; return; }
    p.reply = reply; p.replyAt = at;
    if (!firstReplyAt) firstReplyAt = at;
    lastReplyAt = at;
    counts.replies++; poke();
  };
  const onFail = (e) => { failures++; const k = String(e?.reason || e?.message || e); failReasons.set(k, (failReasons.get(k) ?? 0) + 1); counts.replies++; poke(); };
  for (let i = 0; i < M; i++) {
    const p = players[i];
    const request = { questionIndex: r, answer: p.i % OPTIONS, clientSubmissionId: `q${r}-p${p.i}` };
    if (LEAN) {
      // No per-submit timer: the wait below is bounded, and a reply missing then fails the check.
      p.lean.emitWithAck('submit', request, (reply, error) => (error === undefined ? onReply(p, reply) : onFail(error)));
    } else {
      p.client.emitWithAck('submit', request, { timeout: SUBMIT_MS + 5000 }).then((reply) => onReply(p, reply), onFail);
    }
  }
  const tSent = now();
  // Bounded: the acks' own timeout is 5 s longer, so a reply missing here is one the server has not sent.
  const allReplied = await until(() => counts.replies >= M, SUBMIT_MS);
  const submitWall = lastReplyAt - ts;
  rec.submit = {
    submitters: M, completed: allReplied, sendLoopMs: r2(tSent - ts), firstAckMs: r2(firstReplyAt - ts), lastAckMs: r2(submitWall),
    loadgenCpuMs: r1(cpuMs(process.cpuUsage(sc0))), serverCpuMs: r1(srvCpu() - ss0), serverRssKiB: srvRss(),
  };
  result.phases.push({ name: 'submit', round: r, startUs: h, endUs: hrUs() });
  // Verification: every submit answered once, accepted, not a duplicate; tickets contiguous, no gaps, no repeats,
  // and following the previous round's last ticket (the session's tickets are only ours).
  const tickets = [];
  let accepted = 0, refused = 0, dup = 0;
  const refusals = new Map();
  for (let i = 0; i < M; i++) {
    const x = players[i].reply;
    if (!x) continue;
    if (x.accepted) { accepted++; tickets.push(x.ticket); if (x.duplicate) dup++; }
    else { refused++; refusals.set(x.reason, (refusals.get(x.reason) ?? 0) + 1); }
  }
  tickets.sort((a, b) => a - b);
  let repeats = 0;
  for (let i = 1; i < tickets.length; i++) if (tickets[i] === tickets[i - 1]) repeats++;
  const lo = tickets[0], hi = tickets.at(-1);
  rec.submit.accepted = accepted;
  rec.submit.perSec = submitWall > 0 ? Math.round((accepted * 1000) / submitWall) : null;
  rec.submit.tickets = tickets.length ? [lo, hi] : null;
  const problems = [];
  if (!allReplied) problems.push(`only ${accepted + refused}/${M} submits answered within ${SUBMIT_MS} ms (${rec.submit.perSec ?? 0}/s until then)`);
  if (failures) problems.push(`${failures} submits failed (${JSON.stringify([...failReasons.entries()])})`);
  if (refused) problems.push(`${refused} submits refused (${JSON.stringify([...refusals.entries()])})`);
  if (dup) problems.push(`${dup} replies marked duplicate`);
  if (accepted !== M) problems.push(`${accepted} accepted, expected exactly ${M}`);
  if (repeats) problems.push(`${repeats} repeated tickets`);
  if (tickets.length && hi - lo + 1 !== tickets.length) problems.push(`tickets ${lo}..${hi} are not contiguous (${tickets.length} tickets, ${hi - lo + 1 - tickets.length} gaps)`);
  if (tickets.length && lastTicket !== null && lo !== lastTicket + 1) problems.push(`round's first ticket ${lo} does not follow the previous round's last ${lastTicket}`);
  if (problems.length) throw new Error(`round ${r}: SUBMISSION CHECK FAILED: ${problems.join('; ')}`);
  lastTicket = hi;
}

function aggregate() {
  const timed = result.rounds.filter((x) => x.timed && x._lat);
  if (!timed.length) return null;
  const all = new Float64Array(timed.reduce((a, x) => a + x._lat.length, 0));
  let o = 0;
  for (const x of timed) { all.set(x._lat, o); o += x._lat.length; }
  const perSec = timed.map((x) => x.submit?.perSec).filter((v) => v != null).sort((a, b) => a - b);
  const med = (a) => (a.length ? (a.length % 2 ? a[a.length >> 1] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2) : null);
  const spreads = timed.filter((x) => x._spread);
  const spreadAll = new Float64Array(spreads.reduce((a, x) => a + x._spread.length, 0));
  o = 0;
  for (const x of spreads) { spreadAll.set(x._spread, o); o += x._spread.length; }
  return {
    rounds: timed.length,
    openLatencyMs: summary(all),
    ...(spreads.length ? { buttonOnSpreadMs: summary(spreadAll), openLeadMs: spreads.map((x) => x.open.leadMs) } : {}),
    perRoundMaxMs: timed.map((x) => x.open.latencyMs.max),
    perRoundP99Ms: timed.map((x) => x.open.latencyMs.p99),
    perRoundFirstMs: timed.map((x) => x.open.latencyMs.min),
    roundsWithPingsInWindow: timed.filter((x) => x.open.pingsInWindow > 0).length,
    // Older builds pinged every player at once every 5 s: an 'open' sent less than ~0.5 s after such a
    // burst waited behind the acks. (Builds that ping one slice of the players every 0.5 s are always
    // "near" one: read roundsWithPingsInWindow there.)
    roundsNearPingBurst: timed.filter((x) => x.open.pingsInWindow > 0 || (x.open.msSinceLastPing ?? Infinity) < 500).length,
    submitsPerSec: { median: med(perSec), min: perSec[0], max: perSec.at(-1) },
    loadgenCpuMsPerRound: r1(timed.reduce((a, x) => a + x.loadgenCpuMs, 0) / timed.length),
    loadgenCpuMsOpen: r1(timed.reduce((a, x) => a + x.open.loadgenCpuMs, 0) / timed.length),
    loadgenCpuMsSubmit: timed[0].submit ? r1(timed.reduce((a, x) => a + (x.submit?.loadgenCpuMs ?? 0), 0) / timed.length) : null,
    serverCpuMsOpen: r1(timed.reduce((a, x) => a + x.open.serverCpuMs, 0) / timed.length),
    serverCpuMsSubmit: timed[0].submit ? r1(timed.reduce((a, x) => a + (x.submit?.serverCpuMs ?? 0), 0) / timed.length) : null,
    maxOtherProcsPct: timed.some((x) => x.otherProcsPct != null) ? Math.max(...timed.map((x) => x.otherProcsPct ?? 0)) : null,
  };
}

// ------------------------------------------------------------------ clock sync cost ----
// Two real @baro/client clients, each through its own byte-counting TCP relay for the whole run:
// one syncs its clock (ClockSync at its defaults), the other does not. The difference in bytes
// (both directions, WebSocket frames included) is what clock sync costs a player.
function countingRelay() {
  const relay = { bytes: 0, port: 0, server: null };
  relay.server = createNetServer((client) => {
    const upstream = netConnect(PORT, '127.0.0.1');
    client.on('data', (b) => { relay.bytes += b.length; });
    upstream.on('data', (b) => { relay.bytes += b.length; });
    client.pipe(upstream); upstream.pipe(client);
    client.on('error', () => upstream.destroy()); upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy()); upstream.on('close', () => client.destroy());
  });
  return new Promise((resolve) => relay.server.listen(0, '127.0.0.1', () => { relay.port = relay.server.address().port; resolve(relay); }));
}
async function startSyncProbe() {
  const [withSync, without] = await Promise.all([countingRelay(), countingRelay()]);
  const open = (relay) => connect(`http://127.0.0.1:${relay.port}`, { ...clientOptions, reconnect: false });
  const a = open(withSync), b = open(without);
  for (const c of [a, b]) c.on('ping', (_d, ack) => ack({}));
  const sync = new ClockSync(a);
  const t0 = now();
  return () => {
    const minutes = (now() - t0) / 60_000;
    const estimate = sync.estimate;
    a.close(); b.close(); sync.close();
    withSync.server.close(); without.server.close();
    return {
      minutes: r2(minutes), exchanges: sync.exchanges, bytesWithSync: withSync.bytes, bytesWithout: without.bytes,
      bytesPerMinute: minutes > 0 ? Math.round((withSync.bytes - without.bytes) / minutes) : null,
      uncertaintyMs: estimate ? r2(estimate.uncertaintyMs) : null,
    };
  };
}

// --------------------------------------------------------------------------- main ----
try {
  const stopSyncProbe = await startSyncProbe();
  progress(`connecting the host, then ${N} ${LEAN ? 'lean wire-level' : '@baro/client'} players (${Math.min(BATCH, N)} joins in flight)`);
  connectHost();
  await hostHello();
  await joinAll();
  // The host's view of all players, as the server sends it (measured once, after the joins).
  if (lastHostState) { result.hostStateBytes = JSON.stringify(lastHostState).length; result.hostStatePlayers = lastHostState.players?.length; }
  progress(`${N} players joined in ${(result.join.ms / 1000).toFixed(1)} s (${result.join.perSec}/s)`);
  await sleep(Math.max(SETTLE_MS, 1000));
  for (let r = 0; r < WARMUP + ROUNDS; r++) await playRound(r);
  result.clockSync = stopSyncProbe();
  result.aggregate = aggregate();
  clearTimeout(watchdog);
  finish(true);
} catch (e) {
  result.aggregate = aggregate();
  finish(false, String(e?.message || e));
}
