/**
 * The same raw Socket.IO conversations with the reference server (socket.io 4.8) and ours: what
 * the client receives, whether the connection closes, and the disconnect reasons the server's app
 * hears. Spoken by hand over a WebSocket (baro's client), so packets the official client never
 * sends are covered too.
 */
import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { Server as ReferenceServer } from 'socket.io';
import { WebSocket } from 'baro';
import { Server } from './server.js';
import { until } from '../test-support/socketio.js';

type Part = string | Buffer;

interface Outcome {
  received: (string | number[])[];
  closed: boolean;
  reasons: string[];
}

interface AnySocket {
  id: string;
  handshake: { auth: Record<string, unknown> };
  nsp: { name: string };
  on(event: string, listener: (...args: any[]) => void): unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
  emit(event: string, ...args: unknown[]): unknown;
  disconnect(close?: boolean): unknown;
}

interface AnyNamespace {
  use(fn: (socket: AnySocket, next: (error?: Error) => void) => void): unknown;
  on(event: 'connection', listener: (socket: AnySocket) => void): unknown;
}

/** The same app on either server: echo with ack, a binary emit, a kick, a refusing middleware on /custom. */
function setUp(main: AnyNamespace, custom: AnyNamespace, reasons: string[]): void {
  custom.use((socket, next) => {
    if (socket.handshake.auth.token === 'ok') return next();
    next(Object.assign(new Error('refused'), { data: { code: 42 } }));
  });
  for (const nsp of [main, custom]) {
    nsp.on('connection', (socket) => {
      socket.on('disconnect', (reason: string) => reasons.push(`${socket.nsp.name} ${reason}`));
      socket.on('error', () => {});
      socket.on('echo', (...args: unknown[]) => {
        const ack = args.pop();
        if (typeof ack === 'function') (ack as (...a: unknown[]) => void)(...args);
      });
      socket.on('emit-binary', () => socket.emit('bin', Buffer.from([1, 2]), { x: Buffer.from([3]) }));
      socket.on('kick', () => socket.disconnect());
      socket.on('kick-all', () => socket.disconnect(true));
    });
  }
}

async function listen(http: HttpServer): Promise<number> {
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return (http.address() as AddressInfo).port;
}

/** The namespace a CONNECT part names (`0/custom,{…}` → `/custom,`; `0` → ''), as its answer starts. */
function connectPrefix(part: Part): string | null {
  if (typeof part !== 'string' || !part.startsWith('0')) return null;
  const comma = part.indexOf(',');
  return part.startsWith('0/') ? part.slice(1, comma + 1) : '';
}

/**
 * One conversation, as a client would hold it: sends `parts` (Engine.IO messages, `4` added to
 * text), waiting for the answer to each CONNECT before going on (the reference connects a beat
 * later than it reads, and closes on an event that comes first). Ends with an acked fence event on
 * `fence` (everything before it has been answered then), or, without one, at the close or after a
 * quiet 300 ms.
 */
async function converse(port: number, parts: Part[], fence: string | null, reasons: string[]): Promise<Outcome> {
  reasons.length = 0;
  const socket = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
  socket.binaryType = 'nodebuffer';
  const received: (string | number[])[] = [];
  let closed = false;
  let fenced = false;
  let lastMessageAt = Date.now();
  const fenceAck = `3${fence === null || fence === '/' ? '' : `${fence},`}999["fence"]`;
  socket.addEventListener('message', (event) => {
    lastMessageAt = Date.now();
    const data = (event as MessageEvent).data as string | Buffer;
    if (typeof data !== 'string') received.push([...data]);
    else if (data === '2') socket.send('3');
    else if (data.startsWith('0{')) return;
    else if (data === `4${fenceAck}`) fenced = true;
    else received.push(data.slice(1).replace(/"(sid|pid)":"[^"]+"/g, '"$1":"*"'));
  });
  socket.addEventListener('close', () => (closed = true));
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve());
    socket.addEventListener('error', () => reject(new Error('could not open')));
  });
  for (const part of parts) {
    const answered = received.length;
    socket.send(typeof part === 'string' ? `4${part}` : part);
    const prefix = connectPrefix(part);
    if (prefix !== null) {
      await until(() => closed || received.slice(answered).some((m) => typeof m === 'string' && (m.startsWith(`0${prefix}`) || m.startsWith(`4${prefix}`))), `the answer to ${String(part)}`, 3000);
    }
  }
  if (fence !== null && !closed) {
    socket.send(`42${fence === '/' ? '' : `${fence},`}999["echo","fence"]`);
    await until(() => fenced || closed, 'the fence or the close', 5000);
  } else {
    await until(() => closed || Date.now() - lastMessageAt > 300, 'the close or a quiet 300 ms', 5000);
  }
  // The server's app hears the disconnect as the close is handled: the same bounded wait for both.
  if (closed) await until(() => reasons.length > 0, 'a disconnect reason', 1000).catch(() => {});
  if (!closed) socket.close();
  return { received, closed, reasons: [...reasons].sort() };
}

/** What is sent, and the namespace to fence on (null: the conversation ends with a close, or nothing connected). */
const CONVERSATIONS: [string, Part[], string | null][] = [
  ['connect /', ['0'], '/'],
  ['connect /custom refused by a middleware, with data', ['0/custom,{"token":"bad"}'], null],
  ['connect /custom with auth', ['0/custom,{"token":"ok"}'], '/custom'],
  ['an unknown namespace', ['0/nope,'], null],
  ['an event before connecting', ['21["echo","early"]'], null],
  ['an event with an ack', ['0', '21["echo","a",1,{"b":null}]'], '/'],
  ['a binary event with an ack', ['0', '51-1["echo",{"_placeholder":true,"num":0}]', Buffer.from([1, 2, 3])], '/'],
  ['a server emit with binary', ['0', '2["emit-binary"]'], '/'],
  ['the server disconnects the socket', ['0', '0/custom,{"token":"ok"}', '2["kick"]'], '/custom'],
  ['the server closes the connection', ['0', '0/custom,{"token":"ok"}', '2/custom,["kick-all"]'], null],
  ['the client disconnects', ['0', '0/custom,{"token":"ok"}', '1'], '/custom'],
  ['an ack with an unknown id', ['0', '3123[1]'], '/'],
  ['an event for a namespace not joined', ['0', '2/custom,["echo"]'], null],
  ['an unknown packet type', ['0', '9'], null],
  ['an event that is not JSON', ['0', '2["echo",'], null],
  ['a reserved event name', ['0', '2["disconnect"]'], null],
  ['CONNECT data that is not an object', ['0"token"'], null],
  ['an ACK that is not an array', ['0', '31{"a":1}'], null],
  ['an attachment without a binary packet', ['0', Buffer.from([1])], null],
  ['text while attachments are awaited', ['0', '51-["echo",{"_placeholder":true,"num":0}]', '2["echo"]'], null],
];

describe('Socket.IO parity with socket.io 4.8 (raw WebSocket conversations)', { timeout: 60_000 }, () => {
  it('every conversation gets what the reference answers', async () => {
    const referenceReasons: string[] = [];
    const referenceHttp = createServer();
    const reference = new ReferenceServer(referenceHttp, { connectTimeout: 5000 });
    setUp(reference.of('/') as unknown as AnyNamespace, reference.of('/custom') as unknown as AnyNamespace, referenceReasons);
    const referencePort = await listen(referenceHttp);

    const ourReasons: string[] = [];
    const ours = new Server(0, { connectTimeout: 5000 });
    setUp(ours.of('/') as unknown as AnyNamespace, ours.of('/custom') as unknown as AnyNamespace, ourReasons);
    await ours.ready;
    try {
      const differences: string[] = [];
      const reference: Record<string, Outcome> = {};
      for (const [what, parts, fence] of CONVERSATIONS) {
        const theirs = await converse(referencePort, parts, fence, referenceReasons);
        reference[what] = theirs;
        const mine = await converse(ours.address().port, parts, fence, ourReasons);
        try {
          assert.deepEqual(mine, theirs);
        } catch {
          differences.push(`${what}:\n  reference ${JSON.stringify(theirs)}\n  ours      ${JSON.stringify(mine)}`);
        }
      }
      assert.deepEqual(differences, [], differences.join('\n'));
      // What the reference answered, spelled out for a few (so the comparison is not of two nothings).
      assert.deepEqual(reference['connect /custom refused by a middleware, with data'].received, ['4/custom,{"message":"refused","data":{"code":42}}']);
      assert.deepEqual(reference['a binary event with an ack'].received, ['0{"sid":"*"}', '61-1[{"_placeholder":true,"num":0}]', [1, 2, 3]]);
      assert.deepEqual(reference['the server disconnects the socket'].reasons, ['/ server namespace disconnect']);
      assert.deepEqual(reference['the client disconnects'].reasons, ['/ client namespace disconnect']);
      assert.deepEqual(reference['the server closes the connection'], { received: ['0{"sid":"*"}', '0/custom,{"sid":"*"}', '1', '1/custom,'], closed: true, reasons: ['/ server namespace disconnect', '/custom server namespace disconnect'] });
      assert.deepEqual({ ...reference['an unknown packet type'], received: [] }, { received: [], closed: true, reasons: ['/ forced close'] });
      assert.deepEqual({ ...reference['an event for a namespace not joined'], received: [] }, { received: [], closed: true, reasons: ['/ forced close'] });
    } finally {
      await ours.close();
      await new Promise<void>((resolve) => reference.close(() => resolve()));
      referenceHttp.closeAllConnections();
    }
  });
});
