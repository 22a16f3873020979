/**
 * The official socket.io-client 4.8 (its browser bundle) in Chromium, against our Server attached
 * to the HTTP server that serves the page: every transport mode, binary, acks both ways, rooms.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, servePage, type PageServer } from '@baro/testing';
import { Server } from './server.js';
import { TRANSPORT_MODES } from '../test-support/socketio.js';

const require = createRequire(import.meta.url);
// Only dist/socket.io.js is exported; the minified bundle sits beside it.
const clientScript = readFileSync(join(dirname(require.resolve('socket.io-client/package.json')), 'dist', 'socket.io.min.js'));

let browser: Browser;
let page: Page;
let pageServer: PageServer;
let io: Server;
const handlerErrors: unknown[] = [];

before(async () => {
  pageServer = await servePage('<!doctype html><meta charset="utf-8"><script src="/socket.io.min.js"></script>', {
    fallback: (request, response) => {
      if (request.url === '/socket.io.min.js') response.writeHead(200, { 'Content-Type': 'application/javascript' }).end(clientScript);
      else response.writeHead(404).end();
    },
  });
  io = new Server(pageServer.server, { onError: (error) => handlerErrors.push(error) });
  io.of('/custom').on('connection', async (socket) => {
    await socket.join('lobby');
    socket.emit('auth', socket.handshake.auth, socket.conn.transport.name);
    socket.on('echo', (...args: unknown[]) => {
      const ack = args.pop() as (...answer: unknown[]) => void;
      ack(...args);
    });
    socket.on('ask me', async (ack: (answer: unknown) => void) => {
      const doubled = await socket.timeout(2000).emitWithAck('double', 21);
      ack(doubled);
    });
    socket.on('shout', (text: string) => io.of('/custom').to('lobby').emit('heard', text));
    socket.on('kick me', () => socket.disconnect());
  });
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(pageServer.url);
});

after(async () => {
  await browser?.close();
  await io?.close();
  await pageServer?.close();
});

interface Outcome {
  auth: unknown;
  echoed: unknown;
  bytes: number[];
  asked: unknown;
  heard: string;
  transport: string;
  disconnect: string;
}

describe('socket.io-client in Chromium', { timeout: 60_000 }, () => {
  for (const [label, transports, finalTransport] of TRANSPORT_MODES) {
    it(`${label}: auth, events and binary acks both ways, a room broadcast, a server disconnect`, async () => {
      const outcome = await page.evaluate(
        ({ transports, finalTransport }) =>
          new Promise<Outcome>((resolve, reject) => {
            const lib = (globalThis as unknown as { io: (url: string, options: object) => any }).io;
            const socket = lib('/custom', { transports, auth: { user: 'chromium' }, forceNew: true, reconnection: false });
            const timer = setTimeout(() => reject(new Error('no outcome in 15 s')), 15_000);
            const result: Partial<Outcome> = {};
            socket.on('double', (n: number, ack: (n: number) => void) => ack(n * 2));
            socket.once('auth', async (auth: unknown) => {
              try {
                result.auth = auth;
                const [text, data] = await new Promise<[string, ArrayBuffer]>((done) => socket.emit('echo', 'héllo', new Uint8Array([1, 2, 250]), (t: string, d: ArrayBuffer) => done([t, d])));
                result.echoed = text;
                result.bytes = [...new Uint8Array(data)];
                result.asked = await socket.timeout(5000).emitWithAck('ask me');
                const heard = new Promise<string>((done) => socket.once('heard', done));
                socket.emit('shout', 'to the lobby');
                result.heard = await heard;
                if (finalTransport === 'websocket' && socket.io.engine.transport.name !== 'websocket') await new Promise((done) => socket.io.engine.once('upgrade', done));
                result.transport = socket.io.engine.transport.name;
                socket.once('disconnect', (reason: string) => {
                  result.disconnect = reason;
                  clearTimeout(timer);
                  socket.io.engine.close();
                  resolve(result as Outcome);
                });
                socket.emit('kick me');
              } catch (error) {
                reject(error);
              }
            });
          }),
        { transports, finalTransport },
      );
      assert.deepEqual(outcome, {
        auth: { user: 'chromium' },
        echoed: 'héllo',
        bytes: [1, 2, 250],
        asked: 42,
        heard: 'to the lobby',
        transport: finalTransport,
        disconnect: 'io server disconnect',
      });
      assert.deepEqual(handlerErrors, []);
    });
  }
});
