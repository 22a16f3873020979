// Echo load generator: N connections, each keeping exactly `depth` messages in
// flight (a reply triggers the next send). depth=1 is latency-accurate; a larger
// depth pipelines for throughput. Replies on one TCP connection come back in
// order, so the send time of each reply is the oldest entry of a per-connection
// ring. Warm-up, then a fixed measurement window; the message count is capped.
//
//   node bench/load/echo.mjs --port 9001 --conns 100 --size 32 --type text --depth 1
//        [--warmup 1] [--duration 5] [--max-messages 20000000] [--raw] [--deflate]
//
// Prints JSON lines: {"event":"mark","name":"start"|"end"} around the window and
// the final {"event":"result",...}.
import { parseArgs, intArg } from '../lib/cli.mjs';
import {
  FrameReader, openMany, buildFrame, deflateMessage, inflateMessage, defaultControl, emit,
  OP_TEXT, OP_BINARY,
} from './wire.mjs';

const args = parseArgs();
const port = intArg(args, 'port', 8080);
const conns = intArg(args, 'conns', 100);
const size = intArg(args, 'size', 32);
const type = args.type === 'binary' ? 'binary' : 'text';
const depth = Math.max(1, intArg(args, 'depth', 1));
const warmupS = intArg(args, 'warmup', 1);
const durationS = intArg(args, 'duration', 5);
const maxMessages = intArg(args, 'max-messages', 20_000_000);
const raw = Boolean(args.raw);
const deflate = Boolean(args.deflate);
const drainMs = intArg(args, 'drain-ms', 3000);

// Payload: printable ASCII (valid UTF-8) either way; for --deflate a repetitive
// JSON-ish text that compresses like real chat/state messages do.
function makePayload() {
  const out = Buffer.allocUnsafe(size);
  if (deflate) {
    const unit = Buffer.from('{"type":"chat","room":"lobby","user":"player-042","text":"hello there, general kenobi","ts":1700000000000}\n');
    for (let i = 0; i < size; i++) out[i] = unit[i % unit.length];
  } else {
    for (let i = 0; i < size; i++) out[i] = 0x21 + ((i * 7) % 90);
  }
  return out;
}
const payload = makePayload();
const opcode = type === 'binary' ? OP_BINARY : OP_TEXT;
const wirePayload = deflate ? deflateMessage(payload) : payload;
const frame = buildFrame(opcode, wirePayload, { rsv1: deflate });
const frameLen = frame.length;
const burst = Buffer.concat(Array.from({ length: depth }, () => frame)); // up to `depth` frames in one write

// Latency samples in microseconds; reservoir-sampled past the cap.
const SAMPLE_CAP = 4_000_000;
const samples = new Uint32Array(Math.min(SAMPLE_CAP, maxMessages));
let nSamples = 0, seenSamples = 0;
function record(us) {
  seenSamples++;
  if (nSamples < samples.length) { samples[nSamples++] = us; return; }
  const j = Math.floor(Math.random() * seenSamples);
  if (j < samples.length) samples[j] = us;
}

const PH_WARM = 0, PH_MEASURE = 1, PH_DRAIN = 2;
let phase = PH_WARM;
let tStart = 0, tEnd = 0;
let sent = 0, received = 0, inWindow = 0;
let verifyOk = 0, verifyBad = 0, verifyNote = '';
let closedEarly = 0;
let drainResolve = null;
let inflight = 0;

function verify(op, len, data, rsv1) {
  let got = data;
  try {
    if (rsv1) got = inflateMessage(data);
  } catch (e) { verifyBad++; verifyNote = `inflate failed: ${e.message}`; return; }
  if (op !== opcode) { verifyBad++; verifyNote = `opcode ${op} != ${opcode}`; return; }
  if (!got.equals(payload)) { verifyBad++; verifyNote = `payload mismatch (len ${got.length} vs ${payload.length})`; return; }
  verifyOk++;
}

function setup(c) {
  const sock = c.sock;
  const ring = new Float64Array(depth);
  let head = 0, tail = 0, inflightHere = 0, toSend = 0, now = 0;
  const reader = new FrameReader((op, len, data, rsv1) => {
    if (data !== null) { verify(op, len, data, rsv1); reader.capture = false; }
    const t0 = ring[head];
    head = head + 1 === depth ? 0 : head + 1;
    inflightHere--; inflight--;
    received++;
    if (phase === PH_MEASURE) {
      inWindow++;
      if (t0 >= tStart) record(Math.round((now - t0) * 1000));
    }
    toSend++;
  }, defaultControl(sock));
  reader.capture = true; // verify the first reply of every connection
  function send(k) {
    if (sent + k > maxMessages) k = Math.max(0, maxMessages - sent);
    if (k === 0) return;
    sock.write(k === depth ? burst : burst.subarray(0, k * frameLen));
    for (let i = 0; i < k; i++) { ring[tail] = now; tail = tail + 1 === depth ? 0 : tail + 1; }
    inflightHere += k; inflight += k; sent += k;
  }
  c.attach((chunk) => {
    now = performance.now();
    reader.push(chunk);
    if (toSend > 0) {
      const k = toSend; toSend = 0;
      if (phase !== PH_DRAIN) send(k);
    }
    if (phase === PH_DRAIN && inflight === 0 && drainResolve) drainResolve();
  });
  sock.on('error', () => {});
  sock.on('close', () => { if (phase !== PH_DRAIN) closedEarly++; inflight -= inflightHere; inflightHere = 0; });
  return { sock, start() { now = performance.now(); send(depth); } };
}

const tOpen0 = performance.now();
const opened = await openMany(port, conns, { raw, deflate, concurrency: 200 });
const openMs = performance.now() - tOpen0;
if (opened.conns.length === 0) {
  emit({ event: 'result', ok: false, error: `no connection opened: ${JSON.stringify(opened.errors)}` });
  process.exit(1);
}
const clients = opened.conns.map(setup);
for (const c of clients) c.start();

await new Promise((r) => setTimeout(r, warmupS * 1000));
phase = PH_MEASURE;
tStart = performance.now();
const cpu0 = process.cpuUsage();
emit({ event: 'mark', name: 'start' });
await new Promise((r) => setTimeout(r, durationS * 1000));
tEnd = performance.now();
const cpu = process.cpuUsage(cpu0);
phase = PH_DRAIN;
emit({ event: 'mark', name: 'end' });

// Let in-flight replies arrive (bounded), then close everything.
if (inflight > 0) {
  await new Promise((r) => { drainResolve = r; setTimeout(r, drainMs); });
}
const unanswered = inflight;
for (const c of clients) c.sock.destroy();

const windowMs = tEnd - tStart;
const s = samples.subarray(0, nSamples).sort();
const pct = (p) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] / 1000 : null);
let sum = 0;
for (let i = 0; i < s.length; i++) sum += s[i];

emit({
  event: 'result',
  ok: verifyBad === 0 && closedEarly === 0 && inWindow > 0,
  conns: opened.conns.length, connectFailed: opened.failed, connectErrors: opened.errors, openMs: Math.round(openMs),
  size, type, depth, deflate, raw, extensions: opened.conns[0]?.extensions ?? '',
  windowMs: Math.round(windowMs),
  messages: inWindow,
  msgsPerSec: Math.round(inWindow / (windowMs / 1000)),
  mbPerSec: +((inWindow * size) / (windowMs / 1000) / 1e6).toFixed(1),
  latencyMs: { p50: pct(0.5), p90: pct(0.9), p99: pct(0.99), p999: pct(0.999), max: s.length ? s[s.length - 1] / 1000 : null,
    mean: s.length ? +(sum / s.length / 1000).toFixed(3) : null, samples: s.length, seen: seenSamples },
  clientCpuPct: +(((cpu.user + cpu.system) / 1000) / windowMs * 100).toFixed(1),
  totalSent: sent, totalReceived: received, unanswered, closedEarly, maxMessagesHit: sent >= maxMessages,
  verify: { ok: verifyOk, bad: verifyBad, note: verifyNote },
});
process.exit(0);
