#!/usr/bin/env node
// What a permessage-deflate connection costs a baro server: N ws clients (deflate offered, as
// browsers do) each echo one 1.6 KiB JSON message, so both zlib streams of every connection have
// run; the server's RSS growth divided by N. Three servers, one process each: no deflate, deflate
// with baro's defaults (12-bit windows, memLevel 5), deflate with zlib's own (15 bits, memLevel 8).
//
//   node bench/deflate-memory.mjs [--conns 400]
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { parseArgs, intArg } from './lib/cli.mjs';

const args = parseArgs();
const script = fileURLToPath(import.meta.url);
const CONFIGS = {
  'no deflate': false,
  'deflate, baro defaults': true,
  'deflate, zlib defaults': { serverMaxWindowBits: 15, clientMaxWindowBits: 15, memLevel: 8 },
};

if (args.role === 'server') runServer(args.config);
else runAll(intArg(args, 'conns', 400));

async function runServer(config) {
  const { WebSocketServer } = await import('baro');
  const server = new WebSocketServer({ port: 0, perMessageDeflate: CONFIGS[config] });
  await server.ready;
  server.on('connection', (connection) => connection.on('message', (data, isBinary) => connection.send(data, { binary: isBinary })));
  process.on('message', () => {
    globalThis.gc?.();
    setTimeout(() => process.send({ rss: process.memoryUsage().rss }), 200);
  });
  process.send({ port: server.address().port });
}

async function runAll(conns) {
  const message = JSON.stringify(Array.from({ length: 40 }, (_, i) => ({ id: i, name: `player${i}`, score: (i * 37) % 1000 })));
  console.log(`node bench/deflate-memory.mjs --conns ${conns}   (message ${message.length} B)`);
  for (const config of Object.keys(CONFIGS)) {
    const child = fork(script, ['--role', 'server', '--config', config], { execArgv: ['--expose-gc'] });
    const next = () => new Promise((resolve) => child.once('message', resolve));
    const { port } = await next();
    const rss = async () => {
      child.send('rss');
      return (await next()).rss;
    };
    const before = await rss();
    const clients = [];
    for (let i = 0; i < conns; i++) {
      const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: true });
      await new Promise((resolve, reject) => (client.once('open', resolve), client.once('error', reject)));
      await new Promise((resolve) => (client.once('message', resolve), client.send(message)));
      clients.push(client);
    }
    const after = await rss();
    console.log(`${config.padEnd(24)} ${((after - before) / conns / 1024).toFixed(1).padStart(6)} KiB per connection`);
    for (const client of clients) client.terminate();
    child.kill();
  }
}
