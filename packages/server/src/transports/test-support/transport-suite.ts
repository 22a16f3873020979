/**
 * The behaviour every transport shares, run once per transport (WebSocket, SSE, long-polling, polling):
 * open, events both ways with acks, rooms, binary payloads, text that could break framing, and a
 * resume after losing the carrier mid-stream with nothing lost and nothing duplicated.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sleep, until } from '../../websocket/test-support/wait.js';
import type { Session } from '../../session/session.js';
import { coreOf } from '../../session/session.js';
import { startServer, type AnyServer, type Harness } from './http-client.js';
import { PollingDriver, type Driver } from './drivers.js';

const T = { timeout: 15_000 };

/** Whether `condition` holds after a moment for the server to see a closed socket. */
async function settled(condition: () => boolean, ms = 100): Promise<boolean> {
  await sleep(ms);
  return condition();
}

export type DriverFactory = (base: string) => Driver;

async function setup(t: { after: (fn: () => Promise<void> | void) => void }, make: DriverFactory): Promise<Harness & { client: Driver; session: Session }> {
  const harness = await startServer(t);
  const sessions: Session[] = [];
  harness.server.on('connection', (session: Session) => sessions.push(session));
  const client = make(harness.base);
  t.after(() => client.stop());
  await client.open();
  await until(() => sessions.length === 1, 2000, "the server's 'connection' event");
  return { ...harness, client, session: sessions[0] };
}

function sessionOf(server: AnyServer, sid: string): Session {
  const session = server.sessions.get(sid);
  assert.ok(session, `session ${sid} exists`);
  return session as Session;
}

export function transportSuite(name: string, make: DriverFactory): void {
  describe(`${name}: the shared transport suite`, () => {
    test('opens a session: the first packet is the open packet', T, async (t) => {
      const { client, session, server } = await setup(t, make);
      const [type, info] = client.opens[0];
      assert.equal(type, 'o');
      assert.equal(info.transport, client.transport);
      assert.equal(info.resumed, false);
      assert.equal(info.cseq, 0);
      assert.equal(info.sid, session.id);
      assert.equal(info.token, session.token);
      assert.equal(typeof info.heartbeat, 'number');
      assert.equal(info.maxPayload, server.limits.maxPayload);
      assert.equal(session.transport, client.transport);
      assert.equal(client.received[0], client.opens[0], 'nothing came before the open packet');
    });

    test('server to client: session.emit, server.to(room).emit and server.emit arrive in order', T, async (t) => {
      const { client, session, server } = await setup(t, make);
      session.join('lobby');
      session.emit('direct', { n: 1 });
      server.to('lobby').emit('room', { n: 2 });
      server.to('elsewhere').emit('room', { n: 'not for us' });
      server.emit('everyone', { n: 3 });
      await client.until((c) => c.events('everyone').length >= 1, 'three events');
      await sleep(30);
      const events = client.received.filter((packet) => packet[0] === 'e' || packet[0] === 'm' || packet[0] === 'j').map((packet) => packet.slice(0, packet[0] === 'j' ? 2 : 5));
      // The session's own event is numbered in its own stream; broadcasts by their stream's offset.
      assert.deepEqual(events, [
        ['j', 'lobby'],
        ['e', 1, 'direct', { n: 1 }],
        ['m', 'lobby', 1, 'room', { n: 2 }],
        ['m', '', 1, 'everyone', { n: 3 }],
      ]);
    });

    test('client to server: events over POST, processed once, with receipts and acks', T, async (t) => {
      const { client, session } = await setup(t, make);
      const seen: unknown[] = [];
      session.on('add', (data: [number, number], ack?: (response: unknown) => void) => {
        seen.push(data);
        ack?.(data[0] + data[1]);
      });
      const first = client.nextCseq();
      const answer = await client.send([['e', first, 'add', [2, 3], 7]]);
      // Over HTTP the receipt is the POST's answer; over WebSocket the server pushes it.
      if (client.transport !== 'websocket') {
        assert.equal(answer.status, 200);
        assert.match(answer.headers.get('content-type') ?? '', /^application\/x-ndjson/);
      }
      assert.deepEqual(answer.packets, [['r', 1]]);
      // The same packet again (a resend after a lost receipt) is not processed twice.
      assert.deepEqual((await client.send([['e', first, 'add', [2, 3], 7]])).packets, [['r', 1]]);
      // Several packets in one body, processed in order.
      const [a, b] = [client.nextCseq(), client.nextCseq()];
      assert.deepEqual((await client.send([['e', a, 'add', [1, 1]], ['e', b, 'add', [10, 20], 8]])).packets, [['r', 3]]);
      assert.deepEqual(seen, [[2, 3], [1, 1], [10, 20]]);
      await client.until((c) => c.received.filter((p) => p[0] === 'a').length === 2, 'the two acks');
      const acks = client.received.filter((packet) => packet[0] === 'a').map((packet) => [packet[2], packet[3]]);
      assert.deepEqual(acks, [[7, 5], [8, 30]]);
      assert.equal(coreOf(session).cseq, 3);
    });

    test('server to client with ack: emitWithAck resolves with the answer the client POSTs', T, async (t) => {
      const { client, session } = await setup(t, make);
      const answer = session.emitWithAck('question', { q: 'six times seven' }, { timeout: 5000 });
      await client.until((c) => c.events('question').length === 1, 'the question');
      const packet = client.received.find((p) => p[0] === 'e' && p[2] === 'question')!;
      assert.equal(packet.length, 5, 'the event asks for an ack');
      const ackId = packet[4];
      await client.send([['a', client.nextCseq(), ackId, 42]]);
      assert.equal(await answer, 42);
    });

    test('binary payloads travel as {"$b": base64} both ways', T, async (t) => {
      const { client, session } = await setup(t, make);
      const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);
      session.emit('blob', { name: 'x', bytes, nested: [bytes.subarray(3)] });
      await client.until((c) => c.events('blob').length === 1, 'the binary event');
      assert.deepEqual(client.events('blob')[0], { name: 'x', bytes: { $b: 'AAEC/f7/' }, nested: [{ $b: '/f7/' }] });
      const got: unknown[] = [];
      session.on('upload', (data: unknown) => got.push(data));
      await client.send([['e', client.nextCseq(), 'upload', { file: { $b: 'AAEC/f7/' } }]]);
      assert.equal(got.length, 1);
      const file = (got[0] as { file: Uint8Array }).file;
      assert.ok(file instanceof Uint8Array, 'a byte array reaches the handler');
      assert.deepEqual([...file], [...bytes]);
    });

    test('text that could break framing (CR, LF, blank lines, field names, U+2028) arrives intact', T, async (t) => {
      const { client, session } = await setup(t, make);
      const nasty = ['a\r\nb', '\n\ndata: forged\n\n', 'id: 999\r', '\u2028\u2029\u0085', 'emoji 🎉', ':comment'];
      session.emit('nasty\r\nevent: x', { nasty });
      await client.until((c) => c.events('nasty\r\nevent: x').length === 1, 'the event with CR/LF');
      assert.deepEqual(client.events('nasty\r\nevent: x')[0], { nasty });
      const got: unknown[] = [];
      session.on('back', (data: unknown) => got.push(data));
      await client.send([['e', client.nextCseq(), 'back', nasty.join('|')]]);
      assert.deepEqual(got, [nasty.join('|')]);
    });

    test('resume after losing the carrier mid-stream: 200 events, none lost, none duplicated', T, async (t) => {
      const { client, session, server } = await setup(t, make);
      const total = 200;
      session.join('lobby');
      // Events keep coming, one per tick, while the client loses its carrier and comes back: by
      // turns the session's own and broadcasts to its room (two streams, each with its positions).
      const emitting = (async () => {
        for (let i = 1; i <= total; i++) {
          if (i % 2 === 0) session.emit('n', i);
          else server.to('lobby').emit('n', i);
          await sleep(1);
        }
      })();
      await client.until((c) => c.events('n').length >= 30, 'the first events');
      await client.drop();
      // An SSE stream or a WebSocket is lost for sure; an aborted long-poll only if it was still waiting (one
      // answered just before the abort is a lost response, and the carrier stays attached).
      const streaming = client.transport === 'sse' || client.transport === 'websocket';
      if (streaming) await until(() => !session.connected, 2000, 'the server to notice the lost stream');
      const lostCarrier = streaming || (await settled(() => !session.connected));
      await sleep(20);
      await client.resume();
      await emitting;
      await client.until((c) => c.events('n').length === total, `all ${total} events`, 8000);
      await sleep(50);
      assert.deepEqual(client.events('n'), Array.from({ length: total }, (_, i) => i + 1));
      assert.equal(client.duplicates, 0, 'the server replayed only what came after seq');
      assert.equal(client.seq, total / 2);
      assert.equal(client.positions.get('lobby')?.offset, total / 2);
      if (client instanceof PollingDriver && client.transport === 'polling') {
        assert.equal(client.lost, 1);
        assert.ok(client.lostPackets > 0, 'the lost answer held events, which came again');
      }
      if (!lostCarrier) {
        assert.equal(client.opens.length, 1, 'the carrier stayed attached: no new open packet');
      } else {
        assert.equal(client.opens.length, 2);
        assert.equal(client.opens[1][1].resumed, true);
        assert.equal(client.opens[1][1].sid, session.id);
      }
      assert.equal(server.sessions.size, 1);
      assert.equal(sessionOf(server, client.sid), session);
    });
  });
}
