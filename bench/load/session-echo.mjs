// Session echo load: N sessions, each with exactly one `echo` event in flight; the
// reply triggers the next one. Latency is the round trip of the event as the app
// sees it: from the moment the previous echo arrived (when the app emits the next
// one) until its echo arrives, i.e. client -> (WebSocket message | POST) -> server
// -> (WebSocket message | SSE event | poll answer) -> client, including any wait for
// the session's one POST in flight or for the next poll.
//
//   node bench/load/session-echo.mjs --port 9001 --proto baro|socketio
//        --transport websocket|sse|long-polling|polling [--interval 100] [--sessions 100]
//        [--size 32] [--warmup 1] [--duration 3] [--max-messages 5000000] [--drain-ms N]
//
// baro: docs/protocol.md. The client behaves like packages/client: one POST in flight
// per session (what queues meanwhile goes in the next one), streaming transports
// receipt every 100 ms or 100 packets, polling sends `seq` on every GET, heartbeats
// are answered. socket.io: Engine.IO v4 over a raw WebSocket
// (`/socket.io/?EIO=4&transport=websocket`) or HTTP long-polling
// (`transport=polling`, packets separated by \x1e), namespace "/" (`40`),
// events `42["echo",data]`, pings `2` answered `3`.
//
// Prints {"event":"mark","name":"start"|"end"} around the window and the final
// {"event":"result",...}.
import { parseArgs, intArg } from '../lib/cli.mjs';
import { FrameReader, buildFrame, emit, lifetimeCpuMs, OP_TEXT, OP_PING, OP_PONG, OP_CLOSE } from './wire.mjs';
import { connectWsPath, HttpConn, getRequest, postRequest, SseParser, openPool, recorder } from './session-wire.mjs';

const args = parseArgs();
const port = intArg(args, 'port', 8080);
const proto = args.proto === 'socketio' ? 'socketio' : 'baro';
const transport = String(args.transport || 'websocket');
const intervalMs = intArg(args, 'interval', 100);
const nSessions = intArg(args, 'sessions', 100);
const size = intArg(args, 'size', 32);
const warmupS = intArg(args, 'warmup', 1);
const durationS = intArg(args, 'duration', 3);
const maxMessages = intArg(args, 'max-messages', 5_000_000);
const drainMs = intArg(args, 'drain-ms', Math.max(3000, 3 * intervalMs));
const openConcurrency = intArg(args, 'open-concurrency', 50);
const openTimeoutMs = 15_000;

const VALID = { baro: ['websocket', 'sse', 'long-polling', 'polling'], socketio: ['websocket', 'long-polling'] };
if (!VALID[proto].includes(transport)) {
  emit({ event: 'result', ok: false, error: `${proto} has no transport "${transport}" here (${VALID[proto].join(', ')})` });
  process.exit(2);
}

// The event data is [n, PAD]; PAD is printable ASCII without quotes or backslashes.
const PAD = Array.from({ length: size }, (_, i) => String.fromCharCode(0x61 + ((i * 7) % 26))).join('');

const PH_WARM = 0, PH_MEASURE = 1, PH_DRAIN = 2;
let phase = PH_WARM, stopped = false;
let tStart = 0;
let sent = 0, received = 0, inWindow = 0, outstanding = 0;
let drainResolve = null;
const rec = recorder();
const errs = { gaps: 0, dups: 0, stray: 0, notices: 0, closes: 0, replaced: 0, httpErrors: 0, streamLost: 0, wsClosed: 0, unexpectedEcho: 0 };
const verify = { ok: 0, bad: 0, note: '' };
const noteOf = {};
function problem(kind, note) {
  errs[kind]++;
  if (note && !noteOf[kind]) noteOf[kind] = String(note).slice(0, 200);
}

// --------------------------------------------------------------- sessions ----
class Sess {
  constructor(i) {
    this.i = i;
    this.n = 0; this.t0 = 0; this.waiting = false;
    this.inLast = 0; this.cseq = 0; this.receipted = 0; this.lastReceiptAt = 0;
    this.verified = false;
    this.openResolve = null; this.info = null;
  }
  waitOpen() {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no open packet')), openTimeoutMs);
      this.openResolve = (info) => { clearTimeout(t); resolve(info); };
      this.openReject = (e) => { clearTimeout(t); reject(e); };
    });
  }
  /** The app emits its next echo. */
  next(now) {
    if (phase === PH_DRAIN || sent >= maxMessages) return;
    this.n++; this.t0 = now; this.waiting = true;
    sent++; outstanding++;
    this.sendEcho(now);
  }
  gotEcho(data, now) {
    if (!Array.isArray(data)) { problem('unexpectedEcho', JSON.stringify(data).slice(0, 80)); return; }
    if (!this.verified) {
      this.verified = true;
      if (data[1] === PAD) verify.ok++; else { verify.bad++; verify.note = `payload mismatch: ${JSON.stringify(data[1]).slice(0, 60)}`; }
    }
    this.gotEchoN(data[0], now);
  }
  gotEchoN(n, now) {
    if (!this.waiting || n !== this.n) { problem('unexpectedEcho', `echo ${n}, expected ${this.waiting ? this.n : 'none'}`); return; }
    this.waiting = false; outstanding--; received++;
    if (phase === PH_MEASURE) {
      inWindow++;
      if (this.t0 >= tStart) rec.record(Math.round((now - this.t0) * 1000));
    }
    this.next(now);
    if (phase === PH_DRAIN && outstanding === 0 && drainResolve) drainResolve();
  }
  /** Streaming transports receipt at most every 100 ms or every 100 packets (as packages/client). */
  receiptDue(now) {
    return this.inLast > this.receipted && (this.inLast - this.receipted >= 100 || now - this.lastReceiptAt >= 100);
  }
  baroPacket(p, now) {
    switch (p[0]) {
      case 'e':
      case 'a': {
        const seq = p[1];
        if (seq <= this.inLast) { errs.dups++; return; }
        if (seq !== this.inLast + 1) errs.gaps++;
        this.inLast = seq;
        if (p[0] === 'e' && p[2] === 'echo') this.gotEcho(p[3], now);
        else errs.stray++;
        return;
      }
      case 'o':
        if (this.openResolve) { const r = this.openResolve; this.openResolve = null; this.info = p[1]; r(p[1]); }
        // Switching transports (the first poll is wait=0, then wait=1, as packages/client does)
        // re-announces the session: fine if it is the same one, resumed.
        else if (p[1]?.sid === this.info?.sid && p[1]?.resumed === true) this.reopened = (this.reopened ?? 0) + 1;
        else problem('stray', `unexpected open packet ${JSON.stringify(p[1]).slice(0, 120)}`);
        return;
      case 'h': this.control(`["H",${p[1]}]`); return;
      case 'r': case 'H': return;
      case '!': problem('notices', JSON.stringify(p)); return;
      case 'n': problem('replaced', 'poll answered ["n"]'); return;
      case 'c': problem('closes', JSON.stringify(p)); if (this.openReject) this.openReject(new Error(`closed: ${JSON.stringify(p)}`)); return;
      default: errs.stray++;
    }
  }
  close() {}
}

// baro over WebSocket: one packet per message.
class BaroWs extends Sess {
  async open() {
    const opened = this.waitOpen();
    const conn = await connectWsPath(port, '/baro/ws', { protocol: 'baro.v1' });
    const sock = this.sock = conn.sock;
    this.subprotocol = conn.protocol; // what the server confirmed ('' = none)
    const reader = new FrameReader((op, len, data) => {
      if (op !== OP_TEXT) { errs.stray++; return; }
      // Fast path once the session's first echo was verified: receipts and echo events are
      // recognized without JSON.parse; anything else goes through the full parse.
      if (this.verified && data[0] === 0x5b && data[1] === 0x22 && data[3] === 0x22) {
        if (data[2] === 0x72) return; // ["r",cseq]
        if (data[2] === 0x65 && fastEcho(data)) {
          if (F_SEQ <= this.inLast) { errs.dups++; return; }
          if (F_SEQ !== this.inLast + 1) errs.gaps++;
          this.inLast = F_SEQ;
          this.gotEchoN(F_N, performance.now());
          return;
        }
      }
      this.baroPacket(JSON.parse(data.toString('utf8')), performance.now());
    }, (op, payload) => {
      if (op === OP_PING && !sock.destroyed) sock.write(buildFrame(OP_PONG, payload));
    });
    reader.capture = true;
    conn.attach((chunk) => reader.push(chunk));
    sock.on('close', () => { if (!stopped) problem('wsClosed', 'websocket closed'); if (this.openReject) this.openReject(new Error('closed')); });
    await opened;
  }
  sendEcho(now) {
    const ev = buildFrame(OP_TEXT, Buffer.from(`["e",${++this.cseq},"echo",[${this.n},"${PAD}"]]`, 'latin1'));
    if (this.receiptDue(now)) {
      this.receipted = this.inLast; this.lastReceiptAt = now;
      this.sock.write(Buffer.concat([buildFrame(OP_TEXT, Buffer.from(`["r",${this.inLast}]`, 'latin1')), ev]));
    } else this.sock.write(ev);
  }
  control(text) { if (!this.sock.destroyed) this.sock.write(buildFrame(OP_TEXT, Buffer.from(text, 'latin1'))); }
  close() { this.sock?.destroy(); }
}

// ["e",SEQ,"echo",[N,  -> F_SEQ, F_N; false when the message is anything else.
const ECHO_MID = Buffer.from(',"echo",[');
let F_SEQ = 0, F_N = 0;
function fastEcho(b) {
  if (b[4] !== 0x2c) return false;
  let i = 5, seq = 0, c;
  while (i < b.length && (c = b[i]) >= 0x30 && c <= 0x39) { seq = seq * 10 + (c - 0x30); i++; }
  if (i === 5 || b.length < i + ECHO_MID.length + 2) return false;
  for (let k = 0; k < ECHO_MID.length; k++) if (b[i + k] !== ECHO_MID[k]) return false;
  i += ECHO_MID.length;
  const n0 = i;
  let n = 0;
  while (i < b.length && (c = b[i]) >= 0x30 && c <= 0x39) { n = n * 10 + (c - 0x30); i++; }
  if (i === n0 || b[i] !== 0x2c) return false;
  F_SEQ = seq; F_N = n;
  return true;
}

// The HTTP transports' upstream: POST /baro/send, one in flight, lines queued meanwhile.
class BaroHttp extends Sess {
  constructor(i) { super(i); this.post = new HttpConn(port); this.q = []; this.streaming = false; }
  bindSession(info) {
    this.sendPath = `/baro/send?sid=${info.sid}&token=${info.token}`;
    this.query = `sid=${info.sid}&token=${info.token}`;
  }
  queue(line, now) {
    this.q.push(line);
    if (!this.post.busy) this.flushPost(now);
  }
  flushPost(now) {
    if (stopped) return;
    if (this.streaming && this.receiptDue(now)) {
      this.receipted = this.inLast; this.lastReceiptAt = now;
      this.q.unshift(`["r",${this.inLast}]`);
    }
    const body = this.q.join('\n');
    this.q = [];
    this.post.request(postRequest(port, this.sendPath, body), (err, status, text) => {
      if (err) { if (!stopped) problem('httpErrors', `POST: ${err.message}`); return; }
      if (status !== 200) problem('httpErrors', `POST ${status}: ${text.trim()}`);
      if (this.q.length > 0) this.flushPost(performance.now());
    });
  }
  sendEcho(now) { this.queue(`["e",${++this.cseq},"echo",[${this.n},"${PAD}"]]`, now); }
  control(text) { this.queue(text, performance.now()); }
  close() { this.post.destroy(); this.get?.destroy(); }
}

class BaroSse extends BaroHttp {
  async open() {
    this.streaming = true;
    const opened = this.waitOpen();
    this.get = new HttpConn(port);
    const parser = new SseParser((data) => this.baroPacket(JSON.parse(data), performance.now()));
    this.get.onClosed = (e) => { if (!stopped) problem('streamLost', e.message); if (this.openReject) this.openReject(e); };
    this.get.stream(getRequest(port, '/baro/sse'), (status) => {
      if (status !== 200) { problem('httpErrors', `SSE ${status}`); this.openReject?.(new Error(`SSE answered ${status}`)); }
    }, (text) => parser.push(text));
    this.bindSession(await opened);
  }
}

class BaroPoll extends BaroHttp {
  constructor(i, wait) { super(i); this.wait = wait; }
  async open() {
    this.get = new HttpConn(port);
    const opened = this.waitOpen();
    // As packages/client does: the first request never waits (it must bring the open packet).
    this.get.request(getRequest(port, '/baro/poll?wait=0'), (err, status, body) => {
      if (err || status !== 200) { this.openReject?.(new Error(err ? err.message : `poll answered ${status}: ${body.trim()}`)); return; }
      this.lines(body, performance.now());
    });
    this.bindSession(await opened);
    this.pollPrefix = `/baro/poll?wait=${this.wait}&${this.query}&seq=`;
    // Polling sessions start at random phases of the interval, as independent clients would.
    if (this.wait === 1) this.poll();
    else setTimeout(() => this.poll(), Math.random() * intervalMs);
  }
  lines(body, now) {
    let from = 0;
    while (from < body.length) {
      let to = body.indexOf('\n', from);
      if (to === -1) to = body.length;
      if (to > from) this.baroPacket(JSON.parse(body.slice(from, to)), now);
      from = to + 1;
    }
  }
  poll() {
    if (stopped) return;
    this.get.request(getRequest(port, this.pollPrefix + this.inLast), (err, status, body) => {
      if (stopped) return;
      if (err || status !== 200) {
        problem('httpErrors', err ? `poll: ${err.message}` : `poll ${status}: ${body.trim()}`);
        setTimeout(() => this.poll(), 100);
        return;
      }
      this.lines(body, performance.now());
      if (this.wait === 1) this.poll();
      else setTimeout(() => this.poll(), intervalMs);
    });
  }
}

// socket.io over a raw WebSocket (Engine.IO v4).
class SioWs extends Sess {
  async open() {
    const opened = this.waitOpen();
    const conn = await connectWsPath(port, '/socket.io/?EIO=4&transport=websocket');
    const sock = this.sock = conn.sock;
    const reader = new FrameReader((op, len, data) => {
      if (op !== OP_TEXT) { errs.stray++; return; }
      this.eio(data.toString('utf8'), performance.now());
    }, (op, payload) => { if (op === OP_PING && !sock.destroyed) sock.write(buildFrame(OP_PONG, payload)); });
    reader.capture = true;
    conn.attach((chunk) => reader.push(chunk));
    sock.on('close', () => { if (!stopped) problem('wsClosed', 'websocket closed'); if (this.openReject) this.openReject(new Error('closed')); });
    await opened;
  }
  eio(text, now) { sioPacket(this, text, now); }
  write(text) { if (!this.sock.destroyed) this.sock.write(buildFrame(OP_TEXT, Buffer.from(text, 'utf8'))); }
  sendEcho() { this.write(`42["echo",[${this.n},"${PAD}"]]`); }
  close() { this.sock?.destroy(); }
}

/** Engine.IO packet (text) for a socket.io session: 0 open, 2 ping, 4x socket.io packets, 6 noop, 1 close. */
function sioPacket(s, text, now) {
  switch (text.charCodeAt(0)) {
    case 0x34: { // '4' message: socket.io packet
      const t = text.charCodeAt(1);
      if (t === 0x32) { // '2' EVENT
        const p = JSON.parse(text.slice(2));
        if (p[0] === 'echo') s.gotEcho(p[1], now); else errs.stray++;
      } else if (t === 0x30) { // '0' CONNECT
        if (s.openResolve) { const r = s.openResolve; s.openResolve = null; r(text.slice(2)); }
      } else if (t === 0x34 || t === 0x31) { // '4' CONNECT_ERROR, '1' DISCONNECT
        problem('closes', text); s.openReject?.(new Error(text));
      } else errs.stray++;
      return;
    }
    case 0x30: s.write('40'); return; // '0' open: connect to the default namespace
    case 0x32: s.write('3'); return; // '2' ping -> '3' pong
    case 0x36: return; // '6' noop
    case 0x31: problem('closes', 'engine.io close'); return;
    default: errs.stray++;
  }
}

// socket.io over HTTP long-polling (Engine.IO v4: GET/POST ?EIO=4&transport=polling&sid=).
class SioPoll extends Sess {
  constructor(i) { super(i); this.get = new HttpConn(port); this.post = new HttpConn(port); this.q = []; }
  async open() {
    const opened = this.waitOpen();
    const hs = await new Promise((resolve, reject) => this.get.request(getRequest(port, '/socket.io/?EIO=4&transport=polling'), (err, status, body) => {
      if (err || status !== 200 || body[0] !== '0') reject(new Error(err ? err.message : `handshake ${status}: ${body.slice(0, 100)}`));
      else resolve(JSON.parse(body.slice(1)));
    }));
    this.path = `/socket.io/?EIO=4&transport=polling&sid=${hs.sid}`;
    this.write('40');
    this.poll();
    await opened;
  }
  write(text) {
    this.q.push(text);
    if (!this.post.busy) this.flushPost();
  }
  flushPost() {
    if (stopped) return;
    const body = this.q.join('\x1e');
    this.q = [];
    this.post.request(postRequest(port, this.path, body, 'text/plain;charset=UTF-8'), (err, status, text) => {
      if (err) { if (!stopped) problem('httpErrors', `POST: ${err.message}`); return; }
      if (status !== 200) problem('httpErrors', `POST ${status}: ${text.trim()}`);
      if (this.q.length > 0) this.flushPost();
    });
  }
  poll() {
    if (stopped) return;
    this.get.request(getRequest(port, this.path), (err, status, body) => {
      if (stopped) return;
      if (err || status !== 200) {
        problem('httpErrors', err ? `poll: ${err.message}` : `poll ${status}: ${body.trim()}`);
        this.openReject?.(new Error(`poll ${status}`));
        setTimeout(() => this.poll(), 100);
        return;
      }
      const now = performance.now();
      for (const text of body.split('\x1e')) if (text.length) sioPacket(this, text, now);
      this.poll();
    });
  }
  sendEcho() { this.write(`42["echo",[${this.n},"${PAD}"]]`); }
  close() { this.get.destroy(); this.post.destroy(); }
}

function makeSession(i) {
  if (proto === 'socketio') return transport === 'websocket' ? new SioWs(i) : new SioPoll(i);
  switch (transport) {
    case 'websocket': return new BaroWs(i);
    case 'sse': return new BaroSse(i);
    case 'long-polling': return new BaroPoll(i, 1);
    default: return new BaroPoll(i, 0);
  }
}

// -------------------------------------------------------------------- run ----
const all = [];
const tOpen0 = performance.now();
const opened = await openPool(nSessions, openConcurrency, async (i) => {
  const s = makeSession(i);
  all.push(s);
  try { await s.open(); } catch (e) { s.close(); throw e; }
  return s;
});
const openMs = performance.now() - tOpen0;
const sessions = opened.items;
if (sessions.length === 0) {
  emit({ event: 'result', ok: false, error: `no session opened: ${JSON.stringify(opened.errors)}` });
  process.exit(1);
}
const httpRequests = () => {
  let n = 0;
  for (const s of sessions) n += (s.get?.requests ?? 0) + (s.post?.requests ?? 0);
  return n;
};

const t0 = performance.now();
for (const s of sessions) s.next(t0);
await new Promise((r) => setTimeout(r, warmupS * 1000));
phase = PH_MEASURE;
tStart = performance.now();
const req0 = httpRequests();
const cpu0 = process.cpuUsage();
emit({ event: 'mark', name: 'start' });
await new Promise((r) => setTimeout(r, durationS * 1000));
const tEnd = performance.now();
const cpu = process.cpuUsage(cpu0);
const req1 = httpRequests();
phase = PH_DRAIN;
emit({ event: 'mark', name: 'end' });
if (outstanding > 0) await new Promise((r) => { drainResolve = r; setTimeout(r, drainMs); });
const unanswered = outstanding;
stopped = true;
for (const s of all) s.close();

const windowMs = tEnd - tStart;
const problems = errs.gaps + errs.dups + errs.notices + errs.closes + errs.replaced + errs.httpErrors + errs.streamLost + errs.wsClosed + errs.unexpectedEcho;
emit({
  event: 'result',
  ok: verify.bad === 0 && problems === 0 && inWindow > 0 && opened.failed === 0,
  proto, transport, intervalMs: transport === 'polling' ? intervalMs : null,
  sessions: sessions.length, openFailed: opened.failed, openErrors: opened.errors, openMs: Math.round(openMs), size,
  windowMs: Math.round(windowMs),
  messages: inWindow,
  msgsPerSec: Math.round(inWindow / (windowMs / 1000)),
  latencyMs: rec.stats(),
  clientCpuPct: +(((cpu.user + cpu.system) / 1000) / windowMs * 100).toFixed(1),
  wsSubprotocol: proto === 'baro' && transport === 'websocket' ? sessions[0].subprotocol : undefined,
  httpRequestsPerMsg: transport === 'websocket' ? null : inWindow ? +((req1 - req0) / inWindow).toFixed(2) : null,
  totalSent: sent, totalReceived: received, unanswered, maxMessagesHit: sent >= maxMessages,
  errors: errs, errorNotes: noteOf, verify,
  procCpuMs: lifetimeCpuMs(),
});
process.exit(0);
