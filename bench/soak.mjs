#!/usr/bin/env node
// Soak: normal clients on every baro transport (websocket, sse, long-polling, polling; @baro/client
// in Node) doing numbered echoes and receiving numbered broadcasts from a BaroServer in a child
// process, while the attacks of issue 9 run against the same server in rounds. Reports the
// server's peak RSS, the clients' echo round trips (p50/p99/max) and every lost or duplicated
// message (there must be none: the exit code is 1 otherwise).
//
// Usage: node bench/soak.mjs [--duration S (default 600, 10..3600)] [--clients N per transport (default 3)] [--json]
// Needs the build (`npm run build`): the target and the attack helpers come from packages/attacks/dist.
import { connect as netConnect } from 'node:net';
import { connect } from '@baro/client';
import { WebSocket } from 'baro';
import { parseArgs, intArg } from './lib/cli.mjs';
import { startTarget } from '../packages/attacks/dist/support/target.js';
import { MemoryWatch, mib } from '../packages/attacks/dist/support/memory.js';
import { clientFrame, flood, Opcode, rawUpgrade } from '../packages/attacks/dist/support/raw-websocket.js';
import { inflationBomb, pingBurst, refusedEvents, tinyFragments } from '../packages/attacks/dist/support/payloads.js';
import { http, packetsIn, pipelined } from '../packages/attacks/dist/support/raw-http.js';
import { pause, waitFor } from '../packages/attacks/dist/support/wait.js';

const args = parseArgs(process.argv.slice(2));
const durationS = Math.min(3600, Math.max(10, intArg(args, 'duration', 600)));
const perTransport = Math.min(50, Math.max(1, intArg(args, 'clients', 3)));
const TRANSPORTS = ['websocket', 'sse', 'long-polling', 'polling'];
const TICK_MS = 100;
const ECHO_EVERY_MS = 50;
const ECHO_TIMEOUT_MS = 15_000;
const MiB = 1024 * 1024;

const target = await startTarget('baro-echo', {
  sessionsPerAddress: 2000,
  tickMs: TICK_MS,
  websocket: { perMessageDeflate: true },
});
const memory = new MemoryWatch(target.pid, 100);
const ws = (path = '/baro/ws', headers = {}) => rawUpgrade(target.port, { path, headers: { 'Sec-WebSocket-Protocol': 'baro.v1', ...headers } });

// ---- normal clients -------------------------------------------------------------------------

/** One client: numbered echoes one after another, numbered broadcasts checked for gaps and repeats. */
function normalClient(transport, id) {
  const client = connect(target.url, { transports: [transport], WebSocket, pollInterval: 100, reconnect: { initialDelay: 100, maxDelay: 1000 } });
  const stats = { transport, id, echoes: 0, echoLost: 0, echoWrong: 0, rtts: [], ticks: 0, firstTick: null, lastTick: null, tickLost: 0, tickDuplicated: 0, reconnects: 0 };
  client.on('tick', (n) => {
    stats.ticks++;
    if (stats.lastTick === null) stats.firstTick = n;
    else if (n <= stats.lastTick) stats.tickDuplicated++;
    else stats.tickLost += n - stats.lastTick - 1;
    if (stats.lastTick === null || n > stats.lastTick) stats.lastTick = n;
  });
  client.onState((event) => {
    if (event.type === 'reconnecting' || event.type === 'resync') stats.reconnects++;
  });
  let running = true;
  const loop = (async () => {
    for (let n = 1; running; n++) {
      const started = performance.now();
      try {
        const reply = await client.emitWithAck('echo', { id, n }, { timeout: ECHO_TIMEOUT_MS });
        if (reply?.id !== id || reply?.n !== n) stats.echoWrong++;
        else stats.rtts.push(performance.now() - started);
        stats.echoes++;
      } catch {
        stats.echoLost++;
      }
      await pause(ECHO_EVERY_MS);
    }
  })();
  return {
    stats,
    async stop() {
      running = false;
      await loop;
      client.close();
    },
  };
}

// ---- attacks (each bounded in count and time; the assertions live in packages/attacks) ---------

const PINGS = pingBurst();
const BOMB = inflationBomb(32 * MiB, Opcode.text);
const FRAGMENTS = tinyFragments();

async function withSockets(count, open, use, holdMs) {
  const sockets = [];
  try {
    for (let i = 0; i < count; i++) sockets.push(await open(i));
    await use(sockets);
    if (holdMs) await pause(holdMs);
  } finally {
    for (const s of sockets) (s.socket ?? s).destroy();
  }
}

const attacks = {
  'ping flood': () =>
    withSockets(1, () => ws(), async ([attacker]) => {
      attacker.socket.pause();
      await flood(attacker.socket, PINGS, { total: 128 * MiB, maxMs: 3000 });
    }),
  'inflation bomb': () =>
    withSockets(10, () => ws('/baro/ws', { 'Sec-WebSocket-Extensions': 'permessage-deflate' }), async (list) => {
      for (const attacker of list) attacker.socket.write(BOMB);
    }, 2000),
  'refused acks': () =>
    withSockets(20, () => ws(), async (list) => {
      const started = Date.now();
      for (let seq = 1; Date.now() - started < 3000; seq += 200) {
        const batch = refusedEvents(seq, 200);
        await Promise.all(list.map((attacker) => flood(attacker.socket, batch, { total: batch.length, maxMs: 1000 })));
      }
    }),
  'resume flood': async () => {
    const opened = await http(`${target.url}/baro/poll?wait=0`);
    const open = packetsIn(opened.body).find((packet) => packet[0] === 'o');
    if (!open) return;
    const { sid, token } = open[1];
    for (let i = 1; i <= 4; i++) {
      await http(`${target.url}/baro/send?sid=${sid}&token=${token}`, { method: 'POST', headers: { 'Content-Type': 'application/x-ndjson' }, body: JSON.stringify(['e', i, 'echo', 'x'.repeat(900 * 1024), i]) });
    }
    const head = `GET /baro/poll?wait=0&sid=${sid}&token=${token}&seq=0 HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\n\r\n`;
    await withSockets(100, () => {
      const socket = netConnect({ host: '127.0.0.1', port: target.port });
      socket.on('error', () => {});
      socket.write(head);
      return socket;
    }, async () => {}, 2000);
  },
  'pipelined polls': () => pipelined(target.port, `GET /baro/poll?wait=0 HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\n\r\n`, 100).catch(() => []),
  'foreign origin': () => withSockets(50, () => ws('/baro/ws', { Origin: 'https://evil.example' }), async () => {}),
  slowloris: () =>
    withSockets(100, (i) => {
      const socket = netConnect({ host: '127.0.0.1', port: target.port });
      socket.on('error', () => {});
      socket.write(`GET ${i % 2 ? '/baro/sse' : '/baro/ws'} HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\n`);
      return socket;
    }, async (sockets) => {
      for (let i = 0; i < 12; i++) {
        for (const socket of sockets) if (!socket.destroyed) socket.write('X');
        await pause(250);
      }
    }),
  'bad frames': () =>
    withSockets(30, () => ws(), async (list) => {
      list.forEach((attacker, i) => {
        if (i % 3 === 0) attacker.socket.write(clientFrame(Opcode.text, Buffer.from([0x68, 0xff, 0xfe])));
        else if (i % 3 === 1) attacker.socket.write(clientFrame(Opcode.binary, Buffer.alloc(1024), { declaredLength: 2n ** 62n }));
        else {
          attacker.socket.write(FRAGMENTS.first);
          void flood(attacker.socket, FRAGMENTS.continuations, { total: 110_000 * FRAGMENTS.frameBytes, maxMs: 2000 });
        }
      });
    }, 2000),
};

// ---- the run --------------------------------------------------------------------------------

const clients = TRANSPORTS.flatMap((transport) => Array.from({ length: perTransport }, (_, i) => normalClient(transport, `${transport}-${i}`)));
const attackCounts = Object.fromEntries(Object.keys(attacks).map((name) => [name, 0]));
const attackErrors = [];
const started = Date.now();
const deadline = started + durationS * 1000;
process.stderr.write(`soak: ${clients.length} clients on ${TRANSPORTS.join(', ')}, attacks in rounds, ${durationS} s\n`);
await pause(2000); // the clients open before the first attack
for (let round = 0; Date.now() < deadline - 3000; round++) {
  const name = Object.keys(attacks)[round % Object.keys(attacks).length];
  try {
    await attacks[name]();
    attackCounts[name]++;
  } catch (error) {
    attackErrors.push(`${name}: ${error.message}`);
  }
  if (!target.alive()) break;
  await pause(Math.min(2000, Math.max(0, deadline - Date.now())));
}
const serverAlive = target.alive();

// Stop the broadcasts, let every client catch up to the last one (bounded), then stop the echoes.
const lastTick = serverAlive ? await target.query('stopTicks') : null;
if (lastTick !== null) await waitFor(() => clients.every((c) => c.stats.lastTick === lastTick), 20_000, 'every client received the last broadcast').catch(() => {});
await Promise.all(clients.map((c) => c.stop()));
const peak = memory.stop();
await target.stop();

// ---- the report -----------------------------------------------------------------------------

const quantile = (sorted, q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] : NaN);
const rows = TRANSPORTS.map((transport) => {
  const group = clients.filter((c) => c.stats.transport === transport).map((c) => c.stats);
  const rtts = group.flatMap((s) => s.rtts).sort((a, b) => a - b);
  // Broadcasts missing at the end (a client that never caught up to the last one) count as lost.
  const missingAtEnd = group.reduce((sum, s) => sum + (lastTick !== null && s.lastTick !== null ? lastTick - s.lastTick : 0), 0);
  return {
    transport,
    clients: group.length,
    echoes: group.reduce((sum, s) => sum + s.echoes, 0),
    p50: Math.round(quantile(rtts, 0.5)),
    p99: Math.round(quantile(rtts, 0.99)),
    max: Math.round(rtts.at(-1) ?? NaN),
    echoLost: group.reduce((sum, s) => sum + s.echoLost + s.echoWrong, 0),
    broadcasts: group.reduce((sum, s) => sum + s.ticks, 0),
    broadcastLost: group.reduce((sum, s) => sum + s.tickLost, 0) + missingAtEnd,
    duplicated: group.reduce((sum, s) => sum + s.tickDuplicated, 0),
    reconnects: group.reduce((sum, s) => sum + s.reconnects, 0),
  };
});
const all = clients.flatMap((c) => c.stats.rtts).sort((a, b) => a - b);
const summary = {
  durationS: Math.round((Date.now() - started) / 1000),
  serverAlive,
  baselineRss: peak.baseline,
  peakRss: peak.peak,
  echoP99Ms: Math.round(quantile(all, 0.99)),
  lastBroadcast: lastTick,
  attacks: attackCounts,
  attackErrors,
  rows,
};
const bad = !serverAlive || rows.some((row) => row.echoLost || row.broadcastLost || row.duplicated);

if (args.json) console.log(JSON.stringify(summary, null, 2));
else {
  console.log(`\nsoak ${summary.durationS} s, ${clients.length} clients; server RSS ${mib(peak.baseline)} → peak ${mib(peak.peak)}; echo p99 ${summary.echoP99Ms} ms; ${lastTick ?? '?'} broadcasts sent`);
  console.log(`attack rounds: ${Object.entries(attackCounts).map(([name, n]) => `${name} ×${n}`).join(', ')}${attackErrors.length ? `; errors: ${attackErrors.slice(0, 5).join('; ')}` : ''}\n`);
  console.log('| transport | clients | echoes | p50 ms | p99 ms | max ms | echoes lost | broadcasts | lost | duplicated | reconnects |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.transport} | ${r.clients} | ${r.echoes} | ${r.p50} | ${r.p99} | ${r.max} | ${r.echoLost} | ${r.broadcasts} | ${r.broadcastLost} | ${r.duplicated} | ${r.reconnects} |`);
  console.log(bad ? '\nFAIL: the server died, or a message was lost or duplicated' : '\nOK: nothing lost or duplicated');
}
process.exit(bad ? 1 : 0);
