/**
 * The server side of one lab run, in a child process of its own so that `process.cpuUsage()` is the
 * server's CPU alone (the 100 clients live in the parent and would otherwise dominate it).
 * argv[2] is the Variant as JSON. Talks to the lab over IPC (see `ToServer`/`FromServer`).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BaroServer, enablePeers } from 'baro';
import { ByteCounter } from './byte-counter.js';
import { wallClock, type FromServer, type ServerPlan, type ToServer, type Variant } from './shared.js';

const variant = JSON.parse(process.argv[2] ?? '{}') as Variant;
const send = (message: FromServer): void => void process.send!(message);

const http = createServer();
const counter = new ByteCounter(http);
const server = new BaroServer({
  server: http,
  transports: [variant.transport],
  sessionsPerAddress: 100_000,
  // The burst sends 1,000 events at once to every client: don't let the default rate limits or caps interfere.
  limits: { eventsPerSecond: 10_000, eventBurst: 10_000 },
  websocket: { perMessageDeflate: variant.deflate ? { threshold: 0 } : false },
});

// Peers may join the lab's mesh; the relay budget is out of the way, as the rate limits are above.
const peers = variant.peers ? enablePeers(server, { authorizeJoin: () => true, relayBytesPerSecond: 1 << 30, relayBurstBytes: 1 << 30, signalBurst: 10_000 }) : null;

const upstreamLatencies: number[] = [];
let upstreamReceived = 0;
server.on('connection', (session) => {
  session.on('chat', (data: unknown) => {
    upstreamReceived++;
    const t = (data as { t?: number }).t;
    if (typeof t === 'number') upstreamLatencies.push(wallClock() - t);
  });
});
server.on('error', (error) => console.error('[lab server]', error));

let cpuStart = process.cpuUsage();

function run(plan: ServerPlan): void {
  let sent = 0;
  const emitOne = (): void => {
    server.emit(plan.event, { ...plan.body, i: sent, t: wallClock() });
    sent++;
  };
  if (plan.intervalMs <= 0) {
    while (sent < plan.messages) emitOne();
    send({ type: 'emitted', count: sent });
    return;
  }
  const start = performance.now();
  const tick = (): void => {
    emitOne();
    if (sent >= plan.messages) return send({ type: 'emitted', count: sent });
    // Scheduled against the start time, so timer drift does not stretch the run.
    setTimeout(tick, Math.max(0, start + sent * plan.intervalMs - performance.now()));
  };
  tick();
}

process.on('message', (message: ToServer) => {
  if (message.type === 'run') run(message.plan);
  else if (message.type === 'report') {
    const cpu = process.cpuUsage(cpuStart);
    send({ type: 'report', wire: counter.snapshot(), cpuMicros: cpu.user + cpu.system, upstreamLatencies, upstreamReceived, sessions: server.sessions.size, peers: peers ? { ...peers.counters } : null });
  } else if (message.type === 'exit') {
    http.closeAllConnections();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));

http.listen(0, '127.0.0.1', () => {
  cpuStart = process.cpuUsage();
  send({ type: 'ready', port: (http.address() as AddressInfo).port });
});
