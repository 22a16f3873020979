#!/usr/bin/env node
// Socket.IO v5 on baro at /socket.io/: namespaces / and /custom. On connection each socket gets
// 'auth' with its handshake's auth payload; 'message' is answered with 'message-back' (same
// arguments); 'message-with-ack' is acked with the same arguments.
// Usage: node examples/socketio-server.mjs --port 3000 [--host 127.0.0.1] [--ping-interval MS] [--ping-timeout MS] [--max-payload BYTES] [--connect-timeout MS]
import { parseArgs } from 'node:util';
import { Server } from '@baro/socketio';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
    'ping-interval': { type: 'string' },
    'ping-timeout': { type: 'string' },
    'max-payload': { type: 'string' },
    'connect-timeout': { type: 'string' },
  },
});

const numberOrDefault = (text) => (text === undefined ? undefined : Number(text));

const io = new Server(Number(values.port), {
  host: values.host,
  pingInterval: numberOrDefault(values['ping-interval']),
  pingTimeout: numberOrDefault(values['ping-timeout']),
  maxPayload: numberOrDefault(values['max-payload']),
  connectTimeout: numberOrDefault(values['connect-timeout']),
});

function onConnection(socket) {
  socket.emit('auth', socket.handshake.auth);
  socket.on('message', (...args) => socket.emit('message-back', ...args));
  socket.on('message-with-ack', (...args) => {
    const ack = args.pop();
    if (typeof ack === 'function') ack(...args);
  });
}

io.on('connection', onConnection);
io.of('/custom').on('connection', onConnection);

await io.ready;
const { address, port } = io.address();
console.log(`baro Socket.IO server on http://${address}:${port}/socket.io/`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await io.close();
    process.exit(0);
  });
}
