// baro session server (BaroServer: WebSocket, SSE, long-polling, polling) for the
// session benchmarks. Same CLI style as the other bench servers:
//   node bench/servers/baro-session.mjs --port 9001 [--transports websocket,sse,long-polling,polling]
//        [--redis redis://127.0.0.1:6380]   the Redis hub (@baro/redis broker, presence and session
//                                           store: any node serves any session) instead of the in-process one
// Events (client -> server):
//   echo      -> session.emit('echo', data) back to the sender
//   broadcast -> server.emit('bcast', data) to every session
//   trigger   -> the same (the name the broadcast benchmark's control session uses)
// The per-address session cap and the per-session event rate limit are raised:
// every benchmark session comes from 127.0.0.1 and sends as fast as it can.
import { parseArgs, intArg, announce, answerMemoryProbes, HOST } from '../lib/cli.mjs';
import { BaroServer } from 'baro';
import { RedisBroker, RedisPresence, RedisSessionStore } from '@baro/redis';

const args = parseArgs();
const port = intArg(args, 'port', 8080);
const transports = typeof args.transports === 'string' ? args.transports.split(',').map((s) => s.trim()) : undefined;

const hub = typeof args.redis === 'string'
  ? { broker: new RedisBroker({ url: args.redis }), presence: new RedisPresence({ url: args.redis }), store: new RedisSessionStore({ url: args.redis }) }
  : {};
const server = new BaroServer({
  ...hub,
  port,
  host: HOST,
  transports,
  sessionsPerAddress: 1_000_000,
  maxSessions: 1_000_000,
  limits: { eventsPerSecond: 1e9, eventBurst: 1e9 },
});

let sessions = 0;
server.on('connection', (session) => {
  sessions++;
  session.on('echo', (data) => session.emit('echo', data));
  session.on('broadcast', (data) => server.emit('bcast', data));
  session.on('trigger', (data) => server.emit('bcast', data));
});
server.on('error', (err) => { console.error(err); });

await server.ready;
answerMemoryProbes();
announce({ server: 'baro-session', hub: hub.broker ? 'redis' : 'in-process', port, transports: [...server.transports], limits: server.limits });

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.once(sig, async () => {
    const t = setTimeout(() => process.exit(0), 1500);
    try {
      await server.close({ timeout: 500 });
      await Promise.allSettled([hub.broker?.close(), hub.presence?.close(), hub.store?.close()]);
    } catch { /* exiting anyway */ }
    clearTimeout(t);
    process.exit(0);
  });
}
