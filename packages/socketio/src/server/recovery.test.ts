/** Connection state recovery with socket.io-client: the link is cut, the client comes back, and gets what it missed. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CuttingProxy } from '@baro/testing';
import { MemoryBroker } from 'baro';
import { BrokerRoomAdapter } from './broker-room-adapter.js';
import type { ServerOptions } from './server.js';
import type { Socket } from './socket.js';
import { Clients, TRANSPORT_MODES, collectEvents, nextEvent, until, withIo } from '../test-support/socketio.js';

/** Rooms in this process, and on baro's broker: recovery works the same on both. */
const ADAPTERS: [string, () => Pick<ServerOptions, 'adapter'>][] = [
  ['in-process rooms', () => ({})],
  ["rooms on baro's broker", () => {
    const broker = new MemoryBroker();
    return { adapter: (nsp) => new BrokerRoomAdapter({ broker, namespace: nsp.name }) };
  }],
];

for (const [label, transports, finalTransport] of TRANSPORT_MODES) {
  describe(`connection state recovery, ${label}`, { timeout: 30_000 }, () => {
    for (const [adapterLabel, adapterOptions] of ADAPTERS) {
    it(`after the link is cut, the client gets the same id, rooms and data back, and the events it missed in order (${adapterLabel})`, async () => {
      const connections: Socket[] = [];
      const disconnects: string[] = [];
      let middlewareRuns = 0;
      await withIo(
        { pingInterval: 300, pingTimeout: 200, connectionStateRecovery: { maxDisconnectionDuration: 10_000 }, ...adapterOptions() },
        (io) => {
          io.use((socket, next) => {
            middlewareRuns++;
            next();
          });
          io.on('connection', async (socket) => {
            connections.push(socket);
            socket.on('disconnect', (reason) => disconnects.push(reason));
            if (!socket.recovered) {
              socket.data = { joinedAt: connections.length };
              await socket.join('quiz');
            }
            socket.emit('hello', socket.recovered);
          });
        },
        async (port, io) => {
          const proxy = await CuttingProxy.start(port);
          const clients = new Clients(port, transports);
          try {
            const manager = clients.manager({ reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 100, randomizationFactor: 0 }, proxy.url);
            const socket = manager.socket('/');
            const received: unknown[][] = [];
            socket.on('news', (...args: unknown[]) => received.push(args));
            const [recoveredFirst] = await nextEvent<[boolean]>(socket, 'hello');
            assert.equal(recoveredFirst, false);
            if (finalTransport === 'websocket' && manager.engine.transport.name !== 'websocket') await nextEvent(manager.engine, 'upgrade');
            const firstId = socket.id;

            const before = collectEvents(socket, 'news', 2);
            io.to('quiz').emit('news', 1);
            io.emit('news', 2);
            await before;

            // The network drops; the server notices (transport close or ping timeout), and events go on without the client.
            proxy.offline();
            await until(() => disconnects.length === 1, 'the server saw the socket go');
            io.to('quiz').emit('news', 3, { n: 3 });
            io.emit('news', 4);
            io.to('elsewhere').emit('news', 'not for it');
            io.to(firstId!).emit('news', 5);
            // Emitted to the gone socket: kept for its recovery too, as the reference does.
            connections[0].emit('news', 'direct');
            proxy.online();

            const [recovered] = await nextEvent<[boolean]>(socket, 'hello', 10_000);
            assert.equal(recovered, true, 'the server says recovered');
            assert.equal(socket.recovered, true, 'the client says recovered');
            assert.equal(socket.id, firstId);
            assert.equal(middlewareRuns, 1, 'middlewares are skipped on recovery');
            const server = connections[1];
            assert.equal(server.recovered, true);
            assert.deepEqual(server.data, { joinedAt: 1 });
            assert.deepEqual([...server.rooms].sort(), [firstId!, 'quiz'].sort());
            await until(() => received.length >= 6, 'the missed events').catch((error: Error) => assert.fail(`${error.message}: ${JSON.stringify(received)}`));
            // Each event carries its offset as the last argument, as the reference sends it.
            assert.deepEqual(received.map((args) => args.slice(0, -1)), [[1], [2], [3, { n: 3 }], [4], [5], ['direct']]);
            assert.ok(received.every((args) => typeof args[args.length - 1] === 'string'));

            // After recovery, the rooms work as before.
            const after = nextEvent<unknown[]>(socket, 'news');
            io.to('quiz').emit('news', 6);
            assert.equal((await after)[0], 6);
          } finally {
            clients.closeAll();
            await proxy.close();
          }
        },
      );
    });
    }
  });
}

describe('connection state recovery, limits', () => {
  it('a client away longer than maxDisconnectionDuration, or with a made-up session, starts afresh', async () => {
    await withIo(
      { connectionStateRecovery: { maxDisconnectionDuration: 100 } },
      (io) => io.on('connection', (socket) => socket.emit('hello', socket.recovered)),
      async (port, io) => {
        const clients = new Clients(port, ['websocket']);
        try {
          const first = clients.manager().socket('/');
          // 'hello' comes with the connect: listen before.
          await nextEvent(first, 'hello');
          const news = nextEvent(first, 'news');
          io.emit('news', 1);
          await news;
          const offset = (first as unknown as { _lastOffset: string })._lastOffset;
          const privateId = (first as unknown as { _pid: string })._pid;
          assert.equal(typeof privateId, 'string');
          first.io.engine.close();
          await new Promise((resolve) => setTimeout(resolve, 250));
          // An expired session and an unknown one both get a fresh socket.
          for (const auth of [{ pid: privateId, offset }, { pid: 'made-up', offset }, { pid: privateId, offset: 'nonsense' }]) {
            const socket = clients.manager().socket('/', { auth });
            const [recovered] = await nextEvent<[boolean]>(socket, 'hello');
            assert.equal(recovered, false, JSON.stringify(auth));
            assert.notEqual(socket.id, first.id);
          }
        } finally {
          clients.closeAll();
        }
      },
    );
  });
});
