/**
 * One event contract types both ends. The runtime test proves the declaration describes what
 * really crosses the wire; the `@ts-expect-error` lines prove that a wrong name, payload or reply
 * fails to compile on either end (tsc fails the build if any of them compiles).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BaroServer, WebSocket, type EventContract, type SessionOf } from 'baro';
import { connect, type BaroClient } from './index.js';
import type { WebSocketConstructor } from './types.js';
import { waitFor } from './test-support/wait.js';

interface ChatEvents {
  clientToServer: {
    say: (text: string) => { ok: boolean; length: number };
    typing: { on: boolean };
  };
  serverToClient: {
    message: { from: string; text: string };
    confirm: (question: string) => boolean;
  };
}

// A contract is an EventContract: both ends accept nothing else.
const contractCheck: EventContract = {} as ChatEvents;
void contractCheck;

test('a contract declared once types the server and the client, and is what crosses the wire', { timeout: 15_000 }, async (t) => {
  const server = new BaroServer<ChatEvents>({ port: 0 });
  t.after(() => server.close({ timeout: 100 }));
  await server.ready;
  const typing: boolean[] = [];
  const confirmed: boolean[] = [];
  server.on('connection', (session: SessionOf<ChatEvents>) => {
    session.join('chat');
    session.on('say', (text, ack) => {
      ack({ ok: true, length: text.length });
      server.to('chat').emit('message', { from: session.id, text });
    });
    session.on('typing', (state) => typing.push(state.on));
    void session.emitWithAck('confirm', 'ready?').then((yes) => confirmed.push(yes));
  });

  const client: BaroClient<ChatEvents> = connect<ChatEvents>(`http://127.0.0.1:${server.address().port}`, {
    transports: ['websocket'],
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    reconnect: false,
  });
  t.after(() => client.close());
  const messages: { from: string; text: string }[] = [];
  client.on('message', (message) => messages.push(message));
  client.on('confirm', (question, ack) => ack(question === 'ready?'));
  client.emit('typing', { on: true });
  const reply = await client.emitWithAck('say', 'hello', { timeout: 5000 });
  assert.deepEqual(reply, { ok: true, length: 5 });
  await waitFor(() => messages.length === 1 && confirmed.length === 1 && typing.length === 1, 'the message, the confirmation and the typing event');
  assert.equal(messages[0].text, 'hello');
  assert.deepEqual(confirmed, [true]);
  assert.deepEqual(typing, [true]);
});

/** Never called: compiled only, so each wrong use below must be a compile error. */
export function wrongUsesFailToCompile(server: BaroServer<ChatEvents>, session: SessionOf<ChatEvents>, client: BaroClient<ChatEvents>): void {
  // @ts-expect-error the server sends no such event
  server.emit('nothing', {});
  // @ts-expect-error a message's payload is { from, text }
  server.to('chat').emit('message', { text: 42 });
  // @ts-expect-error the client's `say` payload is a string
  session.on('say', (text: number) => void text);
  // @ts-expect-error `say` is answered with { ok, length }
  session.on('say', (_text, ack) => ack({ ok: 'yes' }));
  // @ts-expect-error `confirm` is answered with a boolean, not a string
  const answer: Promise<string> = session.emitWithAck('confirm', 'sure?');
  void answer;
  // @ts-expect-error the client sends no such event
  client.emit('shout', 'HI');
  // @ts-expect-error `typing` carries { on: boolean }
  client.emit('typing', { on: 'yes' });
  // @ts-expect-error `say` resolves with { ok, length }, not a string
  const said: Promise<string> = client.emitWithAck('say', 'hi');
  void said;
  // @ts-expect-error `message` gives { from, text }
  client.on('message', (message: string) => void message);
  // @ts-expect-error `confirm` is answered with a boolean
  client.on('confirm', (_question, ack) => ack('maybe'));
}
