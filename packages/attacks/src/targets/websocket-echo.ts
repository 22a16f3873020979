/**
 * Target: a baro `WebSocketServer` that echoes every message (as examples/echo-server.mjs does),
 * run in its own process so the attack suite can read its RSS. Options (JSON, argv[2]) go to the
 * server as they are; the defaults are the library's. It tells its parent over IPC where it listens
 * and how each connection ended (code and the peer's port, so a test knows which one was its attacker).
 */
import { WebSocketServer, type WebSocketServerOptions } from 'baro';
import { reportToParent, onParentRequest } from './ipc.js';

const options = JSON.parse(process.argv[2] ?? '{}') as Partial<WebSocketServerOptions>;
const server = new WebSocketServer({ ...options, port: 0, host: '127.0.0.1' });

server.on('connection', (socket, request) => {
  const remotePort = request.socket.remotePort;
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  socket.on('error', () => {}); // the close that follows is reported
  socket.on('close', (code, reason) => reportToParent({ type: 'close', code, reason, remotePort }));
});
server.on('error', () => {});

onParentRequest((query) => (query === 'clients' ? server.clients.size : undefined));
await server.ready;
reportToParent({ type: 'ready', port: server.address().port });
