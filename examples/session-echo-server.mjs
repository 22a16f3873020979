#!/usr/bin/env node
// A BaroServer for trying sessions across nodes: run several with the same --redis behind any load
// balancer, without sticky sessions. Handlers: `echo` answers its ack with the same payload;
// `broadcast` sends its payload to every session as event `broadcast`; `join` (a room name) joins
// that room and acks true; `room` ({ room, data }) sends data to that room as event `room`.
// Usage: node examples/session-echo-server.mjs --port 3000 [--host 127.0.0.1] [--redis redis://127.0.0.1:6379]
import { parseArgs } from 'node:util';
import { BaroServer } from 'baro';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
    redis: { type: 'string' },
  },
});

// Without --redis: one process, everything in memory (baro's default).
const hub = values.redis ? await redisHub(values.redis) : {};
// A client whose node was killed is away for a moment: keep enough of each stream for it to resume,
// and let it send what it queued meanwhile in one burst.
const history = { count: 10_000 };
const limits = { eventsPerSecond: 1000, eventBurst: 5000 };
const server = new BaroServer({ port: Number(values.port), host: values.host, history, limits, ...hub });
server.on('error', (error) => console.error(error.message));

server.on('connection', (session) => {
  // A session resumed on this node (session.resumed) gets the same handlers: any node may serve it.
  session.on('echo', (payload, ack) => ack?.(payload));
  session.on('broadcast', (payload) => server.emit('broadcast', payload));
  session.on('join', (room, ack) => {
    if (typeof room !== 'string' || room === '') return ack?.(false);
    session.join(room);
    ack?.(true);
  });
  session.on('room', (message) => {
    if (typeof message?.room === 'string' && message.room !== '') server.to(message.room).emit('room', message.data);
  });
});

await server.ready;
const { address, port } = server.address();
console.log(`session echo server on http://${address}:${port}${server.path}${values.redis ? ` (redis ${values.redis})` : ''}, pid ${process.pid}`);

async function redisHub(url) {
  const { RedisBroker, RedisPresence, RedisSessionStore } = await import('@baro/redis');
  const onError = (error) => console.error(`redis: ${error.message}`);
  return {
    broker: new RedisBroker({ url, onError, limits: { count: 10_000 } }),
    presence: new RedisPresence({ url, onError }),
    store: new RedisSessionStore({ url, onError }),
  };
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await server.close();
    // The server leaves what it was given open: close the hub too.
    if (hub.store) await Promise.allSettled([hub.broker.close(), hub.presence.close(), hub.store.close()]);
    process.exit(0);
  });
}
