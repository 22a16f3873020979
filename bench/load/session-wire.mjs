// Lean client pieces for the session benchmarks (baro session protocol and
// socket.io's Engine.IO v4), on raw `net` like wire.mjs:
//   - connectWsPath: WebSocket upgrade to any path (optionally offering a subprotocol);
//     frames are read with wire.mjs's FrameReader and built with its buildFrame;
//   - HttpConn: one keep-alive HTTP/1.1 connection, one request at a time, hand-built
//     request bytes, a minimal response parser (Content-Length and chunked bodies),
//     and a streaming mode for text/event-stream;
//   - SseParser: `id:`/`data:` lines, comments skipped;
//   - small helpers for baro packets and Engine.IO packets.
// Everything reads into one shared buffer (net `onread`); bytes are copied only
// when kept.
import net from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { HOST, connectWs } from './wire.mjs';

const READ_BUF = Buffer.allocUnsafe(256 * 1024);

// ----------------------------------------------------------------- WebSocket ----
/** Opens a WebSocket to `path`; resolves a wire.mjs Conn (attach(fn) to read frames' bytes). */
export function connectWsPath(port, path, { protocol, timeoutMs = 15000 } = {}) {
  return connectWs(port, { path, protocol, timeoutMs });
}

// ---------------------------------------------------------------------- HTTP ----
const H_HEAD = 0, H_BODY = 1, H_CHUNK_SIZE = 2, H_CHUNK_DATA = 3, H_CHUNK_CRLF = 4, H_TRAILER = 5;

/**
 * One keep-alive HTTP/1.1 connection to 127.0.0.1:port; one request at a time.
 *   request(text, cb)        cb(err, status, bodyText) once the whole response is in
 *   stream(text, onHead, onData)  for a never-ending chunked response (SSE): onHead(status),
 *                            onData(text) for each decoded piece
 * A response with `Connection: close` (or a dropped socket) reconnects lazily on the next request.
 */
export class HttpConn {
  constructor(port) {
    this.port = port;
    this.sock = null;
    this.cb = null;
    this.onData = null;
    this.onHead = null;
    this.closeAfter = false;
    this.requests = 0;
    this.connects = 0;
    this.onClosed = null; // (err) => void when a stream or request is cut
    this._reset();
  }

  get busy() { return this.cb !== null || this.onData !== null; }

  _reset() {
    this.state = H_HEAD;
    this.head = null; // Buffer of a partial header
    this.status = 0;
    this.need = 0;
    this.body = '';
    this.sizeLine = '';
    this.decoder = null;
  }

  _connect() {
    this.connects++;
    const sock = net.connect({
      host: HOST, port: this.port, noDelay: true,
      onread: { buffer: READ_BUF, callback: (n, buf) => { if (this.sock === sock) this._bytes(buf, 0, n); } },
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      if (this.sock !== sock) return;
      this.sock = null;
      const cb = this.cb, streaming = this.onData !== null;
      this.cb = null; this.onData = null; this.onHead = null;
      this._reset();
      if (cb) cb(new Error('connection closed'), 0, '');
      else if (streaming && this.onClosed) this.onClosed(new Error('stream closed'));
    });
    this.sock = sock;
  }

  request(text, cb) {
    if (this.busy) throw new Error('HttpConn: one request at a time');
    if (this.sock === null || this.sock.destroyed) this._connect();
    this.cb = cb;
    this.requests++;
    this.sock.write(text, 'latin1');
  }

  stream(text, onHead, onData) {
    if (this.busy) throw new Error('HttpConn: one request at a time');
    if (this.sock === null || this.sock.destroyed) this._connect();
    this.onHead = onHead;
    this.onData = onData;
    this.requests++;
    this.sock.write(text, 'latin1');
  }

  destroy() {
    const s = this.sock;
    this.sock = null;
    this.cb = null; this.onData = null; this.onHead = null;
    if (s) s.destroy();
  }

  _bytes(buf, off, end) {
    while (off < end) {
      switch (this.state) {
        case H_HEAD: {
          if (this.head !== null) { // rare: a header split across reads; go on from a private copy
            buf = Buffer.concat([this.head, buf.subarray(off, end)]);
            this.head = null; off = 0; end = buf.length;
          }
          const i = buf.subarray(off, end).indexOf('\r\n\r\n');
          if (i === -1) {
            this.head = Buffer.from(buf.subarray(off, end));
            if (this.head.length > 65536) this.sock.destroy();
            return;
          }
          const headText = buf.toString('latin1', off, off + i);
          off += i + 4;
          this._head(headText);
          continue;
        }
        case H_BODY: {
          const take = Math.min(this.need, end - off);
          this.body += buf.toString('latin1', off, off + take); // bodies here are ASCII JSON
          off += take;
          this.need -= take;
          if (this.need === 0) this._done();
          continue;
        }
        case H_CHUNK_SIZE: {
          const j = buf.subarray(off, end).indexOf(10); // \n
          if (j === -1) { this.sizeLine += buf.toString('latin1', off, end); return; }
          this.sizeLine += buf.toString('latin1', off, off + j);
          off += j + 1;
          const size = parseInt(this.sizeLine, 16);
          this.sizeLine = '';
          if (!(size >= 0)) { this.sock.destroy(); return; }
          if (size === 0) { this.state = H_TRAILER; this.need = 2; continue; }
          this.need = size;
          this.state = H_CHUNK_DATA;
          continue;
        }
        case H_CHUNK_DATA: {
          const take = Math.min(this.need, end - off);
          const piece = this.decoder.write(buf.subarray(off, off + take));
          off += take;
          this.need -= take;
          if (this.need === 0) { this.state = H_CHUNK_CRLF; this.need = 2; }
          if (this.onData !== null) { if (piece.length) this.onData(piece); } else this.body += piece;
          continue;
        }
        case H_CHUNK_CRLF: {
          const take = Math.min(this.need, end - off);
          off += take; this.need -= take;
          if (this.need === 0) this.state = H_CHUNK_SIZE;
          continue;
        }
        case H_TRAILER: { // we never get trailers: just the final CRLF
          const take = Math.min(this.need, end - off);
          off += take; this.need -= take;
          if (this.need === 0) this._done();
          continue;
        }
      }
    }
  }

  _head(text) {
    this.status = Number(text.slice(9, 12));
    const lower = text.toLowerCase();
    this.closeAfter = lower.includes('\r\nconnection: close');
    if (lower.includes('\r\ntransfer-encoding: chunked')) {
      this.state = H_CHUNK_SIZE;
      this.decoder = new StringDecoder('utf8');
      if (this.onHead) this.onHead(this.status);
      return;
    }
    const m = /\r\ncontent-length: *(\d+)/.exec(lower);
    this.need = m ? Number(m[1]) : 0;
    this.body = '';
    if (this.onHead) this.onHead(this.status);
    if (this.need === 0) this._done();
    else this.state = H_BODY;
  }

  _done() {
    const cb = this.cb, status = this.status, body = this.body;
    const streaming = this.onData !== null;
    this.cb = null; this.onData = null; this.onHead = null;
    this._reset();
    if (this.closeAfter && this.sock) { const s = this.sock; this.sock = null; s.destroy(); }
    if (cb) cb(null, status, body);
    else if (streaming && this.onClosed) this.onClosed(new Error('stream ended'));
  }
}

export function getRequest(port, path) {
  return `GET ${path} HTTP/1.1\r\nHost: ${HOST}:${port}\r\n\r\n`;
}

export function postRequest(port, path, body, contentType = 'application/x-ndjson') {
  return `POST ${path} HTTP/1.1\r\nHost: ${HOST}:${port}\r\nContent-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** Server-sent events: calls onEvent(dataText, idOrNull) per event; comments are skipped. */
export class SseParser {
  constructor(onEvent) { this.onEvent = onEvent; this.buf = ''; }
  push(text) {
    this.buf += text;
    let i;
    while ((i = this.buf.indexOf('\n\n')) !== -1) {
      const block = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 2);
      let data = null, id = null;
      for (const line of block.split('\n')) {
        if (line.startsWith('data:')) data = data === null ? line.slice(line[5] === ' ' ? 6 : 5) : `${data}\n${line.slice(6)}`;
        else if (line.startsWith('id:')) id = line.slice(line[3] === ' ' ? 4 : 3);
      }
      if (data !== null) this.onEvent(data, id);
    }
  }
}

// ------------------------------------------------------------------- helpers ----
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn(i)` for i in [0, count) with at most `concurrency` in flight; collects errors. */
export async function openPool(count, concurrency, fn) {
  const out = new Array(count);
  const errors = {};
  let failed = 0, next = 0;
  async function worker() {
    while (next < count) {
      const i = next++;
      try { out[i] = await fn(i); } catch (e) {
        failed++;
        const k = String(e.code || e.message).slice(0, 120);
        errors[k] = (errors[k] || 0) + 1;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { items: out.filter(Boolean), failed, errors };
}

/** Percentiles (ms) of a Uint32Array of microsecond samples. */
export function latencyStats(samples, n, seen) {
  const s = samples.subarray(0, n).sort();
  const pct = (p) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] / 1000 : null);
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum += s[i];
  return { p50: pct(0.5), p90: pct(0.9), p99: pct(0.99), p999: pct(0.999), max: s.length ? s[s.length - 1] / 1000 : null,
    mean: s.length ? +(sum / s.length / 1000).toFixed(3) : null, samples: s.length, seen };
}

/** A latency recorder: exact below the cap, reservoir-sampled above. */
export function recorder(cap = 2_000_000) {
  const samples = new Uint32Array(cap);
  let n = 0, seen = 0;
  return {
    record(us) {
      seen++;
      if (n < cap) { samples[n++] = us; return; }
      const j = Math.floor(Math.random() * seen);
      if (j < cap) samples[j] = us;
    },
    stats() { return latencyStats(samples, n, seen); },
  };
}
