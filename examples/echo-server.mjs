#!/usr/bin/env node
// The smallest baro WebSocket server: echoes every message with its type; a text message
// "broadcast:<text>" goes, without the prefix, to every open connection instead.
// Usage: node examples/echo-server.mjs --port 8080 [--host 127.0.0.1] [--deflate]
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'baro';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8080' },
    host: { type: 'string', default: '127.0.0.1' },
    deflate: { type: 'boolean', default: false },
  },
});

const server = new WebSocketServer({
  port: Number(values.port),
  host: values.host,
  perMessageDeflate: values.deflate,
  maxPayload: 32 * 1024 * 1024,
});

const BROADCAST = Buffer.from('broadcast:');

server.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => {
    if (!isBinary && data.length >= BROADCAST.length && data.subarray(0, BROADCAST.length).equals(BROADCAST)) {
      server.broadcast(data.subarray(BROADCAST.length), { binary: false });
    } else {
      socket.send(data, { binary: isBinary });
    }
  });
});

await server.ready;
const { address, port } = server.address();
console.log(`baro echo server on ws://${address}:${port}${values.deflate ? ' (permessage-deflate)' : ''}`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await server.close({ timeout: 2000 });
    process.exit(0);
  });
}
