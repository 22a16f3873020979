/** Typed event maps: the compiler holds the app to its declared events (this file fails to build otherwise). */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Server } from './server.js';
import type { DefaultEventsMap } from './typed-events.js';

interface ClientToServer {
  say: (text: string, ack: (accepted: boolean) => void) => void;
}
interface ServerToClient {
  message: (from: string, text: string) => void;
  confirm: (question: string, ack: (yes: boolean) => void) => void;
}
interface SocketData {
  name: string;
}

it('Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData> types handlers, emits, acks and socket.data', async () => {
  const io = new Server<ClientToServer, ServerToClient, DefaultEventsMap, SocketData>();
  io.on('connection', (socket) => {
    socket.data.name = 'ann';
    socket.on('say', (text, ack) => {
      const length: number = text.length;
      ack(length > 0);
      io.to('room').emit('message', socket.data.name ?? '', text);
      // @ts-expect-error -- 'message' takes (from, text)
      io.emit('message', 1);
      // @ts-expect-error -- not a declared server-to-client event
      socket.emit('unknown');
    });
    void (async () => {
      const yes: boolean = await socket.timeout(1000).emitWithAck('confirm', 'sure?');
      const answers: boolean[] = await io.timeout(1000).emitWithAck('confirm', 'all sure?');
      void [yes, answers];
    });
    // @ts-expect-error -- the handler's parameters must match
    socket.on('say', (text: number) => void text);
  });
  await io.close();
  assert.equal(io.engine, null, 'never attached');
});
