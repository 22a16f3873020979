#!/usr/bin/env node
// What the quiz's fast heartbeat costs: a BaroServer (WebSocket only, nothing else to do) holds N
// idle @baro/client sessions; over a window its CPU time and the bytes its sockets carry are
// measured, for the quiz's heartbeat and for baro's default. Per-session figures are then scaled
// to 10,000 players (the cost is one ping and one pong per session per interval, so it is linear).
// Server and clients are separate processes; loopback only.
//
//   node bench/quiz-heartbeat.mjs [--clients 2000] [--window-s 30] [--heartbeats 25000,1500]
// Needs the build (packages/*/dist).
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs, intArg } from './lib/cli.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const args = parseArgs();
const clients = intArg(args, 'clients', 2000);
const windowS = intArg(args, 'window-s', 30);
const heartbeats = String(args.heartbeats ?? '25000,1500').split(',').map(Number);
const SCALE_TO = 10_000;

function start(script, scriptArgs) {
  const child = spawn(process.execPath, [path.join(BENCH, script), ...scriptArgs], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting = [];
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    let message;
    try { message = JSON.parse(line); } catch { return; }
    const index = waiting.findIndex((w) => w.event === message.event);
    if (index !== -1) waiting.splice(index, 1)[0].resolve(message);
  });
  return {
    child,
    next: (event, timeoutMs = 120_000) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${script}: no "${event}" within ${timeoutMs} ms`)), timeoutMs);
      waiting.push({ event, resolve: (m) => { clearTimeout(timer); resolve(m); } });
    }),
    send: (line) => child.stdin.write(`${line}\n`),
    stop: () => child.kill('SIGTERM'),
  };
}

const results = [];
for (const heartbeat of heartbeats) {
  const server = start('servers/heartbeat-server.mjs', ['--heartbeat', String(heartbeat)]);
  const { port } = await server.next('listening');
  const load = start('load/heartbeat-clients.mjs', ['--port', String(port), '--clients', String(clients)]);
  try {
    await load.next('open', 300_000);
    // Let the joins' own traffic and the first heartbeats settle.
    await new Promise((resolve) => setTimeout(resolve, Math.min(heartbeat, 5000) + 1000));
    server.send(`measure ${windowS}`);
    const m = await server.next('measured', (windowS + 30) * 1000);
    load.send('count');
    const state = await load.next('state');
    const perSessionMinute = (value) => (value / m.sessions) * (60 / m.seconds);
    results.push({
      heartbeatMs: heartbeat,
      sessions: m.sessions,
      sessionsLost: m.sessionsLost,
      clientsNotOpen: state.notOpen,
      bytesPerPlayerPerMinute: { toPlayer: perSessionMinute(m.bytesWritten), fromPlayer: perSessionMinute(m.bytesRead) },
      serverCpuPercentAt10k: (m.cpuMs / (m.seconds * 1000)) * (SCALE_TO / m.sessions) * 100,
    });
  } finally {
    load.stop();
    server.stop();
  }
}
console.log(JSON.stringify({ clients, windowS, results }, null, 2));
