/**
 * Target: an Engine.IO echo server (@baro/socketio's EngineServer, as examples/engineio-server.mjs
 * runs it) in its own process, so the attack suite reads its RSS. Options (JSON, argv[2]) go to
 * the server as they are; the defaults are the library's. A session's end is reported as a close
 * with code 0 and its reason.
 */
import { EngineServer, type EngineServerOptions } from '@baro/socketio';
import { onParentRequest, reportToParent } from './ipc.js';

const options = JSON.parse(process.argv[2] ?? '{}') as EngineServerOptions<unknown>;
const engine = new EngineServer({ ...options, port: 0, host: '127.0.0.1' });
engine.on('connection', (socket) => {
  socket.on('message', (data) => socket.send(data));
  socket.on('close', (reason: string) => reportToParent({ type: 'close', code: 0, reason }));
});

onParentRequest((query) => (query === 'clients' ? engine.clients.size : undefined));
await engine.ready;
reportToParent({ type: 'ready', port: engine.address().port });
