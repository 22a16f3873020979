// Session broadcast fan-out over WebSocket: open N sessions (baro: /baro/ws, or
// socket.io: Engine.IO v4 over a raw WebSocket), then per round session #0 (the
// control session, itself one of the N) sends a `trigger` event whose handler does
// one server-wide emit (`server.emit('bcast', data)` / `io.emit('bcast', data)`).
// Timed from the trigger's write until the LAST of the N sessions has the event.
//
//   node bench/load/session-broadcast.mjs --port 9001 --proto baro|socketio --sessions 5000
//        [--rounds 10] [--warmup-rounds 2] [--gap-ms 200] [--round-timeout 10] [--size 32]
//        [--ports 9001,9002]   several nodes of one cluster: session i opens on ports[i % n]
//                              (the control session on the first), so a broadcast crosses the hub
//        [--settle-ms 0]       idle time between 'opened' and the rounds (announced by a 'rounds'
//                              event), so a runner can measure what the idle sessions cost alone
//
// The event data is [round, "R<round>:xxx..."]; a session counts a round when a
// text message holds that round's unique tag, so a late copy of an earlier round
// never counts. The first copy of every round is fully parsed and checked (baro:
// ["m","",offset,"bcast",data] on the everyone stream; socket.io: 42["bcast",data]);
// each baro session also checks that its bcast messages arrive with consecutive offsets.
// Heartbeats / pings are answered. The time includes this one-core generator
// reading N sockets (see its CPU %).
import { parseArgs, intArg } from '../lib/cli.mjs';
import { BroadcastRounds, median, r3 } from '../lib/rounds.mjs';
import { FrameReader, buildFrame, emit, lifetimeCpuMs, OP_TEXT, OP_PING, OP_PONG } from './wire.mjs';
import { connectWsPath, openPool } from './session-wire.mjs';

const args = parseArgs();
const port = intArg(args, 'port', 8080);
const ports = typeof args.ports === 'string' ? args.ports.split(',').map(Number) : [port];
const proto = args.proto === 'socketio' ? 'socketio' : 'baro';
const nSessions = intArg(args, 'sessions', 5000);
const arrivals = new BroadcastRounds(nSessions);
const rounds = intArg(args, 'rounds', 10);
const warmupRounds = intArg(args, 'warmup-rounds', 2);
const gapMs = intArg(args, 'gap-ms', 200);
const roundTimeoutMs = intArg(args, 'round-timeout', 10) * 1000;
const size = Math.max(8, intArg(args, 'size', 32));
const concurrency = intArg(args, 'open-concurrency', 256);
const settleMs = intArg(args, 'settle-ms', 0);

const tagOf = (r) => `R${String(r).padStart(5, '0')}:`;
const dataOf = (r) => [r, tagOf(r).padEnd(size, 'x')];

let expectedTag = null; // Buffer
let expectedRound = -1;
let checkedThisRound = false;
let stray = 0, gaps = 0, badFormat = 0, formatNote = '', closed = 0;
let stopping = false;

class S {
  constructor(i) { this.i = i; this.sock = null; this.inLast = 0; this.cseq = 0; this.lastRound = -1; this.openResolve = null; }
  async open() {
    const path = proto === 'baro' ? '/baro/ws' : '/socket.io/?EIO=4&transport=websocket';
    const opened = new Promise((resolve, reject) => {
      this.openResolve = resolve; this.openReject = reject;
      setTimeout(() => reject(new Error('no open/connect packet')), 20000);
    });
    const conn = await connectWsPath(ports[this.i % ports.length], path, { protocol: proto === 'baro' ? 'baro.v1' : undefined });
    const sock = this.sock = conn.sock;
    const reader = new FrameReader((op, len, data) => this.message(op, data), (op, payload) => {
      if (op === OP_PING && !sock.destroyed) sock.write(buildFrame(OP_PONG, payload));
    });
    reader.capture = true;
    conn.attach((chunk) => reader.push(chunk));
    sock.on('error', () => {});
    sock.on('close', () => { if (!stopping) closed++; this.openReject(new Error('closed')); });
    await opened;
  }
  write(text) { if (!this.sock.destroyed) this.sock.write(buildFrame(OP_TEXT, Buffer.from(text, 'latin1'))); }
  message(op, data) {
    if (op !== OP_TEXT) { stray++; return; }
    if (expectedTag !== null && data.indexOf(expectedTag) !== -1 && this.lastRound !== expectedRound) {
      const t = performance.now();
      this.lastRound = expectedRound;
      if (proto === 'baro') {
        // ["m","",OFFSET,... : consecutive offsets of the everyone stream (only bcast goes there)
        let i = 8, seq = 0, c;
        while ((c = data[i]) >= 0x30 && c <= 0x39) { seq = seq * 10 + (c - 0x30); i++; }
        if (seq !== this.inLast + 1) gaps++;
        this.inLast = seq;
      }
      if (!checkedThisRound) { checkedThisRound = true; check(data.toString('utf8')); }
      arrivals.arrive(t);
      return;
    }
    const text = data.toString('utf8');
    if (proto === 'baro') {
      const p = JSON.parse(text);
      if (p[0] === 'o' && this.openResolve) { const r = this.openResolve; this.openResolve = null; r(); return; }
      if (p[0] === 'h') { this.write(`["H",${p[1]}]`); return; }
      if (p[0] === 'r' || p[0] === 'H' || p[0] === 'j' || p[0] === 'l') return;
      if (p[0] === 'm' && p[1] === '') { if (p[2] !== this.inLast + 1) gaps++; this.inLast = p[2]; }
      stray++;
    } else {
      if (text === '2') { this.write('3'); return; }
      if (text[0] === '0') { this.write('40'); return; }
      if (text.startsWith('40') && this.openResolve) { const r = this.openResolve; this.openResolve = null; r(); return; }
      stray++;
    }
  }
  trigger(round) {
    const d = JSON.stringify(dataOf(round));
    this.write(proto === 'baro' ? `["e",${++this.cseq},"trigger",${d}]` : `42["trigger",${d}]`);
  }
}

function check(text) {
  try {
    const want = JSON.stringify(dataOf(expectedRound));
    if (proto === 'baro') {
      const p = JSON.parse(text);
      if (p[0] !== 'm' || p[1] !== '' || p[3] !== 'bcast' || JSON.stringify(p[4]) !== want) throw new Error(text.slice(0, 100));
    } else {
      if (!text.startsWith('42')) throw new Error(text.slice(0, 100));
      const p = JSON.parse(text.slice(2));
      if (p[0] !== 'bcast' || JSON.stringify(p[1]) !== want) throw new Error(text.slice(0, 100));
    }
  } catch (e) { badFormat++; formatNote = `unexpected broadcast: ${e.message}`; }
}

const tOpen0 = performance.now();
const opened = await openPool(nSessions, concurrency, async (i) => { const s = new S(i); await s.open(); return s; });
const openMs = performance.now() - tOpen0;
const sessions = opened.items;
emit({ event: 'opened', count: sessions.length, failed: opened.failed, openMs: Math.round(openMs) });
if (sessions.length < nSessions) {
  emit({ event: 'result', ok: false, error: `${opened.failed} of ${nSessions} sessions failed to open: ${JSON.stringify(opened.errors)}`,
    sessions: sessions.length, openErrors: opened.errors, procCpuMs: lifetimeCpuMs() });
  process.exit(1);
}

if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));
emit({ event: 'rounds' });
const control = sessions[0];
const { timed, firsts, failures, roundCpuUs, roundWallMs } = await arrivals.run({
  rounds, warmupRounds, gapMs, timeoutMs: roundTimeoutMs,
  before: (r) => {
    expectedRound = r;
    expectedTag = Buffer.from(tagOf(r));
    checkedThisRound = false;
  },
  fire: (r) => control.trigger(r),
});
expectedTag = null;
stopping = true;

const sorted = [...timed].sort((a, b) => a - b);
emit({ event: 'rounds-done' });
for (const s of sessions) s.sock.destroy();
emit({
  event: 'result',
  ok: failures.length === 0 && timed.length === rounds && badFormat === 0 && gaps === 0 && closed === 0,
  proto, sessions: sessions.length, openFailed: opened.failed, openErrors: opened.errors, openMs: Math.round(openMs),
  size, rounds: timed.length, warmupRounds,
  lastMs: { median: r3(median(sorted)), max: r3(sorted.at(-1)), min: r3(sorted[0]), all: timed.map(r3) },
  firstMs: { median: r3(median(firsts)) },
  deliveriesPerSec: sorted.length ? Math.round(sessions.length / (median(sorted) / 1000)) : null,
  failures, stray, gaps, closedDuringRun: closed, verify: { bad: badFormat, note: formatNote },
  clientCpuPct: roundWallMs ? +((roundCpuUs / 1000) / roundWallMs * 100).toFixed(1) : null,
  procCpuMs: lifetimeCpuMs(),
});
process.exit(0);
