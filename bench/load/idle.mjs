// Idle connections for the memory-per-connection measurement. Driven by the
// runner over stdin/stdout so it can read the server's RSS at the right moments:
//   1. open --warm connections, close them, print {"event":"warmed"}  (loads the
//      server's lazy code paths so they are not charged to the connections)
//   2. wait for a "go" line on stdin
//   3. open --conns connections (completed handshakes), print {"event":"opened",...}
//   4. wait for a "close" line on stdin (or --hold-max seconds), close all, print the result.
//
//   node bench/load/idle.mjs --port 9001 --conns 10000 [--warm 100] [--hold-max 120]
import { parseArgs, intArg } from '../lib/cli.mjs';
import { waitLine } from '../lib/stdin-commands.mjs';
import { openMany, FrameReader, defaultControl, emit, lifetimeCpuMs } from './wire.mjs';

const args = parseArgs();
const port = intArg(args, 'port', 8080);
const conns = intArg(args, 'conns', 10000);
const warm = intArg(args, 'warm', 100);
const holdMaxS = intArg(args, 'hold-max', 120);
const concurrency = intArg(args, 'concurrency', 256);
// Optional extra loopback source addresses (127.0.0.2, ...) if one source runs
// out of ephemeral ports. The target is always 127.0.0.1.
const sources = typeof args.sources === 'string' ? args.sources.split(',') : [undefined];


function keepAlive(c) {
  // Idle, but polite: answer pings so heartbeat-enabled servers keep us.
  const reader = new FrameReader(() => {}, defaultControl(c.sock));
  c.attach((chunk) => reader.push(chunk));
  c.sock.on('error', () => {});
}

async function openAll(count) {
  const per = Math.ceil(count / sources.length);
  const parts = await Promise.all(sources.map((src, i) =>
    openMany(port, Math.min(per, count - i * per), { concurrency: Math.ceil(concurrency / sources.length), localAddress: src, onOpen: keepAlive })));
  const errors = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.errors)) errors[k] = (errors[k] || 0) + v;
  return { conns: parts.flatMap((p) => p.conns), failed: parts.reduce((a, p) => a + p.failed, 0), errors };
}

if (warm > 0) {
  const w = await openAll(warm);
  for (const c of w.conns) c.sock.destroy();
}
emit({ event: 'warmed', count: warm });
if (!(await waitLine('go', holdMaxS))) { emit({ event: 'result', ok: false, error: 'no "go" from runner' }); process.exit(1); }

const t0 = performance.now();
const res = await openAll(conns);
const openMs = performance.now() - t0;
let closedEarly = 0;
for (const c of res.conns) c.sock.on('close', () => { closedEarly++; });
emit({ event: 'opened', count: res.conns.length, failed: res.failed, errors: res.errors, openMs: Math.round(openMs) });

const closeCmd = await waitLine('close', holdMaxS);
const stillOpen = res.conns.length - closedEarly;
for (const c of res.conns) c.sock.destroy();
emit({ event: 'result', ok: res.failed === 0 && closedEarly === 0, opened: res.conns.length, failed: res.failed, procCpuMs: lifetimeCpuMs(),
  errors: res.errors, closedByServerWhileIdle: closedEarly, stillOpen, openMs: Math.round(openMs), releasedBy: closeCmd ? 'runner' : 'hold-max' });
process.exit(0);
