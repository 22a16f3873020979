#!/usr/bin/env node
// Several cores of one machine as several baro nodes: node:cluster runs the session echo server in
// N worker processes sharing one port (the primary hands each new connection to the next worker),
// all on one Redis, so no request needs a sticky worker. A worker that dies is replaced; its clients
// resume on the others.
// Usage: node examples/session-cluster.mjs --port 3000 [--host 127.0.0.1] --redis redis://127.0.0.1:6379 [--workers N]
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
    redis: { type: 'string' },
    workers: { type: 'string', default: String(availableParallelism()) },
  },
});
if (!values.redis) {
  console.error('--redis is required: the workers share sessions through it');
  process.exit(2);
}

cluster.setupPrimary({
  exec: fileURLToPath(new URL('./session-echo-server.mjs', import.meta.url)),
  args: ['--port', values.port, '--host', values.host, '--redis', values.redis],
});
let stopping = false;
for (let i = 0; i < Number(values.workers); i++) cluster.fork();
cluster.on('exit', (worker, code, signal) => {
  if (stopping) return;
  console.error(`worker ${worker.process.pid} exited (${signal ?? code}): starting another`);
  cluster.fork();
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
  });
}
