// baro's Socket.IO server (@baro/socketio) with the same behaviour as socketio-session.mjs, so
// the session benchmarks compare it with socket.io 4 on the same wire. Same CLI:
//   node bench/servers/baro-socketio-session.mjs --port 9001
// Events: echo -> socket.emit('echo', data); broadcast / trigger -> io.emit('bcast', data).
// Sessions per address and in all are raised: every benchmark session comes from 127.0.0.1.
import { createServer } from 'node:http';
import { Server } from '@baro/socketio';
import { parseArgs, intArg, announce, answerMemoryProbes, HOST } from '../lib/cli.mjs';

const args = parseArgs();
const port = intArg(args, 'port', 8080);

const http = createServer((_req, res) => { res.writeHead(404).end(); });
const io = new Server(http, { maxSessions: 1_000_000, maxSessionsPerAddress: 1_000_000 });

io.on('connection', (socket) => {
  socket.on('echo', (data) => socket.emit('echo', data));
  socket.on('broadcast', (data) => io.emit('bcast', data));
  socket.on('trigger', (data) => io.emit('bcast', data));
});

http.listen(port, HOST, () => {
  announce({ server: 'baro socket.io', port, transports: ['polling', 'websocket'], perMessageDeflate: false, pingInterval: 25_000 });
});
answerMemoryProbes();
http.on('error', (err) => { console.error(err); process.exit(1); });
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
