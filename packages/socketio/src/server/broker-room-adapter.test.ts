/**
 * Mixed rooms: a baro client (on BaroServer) and a Socket.IO client (on our Server with the
 * BrokerRoomAdapter) share baro's broker, so they see the same broadcasts, in the same order,
 * whichever server sends them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connect, type BaroClient } from '@baro/client';
import { BaroServer, MemoryBroker, WebSocket } from 'baro';
import { BrokerRoomAdapter } from './broker-room-adapter.js';
import { Server } from './server.js';
import { Clients, TRANSPORT_MODES, nextEvent, until } from '../test-support/socketio.js';

function opened(client: BaroClient): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the baro client did not open in 5 s')), 5000);
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    if (client.state === 'open') done();
    else client.onState((event) => event.type === 'open' && done());
  });
}

for (const [label, transports] of TRANSPORT_MODES) {
  describe(`mixed rooms on baro's broker, Socket.IO ${label}`, { timeout: 30_000 }, () => {
    it('a baro client and a Socket.IO client in one room see the same broadcasts in order; everyone broadcasts cross too', async () => {
      const broker = new MemoryBroker();
      const baro = new BaroServer({ port: 0, broker });
      baro.on('connection', (session) => session.join('lobby'));
      const errors: unknown[] = [];
      const io = new Server(0, { adapter: (nsp) => new BrokerRoomAdapter({ broker, namespace: nsp.name, onError: (error) => errors.push(error) }), onError: (error) => errors.push(error) });
      io.on('connection', async (socket) => {
        await socket.join('lobby');
        socket.emit('ready');
      });
      io.of('/custom').on('connection', (socket) => void socket.join('lobby'));
      await Promise.all([baro.ready, io.ready]);
      const clients = new Clients(io.address().port, transports);
      const baroClient = connect(`http://127.0.0.1:${baro.address().port}`, { WebSocket });
      try {
        const socket = clients.manager().socket('/');
        const ready = nextEvent(socket, 'ready');
        await Promise.all([opened(baroClient), ready]);
        const custom = clients.manager().socket('/custom');
        await nextEvent(custom, 'connect');

        const viaBaro: unknown[] = [];
        const viaSocketIo: unknown[] = [];
        const viaCustom: unknown[] = [];
        baroClient.on('news', (data: unknown) => viaBaro.push(data));
        socket.on('news', (data: unknown) => viaSocketIo.push(data));
        custom.on('news', (data: unknown) => viaCustom.push(data));
        const sent: unknown[] = [];
        for (let i = 0; i < 20; i++) {
          const data = { i, from: i % 2 === 0 ? 'baro' : 'socket.io' };
          sent.push(data);
          if (i % 2 === 0) baro.to('lobby').emit('news', data);
          else io.to('lobby').emit('news', data);
        }
        await until(() => viaBaro.length === 20 && viaSocketIo.length === 20, 'both clients got all 20', 10_000).catch((error: Error) =>
          assert.fail(`${error.message}: baro ${viaBaro.length}, socket.io ${viaSocketIo.length}`),
        );
        assert.deepEqual(viaBaro, sent, 'the baro client, in order');
        assert.deepEqual(viaSocketIo, sent, 'the Socket.IO client, in order');

        // Everyone: baro's server.emit reaches namespace '/', io.emit reaches baro's sessions.
        const allSocketIo: unknown[] = [];
        const allBaro: unknown[] = [];
        socket.on('all', (data: unknown) => allSocketIo.push(data));
        baroClient.on('all', (data: unknown) => allBaro.push(data));
        baro.emit('all', 'from baro');
        io.emit('all', 'from socket.io');
        await until(() => allSocketIo.length === 2 && allBaro.length === 2, 'both everyone broadcasts on both sides');
        assert.deepEqual(allSocketIo, ['from baro', 'from socket.io']);
        assert.deepEqual(allBaro, ['from baro', 'from socket.io']);
        // Several arguments: Socket.IO clients get them as sent; baro clients get them as an array.
        const several = nextEvent<unknown[]>(socket, 'pair');
        const pairBaro = new Promise<unknown>((resolve) => baroClient.on('pair', resolve));
        io.to('lobby').emit('pair', 1, 'two');
        assert.deepEqual(await several, [1, 'two']);
        assert.deepEqual(await pairBaro, [1, 'two']);
        // Other namespaces have rooms of their own: /custom's 'lobby' heard none of this.
        io.of('/custom').to('lobby').emit('news', 'custom only');
        await until(() => viaCustom.length === 1, 'the /custom broadcast');
        assert.deepEqual(viaCustom, ['custom only']);
        assert.equal(viaBaro.length, 20);
        // A room with no local members left is unsubscribed.
        socket.disconnect();
        await until(() => !io.sockets.adapter.rooms.has('lobby'), 'the room left');
        assert.deepEqual(errors, []);
      } finally {
        baroClient.close();
        clients.closeAll();
        await io.close();
        await baro.close({ timeout: 1000 });
        await broker.close();
      }
    });
  });
}
