// Anchor for the session benchmarks: a socket.io 4 server with the same behaviour as
// bench/servers/baro-session.mjs, on socket.io's defaults (transports polling + websocket,
// no per-message deflate, 25 s ping interval). Same CLI:
//   node bench/servers/socketio-session.mjs --port 9001 [--redis redis://127.0.0.1:6380]
// --redis: @socket.io/redis-adapter (pub/sub) over node-redis, as its README sets it up.
// Events: echo -> socket.emit('echo', data); broadcast / trigger -> io.emit('bcast', data)
// (socket.io's adapter encodes a broadcast once and pre-builds its WebSocket frame).
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { parseArgs, intArg, announce, answerMemoryProbes, HOST } from '../lib/cli.mjs';

const require = createRequire(import.meta.url);
const { Server } = require('socket.io');

const args = parseArgs();
const port = intArg(args, 'port', 8080);

const http = createServer((_req, res) => { res.writeHead(404).end(); });
const io = new Server(http, { serveClient: false });
if (typeof args.redis === 'string') {
  const { createClient } = require('redis');
  const { createAdapter } = require('@socket.io/redis-adapter');
  const pubClient = createClient({ url: args.redis });
  const subClient = pubClient.duplicate();
  await Promise.all([pubClient.connect(), subClient.connect()]);
  io.adapter(createAdapter(pubClient, subClient));
}

io.on('connection', (socket) => {
  socket.on('echo', (data) => socket.emit('echo', data));
  socket.on('broadcast', (data) => io.emit('bcast', data));
  socket.on('trigger', (data) => io.emit('bcast', data));
});

http.listen(port, HOST, () => {
  const pkg = (name) => { try { return require(`${name}/package.json`).version; } catch { return null; } };
  announce({ server: 'socket.io', version: pkg('socket.io'), adapter: typeof args.redis === 'string' ? `@socket.io/redis-adapter ${pkg('@socket.io/redis-adapter')}` : 'in-memory', port, transports: io.engine.opts.transports,
    perMessageDeflate: Boolean(io.engine.opts.perMessageDeflate), pingInterval: io.engine.opts.pingInterval });
});
answerMemoryProbes();
http.on('error', (err) => { console.error(err); process.exit(1); });
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
