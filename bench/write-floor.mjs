#!/usr/bin/env node
// The floor under any broadcast on this machine: one 383 B write() (the size of the quiz's "open"
// state) to each of N loopback TCP sockets from one Node process pinned to core 0, with the N
// readers in another process pinned to core 1. No WebSocket, no framing, no sessions: what is left
// is Node's stream write path and the kernel, which on loopback also runs the receiving side's TCP
// work inside the writer's system call.
//
//   node bench/write-floor.mjs [--conns 10000] [--rounds 5]
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './lib/cli.mjs';
import { hasTaskset, spawnNode, stopProcess } from './lib/proc.mjs';

const args = parseArgs();
const conns = Number(args.conns ?? 10000);
const rounds = Math.max(1, Math.min(20, Number(args.rounds ?? 5)));
const PAYLOAD_BYTES = 383;
const script = fileURLToPath(import.meta.url);
const fail = (message) => {
  console.error(message);
  process.exit(1);
};

if (args.role === 'writer') runWriter();
else if (args.role === 'readers') runReaders();
else runBoth();

/** Starts the writer on core 0; it starts the readers on core 1 once it listens. */
async function runBoth() {
  const pinned = hasTaskset();
  console.log(`node bench/write-floor.mjs --conns ${conns} --rounds ${rounds}   (pinned: ${pinned})`);
  const writer = spawnNode({ script, args: ['--role', 'writer', '--conns', String(conns), '--rounds', String(rounds)], core: pinned ? 0 : null, onLine: (line) => console.log(line) });
  const timer = setTimeout(() => stopProcess(writer).then(() => fail('timed out after 120 s')), 120_000);
  const { code } = await writer.exited;
  clearTimeout(timer);
  if (code !== 0) fail(`writer failed: ${writer.stderrTail()}`);
}

function runReaders() {
  // Connect in waves of 50 so the listen backlog never overflows; read and drop everything.
  let opened = 0;
  const connectOne = () => {
    const socket = net.connect(Number(args.port), '127.0.0.1', () => {
      if (++opened < conns) connectOne();
    });
    socket.on('data', () => {});
    socket.on('error', () => {});
  };
  for (let i = 0; i < Math.min(50, conns); i++) connectOne();
  // Ends with the writer (stdin closes) or after a minute at the latest.
  process.stdin.on('close', () => process.exit(0)).resume();
  setTimeout(() => process.exit(0), 60_000).unref();
}

function runWriter() {
  const sockets = [];
  const payload = Buffer.alloc(PAYLOAD_BYTES, 0x61);
  let readers;
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => {});
    sockets.push(socket);
    if (sockets.length === conns) measure().catch((error) => fail(error.message));
  });
  const watchdog = setTimeout(() => fail(`only ${sockets.length} of ${conns} readers connected within 60 s`), 60_000);
  server.listen(0, '127.0.0.1', () => {
    const port = String(server.address().port);
    readers = spawnNode({ script, args: ['--role', 'readers', '--conns', String(conns), '--port', port], core: hasTaskset() ? 1 : null });
  });

  async function measure() {
    clearTimeout(watchdog);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const perWrite = [];
    for (let round = 0; round < rounds; round++) {
      const start = performance.now();
      // A fresh buffer per socket, as a server's per-member frame is.
      for (const socket of sockets) socket.write(Buffer.from(payload));
      const ms = performance.now() - start;
      perWrite.push((ms * 1000) / conns);
      console.log(`round ${round}: ${conns} writes of ${PAYLOAD_BYTES} B in ${ms.toFixed(1)} ms (${perWrite.at(-1).toFixed(1)} µs each)`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    const median = [...perWrite].sort((a, b) => a - b)[Math.floor(rounds / 2)];
    console.log(`median ${median.toFixed(1)} µs per write: ${((median * conns) / 1000).toFixed(0)} ms for ${conns} sockets`);
    await stopProcess(readers);
    process.exit(0);
  }
}
