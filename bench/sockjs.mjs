#!/usr/bin/env node
// SockJS echo: baro's @baro/sockjs against the reference server (sockjs 0.3.24), one run.
// Rows: echo msg/s and p99 round trip over `websocket` and `xhr-streaming` (32 B messages, one
// in flight per connection), and server memory per idle WebSocket session.
// Server pinned to core 0, load generator to core 1 (when taskset exists); loopback only.
//   node bench/sockjs.mjs [--quick] [--conns N] [--duration S] [--idle N]
import { request, Agent } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { parseArgs } from './lib/cli.mjs';
import { spawnNode, stopProcess, rssKiB, sleep, hasTaskset } from './lib/proc.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const args = parseArgs();
const quick = Boolean(args.quick);
const P = {
  conns: Number(args.conns ?? (quick ? 20 : 50)),
  duration: Number(args.duration ?? (quick ? 1 : 4)),
  warmup: quick ? 0.3 : 1,
  idle: Number(args.idle ?? (quick ? 300 : 2000)),
};
const pin = hasTaskset();
const MESSAGE = 'x'.repeat(32);

async function startServer(impl) {
  let resolvePort;
  const portKnown = new Promise((resolve) => (resolvePort = resolve));
  const child = spawnNode({ script: path.join(BENCH, 'servers/sockjs-echo.mjs'), args: ['--impl', impl], core: pin ? 0 : null, cwd: path.join(BENCH, '..'), onLine: (line) => line.port && resolvePort(line.port) });
  const port = await Promise.race([portKnown, sleep(10_000).then(() => { throw new Error(`${impl} server did not start: ${child.stderrTail()}`); })]);
  return { child, port };
}

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : NaN;
}

/** One SockJS WebSocket connection: resolves once 'o' arrived; `roundTrip()` echoes one message. */
async function websocketClient(port, id) {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/echo/0/${id}/websocket`);
  let waiting = null;
  await new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.on('message', (data) => {
      const frame = String(data);
      if (frame === 'o') resolve();
      else if (frame[0] === 'a' && waiting) { const done = waiting; waiting = null; done(); }
    });
  });
  return {
    roundTrip: () => new Promise((resolve) => { waiting = resolve; socket.send(JSON.stringify([MESSAGE])); }),
    close: () => socket.terminate(),
  };
}

/** One xhr-streaming session: a streaming response for frames, keep-alive xhr_send posts for messages. */
async function xhrStreamingClient(port, id) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let waiting = null;
  let streamRequest;
  const open = () => new Promise((resolve, reject) => {
    streamRequest = request({ host: '127.0.0.1', port, method: 'POST', path: `/echo/0/${id}/xhr_streaming` }, (response) => {
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        buffer += chunk;
        let newline;
        while ((newline = buffer.indexOf('\n')) !== -1) {
          const frame = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (frame === 'o') resolve();
          else if (frame[0] === 'a' && waiting) { const done = waiting; waiting = null; done(); }
        }
      });
      // response_limit reached: the client opens the next stream, as sockjs-client does.
      response.on('end', () => { if (!closed) open().catch(() => {}); });
    });
    streamRequest.on('error', reject);
    streamRequest.end();
  });
  let closed = false;
  await open();
  const body = JSON.stringify([MESSAGE]);
  return {
    roundTrip: () => new Promise((resolve, reject) => {
      waiting = resolve;
      const send = request({ host: '127.0.0.1', port, method: 'POST', path: `/echo/0/${id}/xhr_send`, agent, headers: { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) } }, (response) => response.resume());
      send.on('error', reject);
      send.end(body);
    }),
    close: () => { closed = true; streamRequest.destroy(); agent.destroy(); },
  };
}

async function echoRun(port, makeClient) {
  const clients = await Promise.all(Array.from({ length: P.conns }, (_, i) => makeClient(port, `bench${i}-${Math.random().toString(36).slice(2)}`)));
  const latencies = [];
  let count = 0;
  let measuring = false;
  let running = true;
  const loops = clients.map(async (client) => {
    while (running) {
      const started = performance.now();
      await client.roundTrip();
      if (measuring) { count++; latencies.push(performance.now() - started); }
    }
  });
  await sleep(P.warmup * 1000);
  measuring = true;
  const started = performance.now();
  await sleep(P.duration * 1000);
  measuring = false;
  const seconds = (performance.now() - started) / 1000;
  running = false;
  await Promise.race([Promise.all(loops), sleep(2000)]);
  for (const client of clients) client.close();
  latencies.sort((a, b) => a - b);
  return { rate: count / seconds, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

async function idleMemory(server) {
  const before = rssKiB(server.child.pid);
  const clients = [];
  for (let i = 0; i < P.idle; i += 100) {
    clients.push(...(await Promise.all(Array.from({ length: Math.min(100, P.idle - i) }, (_, j) => websocketClient(server.port, `idle${i + j}`)))));
  }
  await sleep(quick ? 500 : 1500);
  const after = rssKiB(server.child.pid);
  for (const client of clients) client.close();
  return ((after - before) * 1024) / P.idle;
}

const results = {};
for (const impl of ['baro', 'reference']) {
  const server = await startServer(impl);
  try {
    results[impl] = {
      websocket: await echoRun(server.port, websocketClient),
      'xhr-streaming': await echoRun(server.port, xhrStreamingClient),
      idleBytes: await idleMemory(server),
    };
  } finally {
    await stopProcess(server.child);
  }
}

const fmt = (v) => (Number.isNaN(v) ? '-' : v >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(2));
const rows = [];
for (const transport of ['websocket', 'xhr-streaming']) {
  rows.push([`${transport} echo msg/s ^`, results.baro[transport].rate, results.reference[transport].rate, 'higher']);
  rows.push([`${transport} p99 round trip ms v`, results.baro[transport].p99, results.reference[transport].p99, 'lower']);
}
rows.push(['memory per idle websocket session, bytes v', results.baro.idleBytes, results.reference.idleBytes, 'lower']);
console.log(`SockJS echo (${P.conns} connections, 32 B, 1 in flight; ${P.idle} idle sessions${pin ? '' : '; not pinned'})`);
console.log('metric'.padEnd(46) + 'baro'.padStart(16) + 'sockjs 0.3.24'.padStart(16));
for (const [metric, baro, reference, better] of rows) {
  const ratio = better === 'higher' ? baro / reference : reference / baro;
  console.log(`  ${metric}`.padEnd(46) + `${fmt(baro)} (${ratio.toFixed(2)})`.padStart(16) + fmt(reference).padStart(16));
}
console.log('(^ higher is better, v lower is better; ratio in parentheses vs sockjs 0.3.24, > 1.00 = better)');
