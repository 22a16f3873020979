// Lean raw-net WebSocket client pieces for the load generator.
// Handcrafted handshake, frames pre-built and pre-masked once, a minimal frame
// reader that parses headers and skips payloads unless asked to capture them.
// Nothing here allocates per message on the hot path except captured payloads.
import net from 'node:net';
import crypto from 'node:crypto';
import zlib from 'node:zlib';

export const HOST = '127.0.0.1';
export const OP_CONT = 0x0, OP_TEXT = 0x1, OP_BINARY = 0x2, OP_CLOSE = 0x8, OP_PING = 0x9, OP_PONG = 0xa;

// One fixed key for every connection: the accept value is computed once.
const KEY = crypto.randomBytes(16).toString('base64');
const ACCEPT = crypto.createHash('sha1').update(KEY + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
const MASK = crypto.randomBytes(4);

// client_no_context_takeover: every message we send is compressed on its own,
// so the server can inflate each independently. We never ask for
// client_max_window_bits (we compress with the default 15-bit window).
export const DEFLATE_OFFER = 'permessage-deflate; client_no_context_takeover';

export function handshakeRequest(port, { deflate = false, path = '/', protocol } = {}) {
  return Buffer.from(
    `GET ${path} HTTP/1.1\r\nHost: ${HOST}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n` +
    (protocol ? `Sec-WebSocket-Protocol: ${protocol}\r\n` : '') +
    (deflate ? `Sec-WebSocket-Extensions: ${DEFLATE_OFFER}\r\n` : '') + '\r\n', 'latin1');
}

/** Build one client frame (always masked, as RFC 6455 §5.3 requires of clients). */
export function buildFrame(opcode, payload, { fin = true, rsv1 = false, mask = MASK } = {}) {
  const len = payload.length;
  const ext = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const hlen = 2 + ext + 4;
  const buf = Buffer.allocUnsafe(hlen + len);
  buf[0] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  if (ext === 0) buf[1] = 0x80 | len;
  else if (ext === 2) { buf[1] = 0x80 | 126; buf.writeUInt16BE(len, 2); }
  else { buf[1] = 0x80 | 127; buf.writeUInt32BE(Math.floor(len / 2 ** 32), 2); buf.writeUInt32BE(len >>> 0, 6); }
  mask.copy(buf, hlen - 4);
  for (let i = 0; i < len; i++) buf[hlen + i] = payload[i] ^ mask[i & 3];
  return buf;
}

/** Compress one message on its own (no context), RFC 7692 §7.2.1: drop the trailing 00 00 ff ff. */
export function deflateMessage(payload) {
  const out = zlib.deflateRawSync(payload, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return out.subarray(0, out.length - 4);
}

export function inflateMessage(payload) {
  return zlib.inflateRawSync(Buffer.concat([payload, Buffer.from([0, 0, 0xff, 0xff])]),
    { finishFlush: zlib.constants.Z_SYNC_FLUSH });
}

/**
 * Streaming frame reader. Accepts masked or unmasked frames (the raw net echo
 * returns our own masked frames). Reports whole messages:
 *   onMessage(opcode, length, payloadOrNull, rsv1)   payload only when `capture` was true
 *   onControl(opcode, payload)                       control payloads always captured (<=125 B)
 * Set `capture` at any time; it applies to the next frame header parsed.
 */
export class FrameReader {
  constructor(onMessage, onControl) {
    this.onMessage = onMessage;
    this.onControl = onControl;
    this.capture = false;
    this.hdr = Buffer.allocUnsafe(14);
    this.hfill = 0;
    this.remaining = 0; // payload bytes left in the current frame
    this.inPayload = false;
    this.opcode = 0; this.fin = false; this.masked = false; this.maskKey = Buffer.allocUnsafe(4);
    this.msgOpcode = 0; this.msgLen = 0; this.msgRsv1 = false;
    this.msgCapture = false;
    this.collecting = null; // array receiving payload slices of the current frame, or null
    this.parts = []; this.cparts = []; // data-message parts / control-frame parts

  }

  push(chunk) {
    const n = chunk.length;
    let off = 0;
    while (off < n) {
      if (this.inPayload) {
        const take = Math.min(this.remaining, n - off);
        if (this.collecting !== null) this.collecting.push(Buffer.from(chunk.subarray(off, off + take))); // copy: chunk is reused
        off += take;
        this.remaining -= take;
        if (this.remaining === 0) this._endFrame();
        continue;
      }
      // Header: fast path when the whole header is in this chunk.
      let src = chunk, base = off, avail = n - off;
      if (this.hfill > 0 || avail < 2) {
        const need = this.hfill < 2 ? 2 : this._hlen(this.hdr);
        while (this.hfill < need && off < n) this.hdr[this.hfill++] = chunk[off++];
        if (this.hfill < 2) return;
        const full = this._hlen(this.hdr);
        while (this.hfill < full && off < n) this.hdr[this.hfill++] = chunk[off++];
        if (this.hfill < full) return;
        src = this.hdr; base = 0; this.hfill = 0;
        this._header(src, base);
        continue;
      }
      const hl = this._hlen(chunk, off);
      if (avail < hl) { // copy the partial header and wait (chunk is reused)
        chunk.copy(this.hdr, 0, off, n); this.hfill = n - off; return;
      }
      off += hl;
      this._header(src, base);
    }
  }

  _hlen(b, o = 0) {
    const l7 = b[o + 1] & 0x7f;
    return 2 + (l7 === 126 ? 2 : l7 === 127 ? 8 : 0) + ((b[o + 1] & 0x80) ? 4 : 0);
  }

  _header(b, o) {
    const b0 = b[o], b1 = b[o + 1];
    this.fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    this.opcode = opcode;
    this.masked = (b1 & 0x80) !== 0;
    let len = b1 & 0x7f, p = o + 2;
    if (len === 126) { len = b.readUInt16BE(p); p += 2; }
    else if (len === 127) { len = b.readUInt32BE(p) * 2 ** 32 + b.readUInt32BE(p + 4); p += 8; }
    if (this.masked) { b.copy(this.maskKey, 0, p, p + 4); }
    if (opcode >= 8) {
      this.collecting = this.cparts;
    } else {
      if (opcode !== OP_CONT) { this.msgOpcode = opcode; this.msgLen = 0; this.msgRsv1 = (b0 & 0x40) !== 0; this.msgCapture = this.capture; }
      this.collecting = this.msgCapture ? this.parts : null;
      this.msgLen += len;
    }
    this.remaining = len;
    this.inPayload = len > 0;
    if (len === 0) this._endFrame();
  }

  _endFrame() {
    this.inPayload = false;
    const opcode = this.opcode;
    let payload = null;
    const parts = this.collecting;
    if (parts !== null && (opcode >= 8 || this.fin)) {
      payload = parts.length === 1 ? parts[0] : Buffer.concat(parts);
      parts.length = 0;
      // Server frames are unmasked; only the raw net echo hands back masked ones.
      // (Unmasking per frame assumes one mask key per message, true for our frames.)
      if (this.masked) for (let i = 0; i < payload.length; i++) payload[i] ^= this.maskKey[i & 3];
    }
    this.collecting = null;
    if (opcode >= 8) { this.onControl(opcode, payload ?? Buffer.alloc(0)); return; }
    if (this.fin) this.onMessage(this.msgOpcode, this.msgLen, payload, this.msgRsv1);
  }
}

// All sockets read into one shared buffer (net `onread`): no Buffer allocated
// per read and no stream 'data' machinery. Bytes handed to a consumer are only
// valid during that call; anything kept must be copied (the reader does).
const READ_BUF = Buffer.allocUnsafe(256 * 1024);

/** One client connection. Call attach(fn) to receive the bytes after the upgrade. */
export class Conn {
  constructor(sock) {
    this.sock = sock;
    this.extensions = '';
    this.onBytes = null; // (chunk) => void, chunk valid only during the call
    this.pending = [];   // bytes that arrived before attach(), copied
  }
  deliver(chunk) {
    if (this.onBytes !== null) this.onBytes(chunk);
    else this.pending.push(Buffer.from(chunk));
  }
  attach(fn) {
    this.onBytes = fn;
    const p = this.pending; this.pending = [];
    for (const c of p) fn(c);
  }
}

/**
 * Open one connection and complete the upgrade (or not, in raw mode).
 * Resolves a Conn; rejects on error, non-101 status, bad accept, or timeout.
 */
export function connectWs(port, { raw = false, deflate = false, timeoutMs = 10000, localAddress, path = '/', protocol } = {}) {
  return new Promise((resolve, reject) => {
    let conn = null;
    let hs = Buffer.alloc(0);
    let done = false;
    const sock = net.connect({
      host: HOST, port, localAddress, noDelay: true,
      onread: { buffer: READ_BUF, callback: (n, buf) => { onBytes(buf.subarray(0, n)); } },
    });
    conn = new Conn(sock);
    const timer = setTimeout(() => finish(new Error('handshake timeout')), timeoutMs);
    function finish(err) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.removeListener('error', finish);
      sock.removeListener('close', onClose);
      if (err) { sock.destroy(); reject(err); } else resolve(conn);
    }
    const onClose = () => finish(new Error('closed during handshake'));
    function onBytes(chunk) {
      if (done) { conn.deliver(chunk); return; }
      hs = Buffer.concat([hs, chunk]);
      const end = hs.indexOf('\r\n\r\n');
      if (end === -1) { if (hs.length > 16384) finish(new Error('oversized handshake response')); return; }
      const text = hs.toString('latin1', 0, end);
      const [status, ...lines] = text.split('\r\n');
      if (!/^HTTP\/1\.1 101/.test(status)) return finish(new Error(`handshake refused: ${status}`));
      const headers = {};
      for (const l of lines) { const i = l.indexOf(':'); if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim(); }
      if (headers['sec-websocket-accept'] !== ACCEPT) return finish(new Error('bad Sec-WebSocket-Accept'));
      conn.extensions = headers['sec-websocket-extensions'] || '';
      conn.protocol = headers['sec-websocket-protocol'] || '';
      if (deflate && !/permessage-deflate/i.test(conn.extensions)) return finish(new Error('server did not negotiate permessage-deflate'));
      if (hs.length > end + 4) conn.pending.push(hs.subarray(end + 4)); // hs is already a copy
      hs = null;
      finish(null);
    }
    sock.on('error', finish);
    sock.on('close', onClose);
    sock.once('connect', () => {
      if (raw) { finish(null); return; }
      sock.write(handshakeRequest(port, { deflate, path, protocol }));
    });
  });
}

/** Open `count` connections with at most `concurrency` handshakes in flight. */
export async function openMany(port, count, { concurrency = 200, onOpen, ...opts } = {}) {
  const conns = new Array(count);
  const errors = {};
  let failed = 0, next = 0;
  async function worker() {
    while (next < count) {
      const i = next++;
      try {
        const c = await connectWs(port, opts);
        conns[i] = c;
        if (onOpen) onOpen(c, i);
      } catch (e) {
        failed++;
        const k = e.code || e.message;
        errors[k] = (errors[k] || 0) + 1;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { conns: conns.filter(Boolean), failed, errors };
}

/** Answer pings (masked pong with the same payload), ignore the rest. */
export function defaultControl(sock) {
  return (opcode, payload) => {
    if (opcode === OP_PING && !sock.destroyed) sock.write(buildFrame(OP_PONG, payload));
  };
}

export function emit(obj) { process.stdout.write(JSON.stringify(obj) + '\n'); }

export function lifetimeCpuMs() {
  const u = process.cpuUsage();
  return Math.round((u.user + u.system) / 1000);
}
