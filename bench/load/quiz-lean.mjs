// Lean quiz player for the quiz load generator (quiz-players.mjs --players-impl lean): a minimal
// wire-level baro session client (docs/protocol.md) on a raw `net` socket, built from the session
// benchmarks' pieces (session-wire.mjs connectWsPath -> wire.mjs connectWs for the upgrade to
// /baro/ws with subprotocol baro.v1 and the shared-buffer `onread` socket, wire.mjs buildFrame for
// masked client frames). It exists so that the one load-generator core spends as little as
// possible per `state` frame: no JSON.parse, no packet objects, no dispatch, no timer per player.
// Server frames are read in place from the socket's read buffer (an unmasked server frame is
// parsed right here; wire.mjs FrameReader would copy every payload): only a frame split across
// reads, or a fragmented message, is copied.
//
// What it does, per player (= one session on one WebSocket):
//   - waits for ["o",info], then sends  ["e",cseq,"join",{code,nickname},ackId]  and parses the
//     ["a",seq,ackId,reply] (JSON.parse: once per player);
//   - tracks the server's sequence numbers (e and a packets, read from the bytes) and receipts them
//     as packages/client does on WebSocket: ["r",seq] 100 ms after the first unreceipted packet, or
//     at once when 100 are waiting (one shared FIFO timer instead of one timer per player);
//   - answers ["e",seq,"ping",{t},ackId] with ["a",cseq,ackId,{}] and heartbeats ["h",t] with
//     ["H",t]; answers WebSocket pings;
//   - `state` events: NOT parsed. The stage ("stage":"open" etc.), the question index
//     ("question":{... "index":N) and the version ("version":N, the last key) are read by scanning
//     the frame's bytes (they are JSON keys: an escaped string value can never contain `"stage":`);
//     a state byte for byte equal to the last one scanned (a broadcast) reuses that scan. Every
//     CHECK_EVERY-th player also JSON.parses every state it gets and compares it with the scan
//     (a mismatch fails the run); a frame the scan cannot read is JSON.parsed (counted);
//   - `you` events: counted (player 0 parses them, for the message size);
//   - submit: ["e",cseq,"submit",{questionIndex,answer,clientSubmissionId},ackId]; the ack is
//     JSON.parsed (accepted, ticket, duplicate...).
// What it does not do: reconnect or resume (a drop is counted and the round times out), resend
// unreceipted packets, watch heartbeats, binary (byte-array) packets, permessage-deflate, other
// transports. The receive time of a frame is `performance.now()` taken when its socket read
// callback starts (before any parsing).
import { buildFrame, OP_CONT, OP_TEXT, OP_PING, OP_PONG, OP_CLOSE } from './wire.mjs';
import { connectWsPath } from './session-wire.mjs';

export const RECEIPT_DELAY_MS = 100; // packages/client RECEIPT_DELAY.websocket
export const RECEIPT_BATCH = 100;    // packages/client RECEIPT_BATCH
export const CHECK_EVERY = 100;      // players i % CHECK_EVERY === 0 cross-check the byte scan with JSON.parse

const now = () => performance.now();
const B = (s) => Buffer.from(s, 'latin1');
const K_STAGE = B('"stage":');       // then "open" | "shown" | "closed" | "hidden" | null
const K_QUESTION = B('"question":'); // then null | {"index":N,...}
const K_INDEX = B('"index":');
const K_VERSION = B('"version":');
const N_STATE = B('"state",'), N_YOU = B('"you",'), N_PING = B('"ping",');
const STAGES = [['open', B('"open"')], ['shown', B('"shown"')], ['closed', B('"closed"')], ['hidden', B('"hidden"')]];
const V_REVERSED = B(':"noisrev"').reverse(); // `"version":` read backwards from the digits
const Q = 0x22, DIGIT0 = 0x30, DIGIT9 = 0x39;

/** Counters shared by every lean player (reported in the result as `lean`). */
export const leanStats = {
  framesIn: 0, framesCopied: 0, statesScanned: 0, scanCacheHits: 0, scanChecks: 0, scanMismatches: 0, scanFallbacks: 0, mismatchNote: null,
  receiptsSent: 0, pingsAnswered: 0, heartbeats: 0, receiptsIn: 0, notices: 0, stray: 0, gaps: 0, closePackets: 0,
};

/** Reads the unsigned integer at data[i...] (-1 when there is no digit). */
function uint(data, i) {
  let v = 0, c = data[i];
  if (!(c >= DIGIT0 && c <= DIGIT9)) return -1;
  while ((c = data[i]) >= DIGIT0 && c <= DIGIT9) { v = v * 10 + (c - DIGIT0); i++; }
  return v;
}
/** Whether `word` is at data[i...] (before `end`); a JS loop: the words are a few bytes. */
function at(data, i, end, word) {
  const n = word.length;
  if (i + n > end) return false;
  for (let k = 0; k < n; k++) if (data[i + k] !== word[k]) return false;
  return true;
}
/** indexOf bounded by `end` (a read buffer may hold later frames after this one). */
function find(data, word, from, end) {
  const i = data.indexOf(word, from);
  return i >= 0 && i + word.length <= end ? i : -1;
}

/**
 * Scans a state event's data (JSON from `from` to `end`, the packet's closing `]` at end - 1) for
 * stage, question index and version without parsing it. Returns null when the bytes are not what
 * we expect (the caller parses).
 */
const scanOut = { stage: null, index: null, version: -1 };
function scanState(data, from, end) {
  const s = find(data, K_STAGE, from, end);
  if (s < 0) return null;
  let stage;
  const sv = s + K_STAGE.length;
  if (data[sv] === 0x6e /* n */) stage = null;
  else {
    stage = undefined;
    for (let k = 0; k < STAGES.length; k++) if (at(data, sv, end, STAGES[k][1])) { stage = STAGES[k][0]; break; }
    if (stage === undefined) return null; // a stage we do not know: let the parse decide
  }
  // "question": precedes "stage" in the server's key order; anywhere else, search the whole object.
  let q = data.lastIndexOf(K_QUESTION, s);
  if (q < from) q = find(data, K_QUESTION, from, end);
  if (q < 0) return null;
  let index = null;
  const qv = q + K_QUESTION.length;
  if (data[qv] !== 0x6e /* n */) {
    const ix = find(data, K_INDEX, qv, end);
    if (ix < 0) return null;
    index = uint(data, ix + K_INDEX.length);
    if (index < 0) return null;
  }
  // "version":N is the last key: ...,"version":N}] read backwards; otherwise search for it.
  let version = -1, j = end - 3; // end-1 ']', end-2 '}'
  if (data[end - 1] === 0x5d && data[end - 2] === 0x7d) {
    let v = 0, mul = 1;
    while (j > from && data[j] >= DIGIT0 && data[j] <= DIGIT9) { v += (data[j] - DIGIT0) * mul; mul *= 10; j--; }
    if (j < end - 3) {
      let k = 0;
      while (k < V_REVERSED.length && data[j - k] === V_REVERSED[k]) k++;
      if (k === V_REVERSED.length) version = v;
    }
  }
  if (version < 0) {
    const v = data.lastIndexOf(K_VERSION, end - 1);
    if (v < from) return null;
    version = uint(data, v + K_VERSION.length);
    if (version < 0) return null;
  }
  scanOut.stage = stage; scanOut.index = index; scanOut.version = version;
  return scanOut;
}

// A broadcast `state` is the same bytes for every player (the server encodes it once; only the
// ["e",<seq>, prefix differs): the scan of the last distinct state is kept with a copy of its
// bytes, and a frame whose data is byte for byte the same (one memcmp) reuses it.
let cachedState = null, cachedScan = null;
function scanCached(data, from, end) {
  const n = end - from;
  if (cachedState !== null && cachedState.length === n && data.compare(cachedState, 0, n, from, end) === 0) { leanStats.scanCacheHits++; return cachedScan; }
  const sc = scanState(data, from, end);
  if (sc === null) return null;
  cachedState = Buffer.from(data.subarray(from, end));
  cachedScan = { stage: sc.stage, index: sc.index, version: sc.version };
  return cachedScan;
}

// ----------------------------------------------------------------- receipts ----
// packages/client: after a batch of packets, a receipt is due RECEIPT_DELAY_MS after the first
// unreceipted one (or at once at RECEIPT_BATCH). Every player's delay is the same, so the due
// times are in arrival order: one FIFO and one timer replace 10,000 timers.
const rq = []; // [player, due, gen, player, due, gen, ...]
let rqHead = 0, rqTimer = null, rqTimerAt = Infinity;
function armReceipts() {
  if (rqHead >= rq.length) { rq.length = 0; rqHead = 0; return; }
  const due = rq[rqHead + 1];
  if (rqTimer !== null && rqTimerAt <= due) return;
  if (rqTimer !== null) clearTimeout(rqTimer);
  rqTimerAt = due;
  rqTimer = setTimeout(flushReceipts, Math.max(0, due - now()));
}
function flushReceipts() {
  rqTimer = null; rqTimerAt = Infinity;
  const t = now() + 0.5;
  while (rqHead < rq.length && rq[rqHead + 1] <= t) {
    const p = rq[rqHead], gen = rq[rqHead + 2];
    rqHead += 3;
    if (p.receiptGen === gen) p.sendReceipt();
  }
  if (rqHead > 30000 && rqHead * 2 > rq.length) { rq.splice(0, rqHead); rqHead = 0; }
  armReceipts();
}

// ------------------------------------------------------------------- player ----
export class LeanPlayer {
  /**
   * hooks: { state(p, stage, questionIndex, version, t, parsedDataOrNull), you(p, bytes, parsedOrNull),
   *          ping(p), dropped(p, reason) }
   */
  constructor(i, port, hooks) {
    this.i = i;
    this.port = port;
    this.hooks = hooks;
    this.sock = null;
    this.inLast = 0;       // highest server seq processed
    this.offsets = new Map(); // stream -> highest offset processed (room broadcasts: ["m",stream,offset,...])
    this.receipted = 0;    // highest server seq receipted
    this.receiptGen = 0;   // bumps on every receipt sent: stale FIFO entries are skipped
    this.receiptQueued = false;
    this.cseq = 0;
    this.ackId = 0;
    this.pending = new Map(); // ackId -> (data, error) => void
    this.info = null;
    this.onOpen = null;
    this.readAt = 0;
    this.rest = null;      // the start of a frame split across reads (a copy)
    this.frag = null;      // a fragmented message's parts so far (copies), never seen from baro
    this.fragOp = 0;
    this.closed = false;
    this.check = i % CHECK_EVERY === 0;
  }

  /** Opens the session: resolves with the open packet's info. */
  async open(timeoutMs) {
    const opened = new Promise((resolve, reject) => {
      const t = setTimeout(() => { this.onOpen = null; reject(new Error('no open packet in time')); }, timeoutMs);
      this.onOpen = (err, info) => { clearTimeout(t); this.onOpen = null; if (err) reject(err); else resolve(info); };
    });
    const conn = await connectWsPath(this.port, '/baro/ws', { protocol: 'baro.v1', timeoutMs });
    const sock = this.sock = conn.sock;
    sock.on('error', () => {});
    sock.on('close', () => this.drop('socket closed'));
    conn.attach((chunk) => this.bytes(chunk));
    return opened;
  }

  /**
   * The bytes of one socket read (only valid during the call: the read buffer is shared). Stamps the
   * read, then handles every whole frame in place; a partial frame at the end is copied for later.
   */
  bytes(chunk) {
    this.readAt = now();
    let buf = chunk, off = 0;
    if (this.rest !== null) { buf = Buffer.concat([this.rest, chunk]); this.rest = null; leanStats.framesCopied++; }
    const end = buf.length;
    while (off < end && !this.closed) {
      if (end - off < 2) break;
      const b0 = buf[off], b1 = buf[off + 1];
      let len = b1 & 0x7f, h = 2;
      if (len === 126) { if (end - off < 4) break; len = buf.readUInt16BE(off + 2); h = 4; }
      else if (len === 127) { if (end - off < 10) break; len = buf.readUInt32BE(off + 2) * 2 ** 32 + buf.readUInt32BE(off + 6); h = 10; }
      if (b1 & 0x80) { this.sock.destroy(); this.drop('masked server frame'); return; }
      if (end - off - h < len) break;
      const s = off + h, e = s + len;
      off = e;
      const op = b0 & 0x0f;
      if (op >= 8) { this.control(op, buf.subarray(s, e)); continue; }
      const fin = (b0 & 0x80) !== 0;
      if (op !== OP_CONT && fin && this.frag === null) { this.message(op, buf, s, e); continue; }
      // A fragmented message: keep copies of its parts until the last one.
      if (op !== OP_CONT) { this.frag = []; this.fragOp = op; }
      if (this.frag === null) { this.sock.destroy(); this.drop('continuation frame without a message'); return; }
      this.frag.push(Buffer.from(buf.subarray(s, e)));
      if (fin) { const whole = Buffer.concat(this.frag); this.frag = null; leanStats.framesCopied++; this.message(this.fragOp, whole, 0, whole.length); }
    }
    if (off < end && !this.closed) this.rest = Buffer.from(buf.subarray(off, end)); // copy: chunk is reused
  }

  control(op, payload) {
    if (op === OP_PING) { if (!this.sock.destroyed) this.sock.write(buildFrame(OP_PONG, payload)); }
    else if (op === OP_CLOSE) this.drop(`websocket close ${payload.length >= 2 ? payload.readUInt16BE(0) : ''} ${payload.subarray(2).toString()}`.trim());
  }

  drop(reason) {
    if (this.closed) return;
    this.closed = true;
    if (this.onOpen) this.onOpen(new Error(reason));
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const cb of pending) cb(null, reason);
    this.hooks.dropped(this, reason);
  }

  destroy() { this.closed = true; this.sock?.destroy(); }

  write(text) {
    if (this.sock === null || this.sock.destroyed) return false;
    this.sock.write(buildFrame(OP_TEXT, Buffer.from(text, 'utf8')));
    return true;
  }

  /** Sends an event asking for an answer; cb(data, error) once it comes (or the socket dies). */
  emitWithAck(name, data, cb) {
    const ackId = ++this.ackId;
    this.pending.set(ackId, cb);
    if (!this.write(`["e",${++this.cseq},${JSON.stringify(name)},${JSON.stringify(data)},${ackId}]`)) {
      this.pending.delete(ackId);
      cb(null, 'not connected');
    }
  }

  sendReceipt() {
    this.receiptQueued = false;
    this.receiptGen++;
    if (this.inLast <= this.receipted) return;
    this.receipted = this.inLast;
    leanStats.receiptsSent++;
    this.write(`["r",${this.inLast}]`);
  }

  scheduleReceipt() {
    const waiting = this.inLast - this.receipted;
    if (waiting >= RECEIPT_BATCH) this.sendReceipt();
    else if (waiting > 0 && !this.receiptQueued) {
      this.receiptQueued = true;
      rq.push(this, this.readAt + RECEIPT_DELAY_MS, this.receiptGen);
      armReceipts();
    }
  }

  /** One whole message: data[s, e) (only valid during the call unless copied). */
  message(op, data, s, e) {
    if (this.closed) return;
    leanStats.framesIn++;
    if (op !== OP_TEXT || e - s < 5 || data[s] !== 0x5b || data[s + 1] !== Q || data[s + 3] !== Q) { leanStats.stray++; return; }
    const type = data[s + 2];
    if (type === 0x65 /* e */ || type === 0x61 /* a */) {
      const seq = uint(data, s + 5);
      if (seq <= this.inLast) return; // at or below what we processed: a duplicate (never without a resume)
      if (seq !== this.inLast + 1) { leanStats.gaps++; this.sock.destroy(); this.drop(`sequence gap at ${seq} (expected ${this.inLast + 1})`); return; }
      this.inLast = seq;
      let i = s + 5;
      while (i < e && data[i] !== 0x2c /* , */) i++;
      i++;
      if (type === 0x65) this.event(data, i, s, e);
      else this.ack(data.toString('utf8', s, e));
      this.scheduleReceipt();
      return;
    }
    if (type === 0x6d /* m */) {
      // ["m","<stream>",offset,name,data]: quiz room names hold no escapes, so the stream ends at the next quote.
      let q = s + 6;
      while (q < e && data[q] !== Q) q++;
      const stream = data.toString('latin1', s + 6, q);
      const offset = uint(data, q + 2);
      if (offset <= (this.offsets.get(stream) ?? 0)) return; // replayed or repeated: processed already
      this.offsets.set(stream, offset);
      let i = q + 2;
      while (i < e && data[i] !== 0x2c /* , */) i++;
      this.event(data, i + 1, s, e, 4);
      return;
    }
    switch (type) {
      case 0x6a: case 0x6c: return; // ["j",stream,epoch,offset] / ["l",stream]: positions, for resumes this client does not make
      case 0x72: leanStats.receiptsIn++; return; // ["r",cseq]
      case 0x68: // ["h",t] -> ["H",t]
        leanStats.heartbeats++;
        this.write(`["H",${data.toString('latin1', s + 5, e - 1)}]`);
        return;
      case 0x6f: { // ["o",info]
        const info = JSON.parse(data.toString('utf8', s, e))[1];
        this.info = info;
        if (this.onOpen) this.onOpen(null, info);
        return;
      }
      case 0x63: // ["c",code,reason,retryAfterMs]
        leanStats.closePackets++;
        this.drop(`close packet ${data.toString('utf8', s, e).slice(0, 200)}`);
        this.sock.destroy();
        return;
      case 0x21: leanStats.notices++; return; // ["!",code,message]
      case 0x48: return; // ["H",t]
      default: leanStats.stray++;
    }
  }

  /**
   * ["e",seq,name,data] / ["e",seq,name,data,ackId] / ["m",stream,offset,name,data] in data[s, e);
   * `i` is where the name starts, `dataAt` the data's index in the packet.
   */
  event(data, i, s, e, dataAt = 3) {
    const t = this.readAt;
    if (at(data, i, e, N_STATE)) {
      leanStats.statesScanned++;
      const sc = scanCached(data, i + N_STATE.length, e);
      let parsed = null;
      if (sc === null || this.check) {
        parsed = JSON.parse(data.toString('utf8', s, e))[dataAt];
        const stage = parsed?.stage ?? null, index = parsed?.question ? parsed.question.index : null, version = parsed?.version ?? -1;
        if (sc === null) leanStats.scanFallbacks++;
        else {
          leanStats.scanChecks++;
          if (stage !== sc.stage || index !== sc.index || version !== sc.version) {
            leanStats.scanMismatches++;
            leanStats.mismatchNote ??= `scan ${JSON.stringify(sc)} vs parse ${JSON.stringify({ stage, index, version })}`;
          }
        }
        this.hooks.state(this, stage, index, version, t, parsed);
        return;
      }
      this.hooks.state(this, sc.stage, sc.index, sc.version, t, null);
      return;
    }
    if (at(data, i, e, N_YOU)) {
      this.hooks.you(this, e - s, this.i === 0 ? JSON.parse(data.toString('utf8', s, e))[dataAt] : null);
      return;
    }
    if (at(data, i, e, N_PING)) {
      // ["e",seq,"ping",{"t":N},ackId]: the ackId is the last number before the closing bracket.
      let j = e - 2;
      while (j > i && data[j] >= DIGIT0 && data[j] <= DIGIT9) j--;
      const ackId = uint(data, j + 1);
      if (data[j] !== 0x2c || ackId < 0) { leanStats.stray++; return; }
      leanStats.pingsAnswered++;
      this.write(`["a",${++this.cseq},${ackId},{}]`);
      this.hooks.ping(this);
      return;
    }
    leanStats.stray++; // an event players do not handle (no handler: the real client ignores it too)
  }

  /** ["a",seq,ackId,data] or ["a",seq,ackId,null,error]. */
  ack(text) {
    const p = JSON.parse(text);
    const cb = this.pending.get(p[2]);
    if (!cb) { leanStats.stray++; return; }
    this.pending.delete(p[2]);
    if (p.length > 4) cb(null, String(p[4]));
    else cb(p[3], undefined);
  }
}
