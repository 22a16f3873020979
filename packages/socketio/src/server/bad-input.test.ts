/** Socket.IO spoken by hand over a WebSocket (baro's client): what socket.io-client never sends, and floods. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebSocket, type CloseEvent } from 'baro';
import type { Server } from './server.js';
import type { Socket } from './socket.js';
import { until, withIo } from '../test-support/socketio.js';

interface RawLink {
  socket: WebSocket;
  /** Engine.IO messages received (the `4` stripped), binary ones as Buffers; pings answered. */
  received: (string | Buffer)[];
  closed: Promise<number>;
  isClosed: () => boolean;
  send: (...parts: (string | Buffer)[]) => void;
}

async function openRaw(port: number): Promise<RawLink> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
  socket.binaryType = 'nodebuffer';
  const received: (string | Buffer)[] = [];
  let closedFlag = false;
  socket.addEventListener('message', (event) => {
    const data = (event as MessageEvent).data as string | Buffer;
    if (typeof data !== 'string') received.push(data);
    else if (data === '2') socket.send('3');
    else if (data.startsWith('4')) received.push(data.slice(1));
  });
  const closed = new Promise<number>((resolve) =>
    socket.addEventListener('close', (event) => {
      closedFlag = true;
      resolve((event as CloseEvent).code);
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve());
    socket.addEventListener('error', () => reject(new Error('could not open')));
  });
  const send = (...parts: (string | Buffer)[]): void => {
    for (const part of parts) socket.send(typeof part === 'string' ? `4${part}` : part);
  };
  return { socket, received, closed, isClosed: () => closedFlag, send };
}

function echoServer(io: Server, sockets: Socket[] = [], errors: string[] = []): void {
  io.of('/custom');
  io.on('connection', (socket) => {
    sockets.push(socket);
    socket.on('error', (error) => errors.push(`error ${error.message}`));
    socket.on('disconnect', (reason) => errors.push(`disconnect ${reason}`));
    socket.on('echo', (...args: unknown[]) => {
      const ack = args.pop();
      if (typeof ack === 'function') (ack as (...a: unknown[]) => void)(...args);
    });
    socket.on('throw', () => {
      throw new Error('handler blew up');
    });
    socket.on('reject', async () => {
      throw new Error('async handler blew up');
    });
  });
}

/** Connects the raw link to `/` and returns its sid. */
async function connectRaw(link: RawLink): Promise<string> {
  link.send('0');
  await until(() => link.received.some((m) => typeof m === 'string' && m.startsWith('0{')), 'CONNECT answer');
  const answer = link.received.find((m) => typeof m === 'string' && m.startsWith('0{')) as string;
  return (JSON.parse(answer.slice(1)) as { sid: string }).sid;
}

describe('Socket.IO bad input (by hand over WebSocket)', { timeout: 30_000 }, () => {
  it('an unknown namespace gets CONNECT_ERROR; a second CONNECT is ignored (the reference makes a second socket)', async () => {
    const sockets: Socket[] = [];
    await withIo({}, (io) => echoServer(io, sockets), async (port) => {
      const link = await openRaw(port);
      link.send('0/nope,{"token":1}');
      await until(() => link.received.length === 1, 'CONNECT_ERROR');
      assert.equal(link.received[0], '4/nope,{"message":"Invalid namespace"}');
      const sid = await connectRaw(link);
      link.send('0', '23["echo","after"]');
      await until(() => link.received.includes('33["after"]'), 'the ack');
      assert.equal(sockets.length, 1, 'one socket for the namespace');
      assert.equal(sockets[0].id, sid);
      assert.deepEqual(link.received, ['4/nope,{"message":"Invalid namespace"}', `0{"sid":"${sid}"}`, '33["after"]']);
      link.socket.close();
    });
  });

  for (const [what, parts] of [
    ['an event before CONNECT', ['21["echo","before connect"]']],
    ['an event for a namespace not joined', ['0', '2/custom,2["echo","not joined"]']],
    ['an ACK for a namespace not joined', ['0', '3/custom,5[]']],
  ] as const) {
    it(`${what} closes the connection, as the reference does ("invalid state")`, async () => {
      await withIo({}, (io) => echoServer(io), async (port, io) => {
        const link = await openRaw(port);
        if (parts[0] === '0') await connectRaw(link);
        link.send(...parts.filter((part) => part !== '0'));
        await link.closed;
        await until(() => io.engine?.clientsCount === 0, 'the session gone');
      });
    });
  }

  const invalid: [string, (string | Buffer)[]][] = [
    ['an unknown packet type', ['9']],
    ['an event that is not JSON', ['2["echo",']],
    ['an event without a name', ['2[]']],
    ['a reserved event name', ['2["disconnect"]']],
    ['an ACK whose data is not an array', ['31{"a":1}']],
    ['CONNECT data that is not an object', ['0/custom,"token"']],
    ['text while a binary packet waits for its attachment', ['51-["echo",{"_placeholder":true,"num":0}]', '2["echo"]']],
    ['an attachment without a binary packet', [Buffer.from([1, 2, 3])]],
    ['more than 10 attachments', ['511-["echo"]']],
    ['a placeholder naming no attachment', ['51-["echo",{"_placeholder":true,"num":3}]', Buffer.from([1])]],
    ['attachments together larger than maxPayload', ['52-["echo",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]', Buffer.alloc(6000), Buffer.alloc(6000)]],
  ];
  for (const [what, parts] of invalid) {
    it(`${what}: the connection is closed ('forced close'), the socket hears 'error', the server goes on`, async () => {
      const errors: string[] = [];
      await withIo({ maxPayload: 10_000 }, (io) => echoServer(io, [], errors), async (port, io) => {
        const link = await openRaw(port);
        await connectRaw(link);
        link.send(...parts);
        await link.closed;
        await until(() => errors.some((e) => e.startsWith('disconnect')), 'the disconnect');
        assert.equal(errors.length, 2, errors.join(', '));
        assert.match(errors[0], /^error /);
        assert.equal(errors[1], 'disconnect forced close');
        await until(() => io.engine?.clientsCount === 0, 'the session gone');
        const next = await openRaw(port);
        await connectRaw(next);
        next.send('27["echo","still here"]');
        await until(() => next.received.includes('37["still here"]'), 'an answer');
        next.socket.close();
      });
    });
  }

  it('a frame over maxPayload closes the WebSocket with 1009', async () => {
    await withIo({ maxPayload: 1000 }, (io) => echoServer(io), async (port) => {
      const link = await openRaw(port);
      await connectRaw(link);
      link.send(`2["echo","${'x'.repeat(2000)}"]`);
      assert.equal(await link.closed, 1009);
    });
  });

  it("a handler's throw or rejection goes to onError; an ACK with an unknown id is ignored; the socket goes on", async () => {
    const reported: string[] = [];
    await withIo({ onError: (error) => reported.push((error as Error).message) }, (io) => echoServer(io), async (port) => {
      const link = await openRaw(port);
      await connectRaw(link);
      link.send('2["throw"]', '2["reject"]', '3999[1]', '21["echo",1]');
      await until(() => link.received.includes('31[1]'), 'the ack');
      await until(() => reported.length === 2, 'both errors reported');
      assert.deepEqual(reported.sort(), ['async handler blew up', 'handler blew up']);
      link.socket.close();
    });
  });

  it('floods: 2,000 events with acks are all answered in order; 2,000 CONNECTs to unknown namespaces all refused', async () => {
    await withIo({}, (io) => echoServer(io), async (port) => {
      const link = await openRaw(port);
      await connectRaw(link);
      const count = 2000;
      const messages: string[] = [];
      for (let i = 0; i < count; i++) messages.push(`2${i}["echo",${i}]`);
      link.send(...messages);
      await until(() => link.received.length === count + 1, `${count} acks`, 15_000);
      assert.deepEqual(link.received.slice(1), Array.from({ length: count }, (_, i) => `3${i}[${i}]`));
      const refusals: string[] = [];
      for (let i = 0; i < count; i++) refusals.push(`0/nope${i},`);
      link.send(...refusals);
      await until(() => link.received.length === 2 * count + 1, `${count} refusals`, 15_000);
      assert.equal(link.received.at(-1), `4/nope${count - 1},{"message":"Invalid namespace"}`);
      link.socket.close();
    });
  });

  it('connectTimeout: a connection that joins no namespace in time is closed; one that joined stays', async () => {
    await withIo({ connectTimeout: 200, pingInterval: 100, pingTimeout: 1000 }, (io) => echoServer(io), async (port, io) => {
      const started = Date.now();
      const idle = await openRaw(port);
      const joined = await openRaw(port);
      await connectRaw(joined);
      await idle.closed;
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 180 && elapsed < 2000, `closed after ${elapsed} ms`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(joined.isClosed(), false);
      assert.equal(io.engine?.clientsCount, 1);
      joined.socket.close();
    });
  });

  it('emitting a reserved event name throws, as the reference does', async () => {
    await withIo({}, () => {}, async (_port, io) => {
      assert.throws(() => io.emit('disconnect' as never), { message: '"disconnect" is a reserved event name' });
      assert.throws(() => io.to('room').emit('connect' as never), { message: '"connect" is a reserved event name' });
      assert.throws(() => io.emit('needs-timeout', () => {}), /needs a timeout/);
    });
  });
});
