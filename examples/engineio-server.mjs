#!/usr/bin/env node
// The Engine.IO layer alone at /engine.io/: echoes every message (text and binary) back.
// Usage: node examples/engineio-server.mjs --port 3000 [--host 127.0.0.1] [--ping-interval MS] [--ping-timeout MS] [--max-payload BYTES]
import { parseArgs } from 'node:util';
import { EngineServer } from '@baro/socketio';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
    'ping-interval': { type: 'string' },
    'ping-timeout': { type: 'string' },
    'max-payload': { type: 'string' },
  },
});

const numberOrDefault = (text) => (text === undefined ? undefined : Number(text));

const engine = new EngineServer({
  port: Number(values.port),
  host: values.host,
  pingInterval: numberOrDefault(values['ping-interval']),
  pingTimeout: numberOrDefault(values['ping-timeout']),
  maxPayload: numberOrDefault(values['max-payload']),
});

engine.on('connection', (socket) => {
  socket.on('message', (data) => socket.send(data));
});

await engine.ready;
const { address, port } = engine.address();
console.log(`baro Engine.IO echo server on http://${address}:${port}/engine.io/`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await engine.close();
    process.exit(0);
  });
}
