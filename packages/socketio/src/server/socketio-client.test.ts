/** The official socket.io-client 4.8 against our Server, on polling only, WebSocket only, and polling upgraded to WebSocket. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CuttingProxy } from '@baro/testing';
import { MemoryBroker } from 'baro';
import { BrokerRoomAdapter } from './broker-room-adapter.js';
import type { ParentNamespace } from './parent-namespace.js';
import type { ServerOptions } from './server.js';
import type { Socket } from './socket.js';
import { Clients, TRANSPORT_MODES, collectEvents, connected, nextEvent, until, withIo } from '../test-support/socketio.js';

/** Rooms in this process, and on baro's broker (what BaroServer shares). */
const ADAPTERS: [string, () => ServerOptions][] = [
  ['in-process rooms', () => ({})],
  ["rooms on baro's broker", () => {
    const broker = new MemoryBroker();
    return { adapter: (nsp) => new BrokerRoomAdapter({ broker, namespace: nsp.name }) };
  }],
];

for (const [label, transports, finalTransport] of TRANSPORT_MODES) {
  describe(`socket.io-client, ${label}`, { timeout: 30_000 }, () => {
    it('connects to / and /custom over one connection, each with its auth payload; handshake and socket.data', async () => {
      const seen: { nsp: string; auth: unknown; query: unknown; address: string; data: unknown }[] = [];
      await withIo(
        {},
        (io) => {
          for (const nsp of [io.sockets, io.of('/custom')]) {
            nsp.use((socket, next) => {
              socket.data = { user: (socket.handshake.auth as { user?: string }).user };
              // A middleware may join rooms before the socket connects, as with socket.io.
              void socket.join(`user:${String(socket.handshake.auth.user)}`);
              next();
            });
            nsp.on('connection', (socket) => {
              seen.push({ nsp: socket.nsp.name, auth: socket.handshake.auth, query: socket.handshake.query.room, address: socket.handshake.address, data: socket.data });
              assert.equal(socket.request.headers.host, socket.handshake.headers.host);
              assert.equal(nsp.adapter.rooms.get(`user:${String(socket.handshake.auth.user)}`)?.has(socket.id), true);
              assert.equal(nsp.adapter.sids.get(socket.id)?.has(socket.id), true);
              socket.on('whoami', (ack: (me: { id: string; data: unknown; rooms: string[] }) => void) => ack({ id: socket.id, data: socket.data, rooms: [...socket.rooms].filter((room) => room !== socket.id) }));
            });
          }
        },
        async (port, io) => {
          const clients = new Clients(port, transports);
          try {
            const manager = clients.manager({ query: { room: 'lobby' } });
            const main = await clients.connect('/', { auth: { user: 'ann' } }, manager);
            const custom = await clients.connect('/custom', { auth: { user: 'bob' } }, manager);
            assert.equal(io.engine?.clientsCount, 1, 'both namespaces share one Engine.IO connection');
            assert.deepEqual(await main.timeout(2000).emitWithAck('whoami'), { id: main.id, data: { user: 'ann' }, rooms: ['user:ann'] });
            assert.deepEqual(await custom.timeout(2000).emitWithAck('whoami'), { id: custom.id, data: { user: 'bob' }, rooms: ['user:bob'] });
            assert.notEqual(main.id, custom.id);
            assert.deepEqual(
              seen.map(({ nsp, auth, query, address, data }) => ({ nsp, auth, query, address, data })),
              [
                { nsp: '/', auth: { user: 'ann' }, query: 'lobby', address: '127.0.0.1', data: { user: 'ann' } },
                { nsp: '/custom', auth: { user: 'bob' }, query: 'lobby', address: '127.0.0.1', data: { user: 'bob' } },
              ],
            );
            if (finalTransport === 'websocket' && manager.engine.transport.name !== 'websocket') await nextEvent(manager.engine, 'upgrade');
            assert.equal(manager.engine.transport.name, finalTransport);
            assert.equal(io.engine?.clients.values().next().value?.transport.name, finalTransport);
          } finally {
            clients.closeAll();
          }
        },
      );
    });

    it('an unknown namespace is refused with "Invalid namespace"; the connection serves other namespaces', async () => {
      await withIo({}, () => {}, async (port) => {
        const clients = new Clients(port, transports);
        try {
          const manager = clients.manager();
          await assert.rejects(clients.connect('/nope', {}, manager), { message: 'Invalid namespace' });
          const main = await clients.connect('/', {}, manager);
          assert.equal(main.connected, true);
        } finally {
          clients.closeAll();
        }
      });
    });

    it('dynamic namespaces: a RegExp or a function (with the auth payload) takes names; children get the middlewares and listeners; the parent emits to all', async () => {
      const connected: string[] = [];
      let roomsParent: ParentNamespace | null = null;
      await withIo(
        {},
        (io) => {
          const rooms = io.of(/^\/room-\d+$/);
          roomsParent = rooms;
          rooms.use((socket, next) => (socket.handshake.auth.banned ? next(new Error('banned')) : next()));
          rooms.on('connection', (socket) => {
            connected.push(socket.nsp.name);
            socket.on('where', (ack: (name: string) => void) => ack(socket.nsp.name));
          });
          io.of((name, auth, next) => setTimeout(() => next(null, name.startsWith('/vip-') && auth.pass === 'yes'), 5)).on('connection', (socket) => connected.push(socket.nsp.name));
          io.sockets.on('connection', (socket) => socket.on('shout', (text: string) => rooms.emit('news', text)));
        },
        async (port, io) => {
          const clients = new Clients(port, transports);
          try {
            const manager = clients.manager();
            const room1 = await clients.connect('/room-1', {}, manager);
            const room2 = await clients.connect('/room-2', {}, clients.manager());
            assert.equal(await room1.timeout(2000).emitWithAck('where'), '/room-1');
            await assert.rejects(clients.connect('/room-3', { auth: { banned: true } }), { message: 'banned' });
            await assert.rejects(clients.connect('/room-x'), { message: 'Invalid namespace' });
            await assert.rejects(clients.connect('/vip-1', { auth: { pass: 'no' } }), { message: 'Invalid namespace' });
            await clients.connect('/vip-1', { auth: { pass: 'yes' } });
            assert.deepEqual(connected, ['/room-1', '/room-2', '/vip-1']);
            const news = Promise.all([nextEvent(room1, 'news'), nextEvent(room2, 'news')]);
            const main = await clients.connect('/', {}, manager);
            main.emit('shout', 'to every room');
            assert.deepEqual(await news, [['to every room'], ['to every room']]);
            assert.equal(io.of('/room-1').sockets.size, 1, 'the child is a namespace of its own');
            // Children go away once empty (a refused one at once), so clients cannot grow the namespaces without bound.
            room2.disconnect();
            await until(() => roomsParent!.children.size === 1, 'room-2 released');
            assert.deepEqual([...roomsParent!.children].map((child) => child.name), ['/room-1'], '/room-3 (refused) and /room-2 (left) are gone');
          } finally {
            clients.closeAll();
          }
        },
      );
    });

    it('events both ways keep order and types: unicode, nested objects, binary anywhere', async () => {
      await withIo(
        {},
        (io) => io.on('connection', (socket) => socket.on('echo', (...args: unknown[]) => socket.emit('echoed', ...args))),
        async (port) => {
          const clients = new Clients(port, transports);
          try {
            const client = await clients.connect();
            const payloads: unknown[][] = [
              ['héllo ✓ 日本語 😀'],
              [1, 2.5, true, null, { a: [1, { b: 'c' }] }],
              [Buffer.from([0, 1, 2, 255])],
              [{ file: Buffer.from('abc'), meta: { parts: [Buffer.from([1]), 'x', Buffer.alloc(0)] } }],
              [],
            ];
            const echoes = collectEvents(client, 'echoed', payloads.length * 3);
            for (let round = 0; round < 3; round++) for (const args of payloads) client.emit('echo', ...args);
            const got = await echoes;
            const normalise = (value: unknown): unknown => (value instanceof ArrayBuffer || Buffer.isBuffer(value) ? ['bytes', ...Buffer.from(value as ArrayBuffer)] : Array.isArray(value) ? value.map(normalise) : value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)])) : value);
            assert.deepEqual(normalise(got), normalise([...payloads, ...payloads, ...payloads]));
          } finally {
            clients.closeAll();
          }
        },
      );
    });

    it('acks both ways, with binary; emitWithAck; timeout(ms).emitWithAck rejects when the client never answers', async () => {
      const serverSockets: Socket[] = [];
      await withIo(
        {},
        (io) =>
          io.on('connection', (socket) => {
            serverSockets.push(socket);
            socket.on('sum', (a: number, b: number, ack: (sum: number, bytes: Buffer) => void) => ack(a + b, Buffer.from([a, b])));
          }),
        async (port) => {
          const clients = new Clients(port, transports);
          try {
            const client = await clients.connect();
            // Client → server ack, with a binary answer.
            const [sum, bytes] = await new Promise<[number, Buffer]>((resolve) => client.emit('sum', 2, 3, (s: number, b: Buffer) => resolve([s, b])));
            assert.equal(sum, 5);
            assert.deepEqual([...Buffer.from(bytes)], [2, 3]);
            assert.equal(await client.timeout(2000).emitWithAck('sum', 4, 4).then((result) => result as unknown), 8);

            // Server → client acks.
            client.on('double', (n: number, ack: (n: number) => void) => ack(n * 2));
            client.on('bytes', (data: Buffer, ack: (reply: { got: number; back: Buffer }) => void) => ack({ got: data.byteLength, back: Buffer.from([7, 7]) }));
            client.on('silent', () => {});
            const socket = serverSockets[0];
            assert.equal(await socket.emitWithAck('double', 21), 42);
            const reply = (await socket.timeout(2000).emitWithAck('bytes', Buffer.alloc(1000, 1))) as { got: number; back: Buffer };
            assert.equal(reply.got, 1000);
            assert.deepEqual([...reply.back], [7, 7]);
            const viaCallback = await new Promise<[Error | null, number]>((resolve) => socket.timeout(2000).emit('double', 5, (error: Error | null, n: number) => resolve([error, n])));
            assert.deepEqual(viaCallback, [null, 10]);
            const started = Date.now();
            await assert.rejects(socket.timeout(150).emitWithAck('silent'), { message: 'operation has timed out' });
            assert.ok(Date.now() - started >= 140, 'not before its timeout');
            // The client's own ack timeout, against a server that never answers.
            await assert.rejects(client.timeout(150).emitWithAck('nobody-listens'), { message: 'operation has timed out' });
          } finally {
            clients.closeAll();
          }
        },
      );
    });

    for (const [adapterLabel, adapterOptions] of ADAPTERS) {
    it(`rooms and broadcast operators (${adapterLabel}): to, in, except, broadcast, socket.to, namespaces apart; fetchSockets, socketsJoin, leave`, async () => {
      const byName = new Map<string, Socket>();
      await withIo(
        adapterOptions(),
        (io) => {
          for (const nsp of [io.sockets, io.of('/custom')]) {
            nsp.on('connection', async (socket) => {
              const name = socket.handshake.auth.name as string;
              await socket.join((socket.handshake.auth.rooms as string[]) ?? []);
              if (nsp.name === '/') byName.set(name, socket);
              socket.emit('ready');
            });
          }
        },
        async (port, io) => {
          const clients = new Clients(port, transports);
          try {
            const names = ['a', 'b', 'c'];
            const rooms: Record<string, string[]> = { a: ['red'], b: ['red', 'blue'], c: ['blue'] };
            const sockets = await Promise.all(
              names.map(async (name) => {
                const socket = clients.manager().socket('/', { auth: { name, rooms: rooms[name] } });
                const ready = nextEvent(socket, 'ready');
                await connected(socket);
                await ready;
                return socket;
              }),
            );
            const other = clients.manager().socket('/custom', { auth: { name: 'x', rooms: ['red'] } });
            const otherReady = nextEvent(other, 'ready');
            await connected(other);
            await otherReady;
            const log: string[] = [];
            sockets.forEach((socket, i) => socket.on('news', (text: string) => log.push(`${names[i]}:${text}`)));
            other.on('news', (text: string) => log.push(`x:${text}`));

            const fence = async (): Promise<void> => {
              // Everyone gets 'fence' after what came before it: the log is complete up to here.
              const fences = [...sockets, other].map((socket) => nextEvent(socket, 'fence'));
              io.emit('fence');
              io.of('/custom').emit('fence');
              await Promise.all(fences);
            };
            const step = async (action: () => void): Promise<string[]> => {
              log.length = 0;
              action();
              await fence();
              return [...log].sort();
            };
            assert.deepEqual(await step(() => io.to('red').emit('news', 'r')), ['a:r', 'b:r']);
            assert.deepEqual(await step(() => io.in(['red', 'blue']).emit('news', 'rb')), ['a:rb', 'b:rb', 'c:rb'], 'a socket in two rooms gets it once');
            assert.deepEqual(await step(() => io.except('blue').emit('news', 'nb')), ['a:nb']);
            assert.deepEqual(await step(() => io.to('red').except('blue').emit('news', 'rnb')), ['a:rnb']);
            assert.deepEqual(await step(() => byName.get('b')!.broadcast.emit('news', 'bb')), ['a:bb', 'c:bb']);
            assert.deepEqual(await step(() => byName.get('b')!.to('blue').emit('news', 'tb')), ['c:tb']);
            assert.deepEqual(await step(() => io.to(byName.get('c')!.id).emit('news', 'dm')), ['c:dm'], 'each socket is in its own id room');
            assert.deepEqual(await step(() => io.of('/custom').to('red').emit('news', 'cr')), ['x:cr']);

            assert.deepEqual((await io.in('blue').fetchSockets()).map((s) => s.handshake.auth.name).sort(), ['b', 'c']);
            io.in('red').socketsJoin('green');
            assert.deepEqual(await step(() => io.to('green').emit('news', 'g')), ['a:g', 'b:g']);
            await byName.get('a')!.leave('green');
            assert.deepEqual([...byName.get('a')!.rooms].sort(), [byName.get('a')!.id, 'red'].sort());
            assert.deepEqual(await step(() => io.to('green').emit('news', 'g2')), ['b:g2']);

            // Broadcast acks: every client's answer, or the timeout with those that came.
            sockets.forEach((socket, i) => socket.on('vote', (ack: (vote: string) => void) => ack(names[i])));
            assert.deepEqual(((await io.to('red').timeout(2000).emitWithAck('vote')) as unknown as string[]).sort(), ['a', 'b']);
            other.on('vote', () => {});
            sockets[0].off('vote');
            sockets[0].on('vote', () => {});
            const partial = await new Promise<[Error | null, unknown[]]>((resolve) => io.timeout(200).emit('vote', (error: Error | null, responses: string[]) => resolve([error, responses])));
            assert.equal(partial[0]?.message, 'operation has timed out');
            assert.deepEqual([...partial[1]].sort(), ['b', 'c']);
          } finally {
            clients.closeAll();
          }
        },
      );
    });
    }

    it('middlewares: next(error) refuses with its message and data; socket.use can drop an event', async () => {
      const order: string[] = [];
      await withIo(
        {},
        (io) => {
          io.use((socket, next) => {
            order.push('first');
            next();
          });
          io.use((socket, next) => {
            order.push('second');
            if (socket.handshake.auth.token !== 'good') {
              const error = new Error('not authorized') as Error & { data: unknown };
              error.data = { reason: 'bad token', retry: false };
              return next(error);
            }
            setTimeout(() => next(), 10);
          });
          io.on('connection', (socket) => {
            socket.use(([event], next) => (event === 'forbidden' ? next(new Error('no way')) : next()));
            socket.on('error', (error) => socket.emit('refused', error.message));
            socket.on('forbidden', () => socket.emit('ran', 'forbidden'));
            socket.on('allowed', () => socket.emit('ran', 'allowed'));
          });
        },
        async (port) => {
          const clients = new Clients(port, transports);
          try {
            await assert.rejects(clients.connect('/', { auth: { token: 'bad' } }), (error: Error & { data?: unknown }) => {
              assert.equal(error.message, 'not authorized');
              assert.deepEqual(error.data, { reason: 'bad token', retry: false });
              return true;
            });
            assert.deepEqual(order, ['first', 'second']);
            const client = await clients.connect('/', { auth: { token: 'good' } });
            const refused = nextEvent<[string]>(client, 'refused');
            const ran = nextEvent<[string]>(client, 'ran');
            client.emit('forbidden');
            client.emit('allowed');
            assert.deepEqual(await refused, ['no way']);
            assert.deepEqual(await ran, ['allowed']);
          } finally {
            clients.closeAll();
          }
        },
      );
    });

    it('disconnect from either side, with the reference reasons', async () => {
      const reasons: string[] = [];
      const serverSockets = new Map<string, Socket>();
      await withIo(
        {},
        (io) => {
          for (const nsp of [io.sockets, io.of('/custom')]) {
            nsp.on('connection', (socket) => {
              serverSockets.set(`${nsp.name}:${socket.handshake.auth.name as string}`, socket);
              socket.on('disconnecting', (reason) => reasons.push(`disconnecting ${nsp.name} ${reason} ${socket.rooms.has(socket.id)}`));
              socket.on('disconnect', (reason) => reasons.push(`${nsp.name} ${socket.handshake.auth.name as string} ${reason}`));
            });
          }
        },
        async (port, io) => {
          const clients = new Clients(port, transports);
          try {
            // The client leaves: the server hears "client namespace disconnect".
            const leaving = await clients.connect('/', { auth: { name: 'leaver' } });
            leaving.disconnect();
            await until(() => reasons.includes('/ leaver client namespace disconnect'), 'client namespace disconnect');
            assert.ok(reasons.includes('disconnecting / client namespace disconnect true'), 'rooms are still there while disconnecting');

            // The server puts one namespace's socket out: the client hears "io server disconnect", its other namespace stays.
            const manager = clients.manager();
            const main = await clients.connect('/', { auth: { name: 'kicked' } }, manager);
            const custom = await clients.connect('/custom', { auth: { name: 'kicked' } }, manager);
            const kicked = nextEvent<[string]>(main, 'disconnect');
            serverSockets.get('/:kicked')!.disconnect();
            assert.equal((await kicked)[0], 'io server disconnect');
            assert.ok(reasons.includes('/ kicked server namespace disconnect'));
            assert.equal(custom.connected, true);

            // disconnect(true) ends the whole connection.
            const customGone = nextEvent<[string]>(custom, 'disconnect');
            serverSockets.get('/custom:kicked')!.disconnect(true);
            assert.equal((await customGone)[0], 'io server disconnect');
            await until(() => io.engine?.clientsCount === 0, 'the connection closed');

            // The server shuts down: "server shutting down" here, "transport close" there.
            const last = await clients.connect('/', { auth: { name: 'last' } });
            const lastGone = nextEvent<[string]>(last, 'disconnect');
            // A poll must be waiting to carry the close packet (one in flight would meet a closed server: "transport error").
            await until(() => [...(io.engine?.clients.values() ?? [])].every((conn) => conn.transport.writable), 'a waiting poll');
            await io.close();
            assert.equal((await lastGone)[0], 'transport close');
            assert.ok(reasons.includes('/ last server shutting down'));
          } finally {
            clients.closeAll();
          }
        },
      );
    });

    it('a link gone silent: both sides disconnect with "ping timeout"', async () => {
      const reasons: string[] = [];
      await withIo(
        { pingInterval: 200, pingTimeout: 200 },
        (io) => io.on('connection', (socket) => socket.on('disconnect', (reason) => reasons.push(reason))),
        async (port) => {
          const proxy = await CuttingProxy.start(port);
          const clients = new Clients(port, transports);
          try {
            const manager = clients.manager({}, proxy.url);
            const client = await clients.connect('/', {}, manager);
            if (finalTransport === 'websocket' && manager.engine.transport.name !== 'websocket') await nextEvent(manager.engine, 'upgrade');
            const gone = nextEvent<[string]>(client, 'disconnect', 3000);
            const started = Date.now();
            proxy.silence();
            assert.equal((await gone)[0], 'ping timeout');
            await until(() => reasons.length === 1, 'the server side', 3000);
            assert.deepEqual(reasons, ['ping timeout']);
            assert.ok(Date.now() - started < 1500, `noticed after ${Date.now() - started} ms`);
          } finally {
            clients.closeAll();
            await proxy.close();
          }
        },
      );
    });

    it('volatile events are dropped when the transport cannot take them; the others are all delivered', async () => {
      await withIo(
        {},
        (io) =>
          io.on('connection', (socket) =>
            socket.on('burst', (ack: () => void) => {
              for (let i = 0; i < 100; i++) socket.volatile.emit('v', i);
              for (let i = 0; i < 100; i++) socket.emit('n', i);
              ack();
            }),
          ),
        async (port) => {
          const clients = new Clients(port, transports);
          try {
            const client = await clients.connect();
            if (finalTransport === 'websocket' && client.io.engine.transport.name !== 'websocket') await nextEvent(client.io.engine, 'upgrade');
            const volatile: number[] = [];
            client.on('v', (i: number) => volatile.push(i));
            const normal = collectEvents(client, 'n', 100);
            await client.timeout(2000).emitWithAck('burst');
            assert.deepEqual((await normal).map(([i]) => i), Array.from({ length: 100 }, (_, i) => i));
            // Over polling only the waiting poll can take one; a WebSocket takes them all.
            if (finalTransport === 'polling') assert.ok(volatile.length < 100, `${volatile.length} of 100 volatile events over polling`);
            else assert.equal(volatile.length, 100);
            assert.deepEqual(volatile, [...volatile].sort((x, y) => x - y), 'in order');
          } finally {
            clients.closeAll();
          }
        },
      );
    });
  });
}
