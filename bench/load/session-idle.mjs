// Idle sessions over WebSocket, for the memory-per-idle-session row of the sessions table.
// Driven by the runner over stdin/stdout (as idle.mjs) so it can measure the server between steps:
//   1. open --warm sessions and end them (loads the server's lazy code paths), print {"event":"warmed"}
//   2. wait for "go" on stdin
//   3. open --sessions sessions (each past its open / CONNECT packet), print {"event":"opened",...}
//   4. wait for "close" on stdin (or --hold-max seconds), close all, print the result.
//
//   node bench/load/session-idle.mjs --port 9001 --proto baro|socketio [--sessions 2000] [--warm 100]
//
// baro: `GET /baro/ws` (subprotocol baro.v1), waits for ["o", …]; ends a session with ["c",1000,""].
// socket.io: Engine.IO v4 over a raw WebSocket, waits for `0{…}`, sends `40`, waits for `40{…}`.
// Both answer heartbeats (baro ["h",t] -> ["H",t], Engine.IO `2` -> `3`) so neither server drops them.
import { parseArgs, intArg } from '../lib/cli.mjs';
import { waitLine } from '../lib/stdin-commands.mjs';
import { FrameReader, buildFrame, emit, lifetimeCpuMs, OP_TEXT, OP_PING, OP_PONG } from './wire.mjs';
import { connectWsPath, openPool } from './session-wire.mjs';

const args = parseArgs();
const port = intArg(args, 'port', 8080);
const proto = args.proto === 'socketio' ? 'socketio' : 'baro';
const count = intArg(args, 'sessions', 2000);
const warm = intArg(args, 'warm', 100);
const holdMaxS = intArg(args, 'hold-max', 120);
const concurrency = intArg(args, 'concurrency', 100);
const openTimeoutMs = 15_000;


let closedByServer = 0;
const text = (sock, t) => { if (!sock.destroyed) sock.write(buildFrame(OP_TEXT, Buffer.from(t, 'utf8'))); };

/** Opens one session; resolves its socket once the server announced it. */
async function openSession() {
  const conn = await connectWsPath(port, proto === 'baro' ? '/baro/ws' : '/socket.io/?EIO=4&transport=websocket',
    proto === 'baro' ? { protocol: 'baro.v1' } : {});
  const sock = conn.sock;
  return new Promise((resolve, reject) => {
    let open = false;
    const timer = setTimeout(() => { sock.destroy(); reject(new Error('no open packet')); }, openTimeoutMs);
    const opened = () => { open = true; clearTimeout(timer); resolve(sock); };
    const reader = new FrameReader((op, _len, data) => {
      if (op !== OP_TEXT) return;
      const t = data.toString('utf8');
      if (proto === 'baro') {
        if (t.startsWith('["o",')) { if (!open) opened(); } else if (t.startsWith('["h",')) text(sock, `["H",${t.slice(5, -1)}]`);
      } else if (t[0] === '0') text(sock, '40');
      else if (t.startsWith('40')) { if (!open) opened(); } else if (t === '2') text(sock, '3');
    }, (op, payload) => { if (op === OP_PING && !sock.destroyed) sock.write(buildFrame(OP_PONG, payload)); });
    reader.capture = true;
    conn.attach((chunk) => reader.push(chunk));
    sock.on('error', () => {});
    sock.on('close', () => {
      if (!open) { clearTimeout(timer); reject(new Error('closed before its open packet')); } else if (!ending) closedByServer++;
    });
  });
}

let ending = false;
/** Ends sessions for good, so the warm-up's sessions do not wait out a resume window on the server. */
function endAll(socks) {
  for (const sock of socks) {
    if (proto === 'baro') text(sock, '["c",1000,""]');
    sock.end();
  }
}

if (warm > 0) {
  const w = await openPool(warm, concurrency, () => openSession());
  ending = true;
  endAll(w.items);
  await new Promise((r) => setTimeout(r, 200));
  ending = false;
}
emit({ event: 'warmed', count: warm });
if (!(await waitLine('go', holdMaxS))) { emit({ event: 'result', ok: false, error: 'no "go" from runner' }); process.exit(1); }

const t0 = performance.now();
const res = await openPool(count, concurrency, () => openSession());
const openMs = Math.round(performance.now() - t0);
emit({ event: 'opened', count: res.items.length, failed: res.failed, errors: res.errors, openMs });

const released = await waitLine('close', holdMaxS);
ending = true;
endAll(res.items);
emit({ event: 'result', ok: res.failed === 0 && closedByServer === 0, proto, opened: res.items.length, failed: res.failed, errors: res.errors,
  closedByServerWhileIdle: closedByServer, openMs, releasedBy: released ? 'runner' : 'hold-max', procCpuMs: lifetimeCpuMs() });
process.exit(0);
