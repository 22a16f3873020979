// Broadcast fan-out: open N connections, then per round connection #0 sends
// `broadcast:<payload>` and we time until the LAST of the N connections
// (the sender included: the contract says "every open connection") has
// received <payload>. Warm-up rounds first, then `rounds` timed rounds.
//
//   node bench/load/broadcast.mjs --port 9001 --conns 5000 --rounds 10 [--size 32]
//        [--warmup-rounds 2] [--round-timeout 10] [--gap-ms 200]
//
// Each payload carries its round number, so a late copy of an earlier round is
// never counted. The time includes the load generator reading N sockets on its
// one core; see README for what that means.
import { parseArgs, intArg } from '../lib/cli.mjs';
import { BroadcastRounds, median, r3 } from '../lib/rounds.mjs';
import { FrameReader, openMany, buildFrame, defaultControl, emit, lifetimeCpuMs, OP_TEXT } from './wire.mjs';

const args = parseArgs();
const port = intArg(args, 'port', 8080);
const conns = intArg(args, 'conns', 5000);
const rounds = intArg(args, 'rounds', 10);
const warmupRounds = intArg(args, 'warmup-rounds', 2);
const size = Math.max(8, intArg(args, 'size', 32));
const roundTimeoutMs = intArg(args, 'round-timeout', 10) * 1000;
const gapMs = intArg(args, 'gap-ms', 200);

function payloadFor(round) {
  const tag = `r${String(round).padStart(5, '0')}:`;
  return Buffer.from(tag.padEnd(size, 'x'), 'latin1');
}

let expected = null; // Buffer of the payload we are waiting for
let stray = 0;

const tOpen0 = performance.now();
const opened = await openMany(port, conns, { concurrency: 256 });
const openMs = performance.now() - tOpen0;
if (opened.conns.length === 0) {
  emit({ event: 'result', ok: false, error: `no connection opened: ${JSON.stringify(opened.errors)}` });
  process.exit(1);
}
let closed = 0;
const n = opened.conns.length;
const arrivals = new BroadcastRounds(n);
for (const c of opened.conns) {
  const reader = new FrameReader((op, len, data) => {
    if (expected !== null && op === OP_TEXT && data !== null && data.equals(expected)) {
      arrivals.arrive(performance.now());
    } else {
      stray++;
    }
  }, defaultControl(c.sock));
  reader.capture = true;
  c.attach((chunk) => reader.push(chunk));
  c.sock.on('error', () => {});
  c.sock.on('close', () => { closed++; });
}
emit({ event: 'opened', count: n, failed: opened.failed, openMs: Math.round(openMs) });

const sender = opened.conns[0].sock;
let frame = null;
const { timed, firsts, failures, roundCpuUs, roundWallMs } = await arrivals.run({
  rounds, warmupRounds, gapMs, timeoutMs: roundTimeoutMs,
  before: (r) => {
    expected = payloadFor(r);
    frame = buildFrame(OP_TEXT, Buffer.concat([Buffer.from('broadcast:'), expected]));
  },
  fire: () => sender.write(frame),
});
expected = null;

const sorted = [...timed].sort((a, b) => a - b);
for (const c of opened.conns) c.sock.destroy();
emit({
  event: 'result',
  procCpuMs: lifetimeCpuMs(), // whole process lifetime, for the runner's noise check
  ok: failures.length === 0 && timed.length === rounds,
  conns: n, connectFailed: opened.failed, connectErrors: opened.errors, openMs: Math.round(openMs),
  closedDuringRun: closed, size, rounds: timed.length, warmupRounds,
  lastMs: { median: r3(median(sorted)), max: r3(sorted.at(-1)), min: r3(sorted[0]), all: timed.map(r3) },
  firstMs: { median: r3(median(firsts)) },
  deliveriesPerSec: sorted.length ? Math.round(n / (median(sorted) / 1000)) : null,
  failures, stray,
  // Load generator CPU while rounds were in flight (gaps between rounds excluded).
  clientCpuPct: roundWallMs ? +((roundCpuUs / 1000) / roundWallMs * 100).toFixed(1) : null,
});
process.exit(0);
