/**
 * The client's state machine against scripted transports: fallback, open timeout, sequencing,
 * receipts, resume and resend, resync, upgrade probes, heartbeats, acks, close codes.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeCodeAllowsReconnect, type Packet } from '@baro/protocol';
import { endsSession } from './client.js';
import { AckError } from './types.js';
import { closeScriptedClients, Script } from './test-support/scripted.js';
import { nextState, recordStates, sleep, waitFor } from './test-support/wait.js';

afterEach(closeScriptedClients);

const started = async (script: Script, count: number) => waitFor(() => script.links.length >= count, `${count} transports started`, 2000);

test('tries the transports in order: a failing one hands over to the next, and is not probed', async () => {
  const script = new Script();
  const client = script.client();
  const states = recordStates(client);
  await started(script, 1);
  assert.equal(script.last.name, 'websocket');
  assert.equal(script.last.query('sid'), null);
  script.last.fail({ reason: 'refused', code: 1006 });
  await started(script, 2);
  assert.equal(script.last.name, 'sse');
  assert.equal(client.state, 'connecting');
  script.last.open();
  assert.equal(client.state, 'open');
  assert.equal(client.transport, 'sse');
  assert.equal(client.sessionId, 's1');
  assert.deepEqual(states.map((event) => event.type), ['connecting', 'open']);
  assert.deepEqual(states[1], { type: 'open', sid: 's1', transport: 'sse', resumed: false });
  await sleep(20);
  assert.equal(script.links.length, 2, 'the WebSocket failed in this cycle: no probe');
  client.close();
});

test('a transport without an open packet within openTimeout is given up for the next', async () => {
  const script = new Script();
  const client = script.client({ openTimeout: 40, transports: ['sse', 'long-polling'] });
  await started(script, 2);
  const waited = script.links[1].createdAt - script.links[0].createdAt;
  assert.ok(waited >= 35, `${waited} ms`);
  assert.ok(script.links[0].closed);
  assert.equal(script.last.name, 'long-polling');
  client.close();
});

test('all transports failing schedules a reconnect with backoff; the next cycle starts over', async () => {
  const script = new Script();
  const client = script.client({ transports: ['websocket', 'polling'] });
  await started(script, 1);
  script.last.fail();
  await started(script, 2);
  const waiting = nextState(client, 'reconnecting');
  script.last.fail();
  assert.deepEqual(await waiting, { type: 'reconnecting', attempt: 1, delay: 10 });
  assert.equal(client.state, 'reconnecting');
  await started(script, 3);
  assert.equal(script.last.name, 'websocket');
  script.last.fail();
  await started(script, 4);
  const second = nextState(client, 'reconnecting');
  script.last.fail();
  assert.equal((await second).delay, 20);
  client.close();
});

test('server events are handled once and in order: duplicates dropped', async () => {
  const script = new Script();
  const client = script.client<{ tick: number }>();
  const seen: number[] = [];
  client.on('tick', (n) => seen.push(n));
  await started(script, 1);
  script.last.open();
  script.last.event(1);
  script.last.event(2);
  script.last.event(1);
  script.last.event(2);
  script.last.event(3);
  assert.deepEqual(seen, [1, 2, 3]);
  client.close();
});

test('a sequence gap drops the transport and resumes from the last processed packet', async () => {
  const script = new Script();
  const client = script.client<{ tick: number }>();
  const seen: number[] = [];
  client.on('tick', (n) => seen.push(n));
  await started(script, 1);
  script.last.open();
  script.last.event(1);
  script.last.event(3);
  assert.ok(script.links[0].closed);
  await nextState(client, 'connecting');
  await started(script, 2);
  assert.equal(script.last.query('seq'), '1');
  assert.equal(script.last.query('sid'), 's1');
  assert.equal(script.last.query('token'), 't1');
  script.last.open({ resumed: true });
  script.last.event(2);
  script.last.event(3);
  assert.deepEqual(seen, [1, 2, 3]);
  client.close();
});

test('receipts on streaming transports: batched within 100 ms, at once after 100 packets', async () => {
  const script = new Script();
  const client = script.client();
  await started(script, 1);
  const link = script.last;
  link.open();
  for (let seq = 1; seq <= 5; seq++) link.event(seq);
  const receipts = () => link.sent.filter((packet) => packet.type === 'receipt');
  assert.equal(receipts().length, 0);
  await waitFor(() => receipts().length === 1, 'a receipt', 1000);
  assert.deepEqual(receipts(), [{ type: 'receipt', seq: 5 }]);
  link.deliver(...Array.from({ length: 100 }, (_, i) => ({ type: 'event' as const, seq: 6 + i, name: 'x', data: null })));
  assert.deepEqual(receipts().at(-1), { type: 'receipt', seq: 105 });
  await sleep(150);
  assert.equal(receipts().length, 2, 'nothing left to receipt');
  client.close();
});

test('polling transports carry seq on every request instead of receipts', async () => {
  const script = new Script();
  const client = script.client({ transports: ['polling'] });
  await started(script, 1);
  script.last.open();
  script.last.event(1);
  await sleep(150);
  assert.equal(script.last.sent.filter((packet) => packet.type === 'receipt').length, 0);
  assert.equal(new URL(script.last.context.url('poll', { wait: '0' })).searchParams.get('seq'), '1');
  client.close();
});

test('emits wait while connecting, are resent after a drop from the open packet\'s cseq, and forgotten once receipted', async () => {
  const script = new Script();
  const client = script.client<object, { say: string }>();
  assert.equal(client.emit('say', 'a'), true);
  assert.equal(client.emit('say', 'b'), true);
  await started(script, 1);
  script.last.open();
  assert.deepEqual(script.last.sentSeqs, [1, 2]);
  client.emit('say', 'c');
  assert.deepEqual(script.last.sentSeqs, [1, 2, 3]);
  script.last.deliver({ type: 'receipt', seq: 1 });
  script.last.fail({ reason: 'network', code: 1006 });
  assert.equal(client.state, 'reconnecting');
  client.emit('say', 'd');
  await started(script, 2);
  script.last.open({ resumed: true, cseq: 2 });
  assert.deepEqual(script.last.sentSeqs, [3, 4]);
  assert.deepEqual(
    script.last.sent.map((packet) => (packet.type === 'event' ? packet.data : null)),
    ['c', 'd'],
  );
  client.close();
});

test('maxQueued bounds the unreceipted events: emit returns false past it, emitWithAck rejects', async () => {
  const script = new Script();
  const client = script.client({ maxQueued: 2 });
  assert.equal(client.emit('a', 1), true);
  assert.equal(client.emit('a', 2), true);
  assert.equal(client.emit('a', 3), false);
  await assert.rejects(client.emitWithAck('a', 4), (error: AckError) => error instanceof AckError && error.reason === 'full');
  await started(script, 1);
  script.last.open();
  script.last.deliver({ type: 'receipt', seq: 2 });
  assert.equal(client.emit('a', 5), true);
  client.close();
});

test('an event larger than the server\'s maxPayload is refused before it takes a sequence number', async () => {
  const script = new Script();
  const client = script.client();
  await started(script, 1);
  script.last.open({ maxPayload: 100 });
  assert.equal(client.emit('big', 'x'.repeat(100)), false);
  await assert.rejects(client.emitWithAck('big', 'é'.repeat(45)), (error: AckError) => error.reason === 'too-large');
  assert.equal(client.emit('small', 'é'.repeat(20)), true);
  assert.deepEqual(script.last.sentSeqs, [1]);
  client.close();
});

test('resumed: false emits resync, resets both sequences and delivers queued events on the new session', async () => {
  const script = new Script();
  const client = script.client<{ tick: number }>();
  const seen: number[] = [];
  client.on('tick', (n) => seen.push(n));
  const states = recordStates(client);
  await started(script, 1);
  script.last.open();
  script.last.event(1);
  script.last.event(2);
  client.emit('x', 'lost?');
  script.last.event(3, 'asks', null, 9);
  script.last.fail();
  await started(script, 2);
  script.last.open({ sid: 's2', token: 't2', resumed: false, cseq: 0 });
  assert.equal(client.sessionId, 's2');
  assert.deepEqual(states.map((event) => event.type), ['connecting', 'open', 'reconnecting', 'connecting', 'open', 'resync']);
  assert.deepEqual(states.at(-1), { type: 'resync', sid: 's2' });
  // The old session's events were renumbered; nothing answers the old session's asks.
  assert.deepEqual(script.last.sent.map((packet) => [packet.type, 'seq' in packet ? packet.seq : 0]), [['event', 1]]);
  script.last.event(1);
  assert.deepEqual(seen, [1, 2, 1]);
  client.close();
});

test('ping is answered at once on the same transport; notices reach onState', async () => {
  const script = new Script();
  const client = script.client();
  const states = recordStates(client);
  await started(script, 1);
  script.last.open();
  script.last.deliver({ type: 'ping', t: 1234 }, { type: 'notice', code: 'rate_limited', message: 'slow down' });
  assert.deepEqual(script.last.sent, [{ type: 'pong', t: 1234 }]);
  assert.deepEqual(states.at(-1), { type: 'notice', code: 'rate_limited', message: 'slow down' });
  client.close();
});

test('a streaming transport silent for 2.5 heartbeats is dropped and the session resumed', async () => {
  const script = new Script();
  const client = script.client();
  await started(script, 1);
  script.last.open({ heartbeat: 20 });
  const began = Date.now();
  await nextState(client, 'reconnecting', 1000);
  const elapsed = Date.now() - began;
  assert.ok(elapsed >= 45 && elapsed < 2000, `${elapsed} ms`);
  assert.ok(script.links[0].closed);
  client.close();
});

test('packets keep the heartbeat watchdog from firing', async () => {
  const script = new Script();
  const client = script.client();
  await started(script, 1);
  script.last.open({ heartbeat: 20 });
  for (let i = 0; i < 10; i++) {
    await sleep(20);
    script.last.deliver({ type: 'ping', t: i });
  }
  assert.equal(client.state, 'open');
  client.close();
});

test('close packets: 4500–4999 are terminal; others reconnect after backoff + retryAfterMs', async () => {
  const script = new Script();
  const client = script.client();
  await started(script, 1);
  script.last.open();
  const reconnecting = nextState(client, 'reconnecting');
  script.last.deliver({ type: 'close', code: 4003, reason: 'restart', retryAfterMs: 300 });
  assert.equal((await reconnecting).delay, 310);
  assert.ok(script.links[0].closed);
  await started(script, 2);
  script.last.open({ resumed: true });
  const closed = nextState(client, 'closed');
  script.last.deliver({ type: 'close', code: 4500, reason: 'kicked', retryAfterMs: null });
  assert.deepEqual(await closed, { type: 'closed', code: 4500, reason: 'kicked' });
  assert.equal(client.state, 'closed');
  await sleep(50);
  assert.equal(script.links.length, 2);
  assert.equal(client.emit('x', 1), false);
});

test('a close packet with 1000 (normal: the server is done with the client) is terminal too', async () => {
  const script = new Script();
  const client = script.client();
  await started(script, 1);
  script.last.open();
  script.last.deliver({ type: 'close', code: 1000, reason: 'bye', retryAfterMs: null });
  assert.equal(client.state, 'closed');
});

test('close packets end the client exactly when the codec\'s closeCodeAllowsReconnect says no', () => {
  for (let code = 0; code <= 5000; code++) assert.equal(endsSession(code), !closeCodeAllowsReconnect(code), `${code}`);
});

test('a WebSocket closed with 1000 (transport replaced) is a drop, not the end', async () => {
  const script = new Script();
  const client = script.client();
  await started(script, 1);
  script.last.open();
  script.last.fail({ reason: 'transport replaced', code: 1000 });
  assert.equal(client.state, 'reconnecting');
  client.close();
});

test('a WebSocket closed with a terminal code ends the client', async () => {
  const script = new Script();
  const client = script.client();
  await started(script, 1);
  script.last.open();
  script.last.fail({ reason: 'banned', code: 4501 });
  assert.equal(client.state, 'closed');
});

test('reconnect: false closes on the first drop', async () => {
  const script = new Script();
  const client = script.client({ reconnect: false });
  await started(script, 1);
  script.last.open();
  const closed = nextState(client, 'closed');
  script.last.fail();
  assert.deepEqual(await closed, { type: 'closed', code: 1006, reason: 'connection lost' });
});

test('an HTTP transport probes the best streaming one and switches once its open packet arrives', async () => {
  const script = new Script();
  const client = script.client<{ tick: number }>({ transports: ['long-polling', 'websocket'] });
  const seen: number[] = [];
  client.on('tick', (n) => seen.push(n));
  const states = recordStates(client);
  await started(script, 1);
  const poll = script.last;
  poll.open();
  await started(script, 2);
  const probe = script.last;
  assert.equal(probe.name, 'websocket');
  assert.equal(probe.query('sid'), 's1');
  assert.equal(probe.query('token'), 't1');
  poll.event(1);
  poll.event(2);
  client.emit('up', 1);
  assert.equal(client.transport, 'long-polling');
  probe.open({ resumed: true, cseq: 0 });
  assert.ok(poll.closed);
  assert.equal(client.transport, 'websocket');
  assert.deepEqual(probe.sentSeqs, [1], 'unreceipted events resent on the new transport');
  probe.event(1);
  probe.event(2);
  probe.event(3);
  assert.deepEqual(seen, [1, 2, 3]);
  assert.deepEqual(states.map((event) => event.type), ['connecting', 'open', 'transport']);
  client.close();
});

test('the old long-poll ending with ["n"] before the probe opens keeps the session waiting for the probe', async () => {
  const script = new Script();
  const client = script.client({ transports: ['long-polling', 'sse'] });
  await started(script, 1);
  script.last.open();
  await started(script, 2);
  script.links[0].fail({ reason: 'replaced by another transport' });
  assert.equal(client.state, 'open');
  script.last.open({ resumed: true });
  assert.equal(client.transport, 'sse');
  client.close();
});

test('a failed probe blocks that transport; the session stays where it is', async () => {
  const script = new Script();
  const client = script.client({ transports: ['polling', 'sse', 'websocket'] });
  await started(script, 1);
  script.last.open();
  await started(script, 2);
  assert.equal(script.last.name, 'websocket');
  script.last.fail();
  await started(script, 3);
  assert.equal(script.last.name, 'sse');
  script.last.fail();
  await sleep(20);
  assert.equal(script.links.length, 3);
  assert.equal(client.transport, 'polling');
  client.close();
});

test('reconnect tries the transport that last worked first', async () => {
  const script = new Script();
  const client = script.client();
  await started(script, 1);
  script.last.fail();
  await started(script, 2);
  script.last.open();
  await sleep(10);
  assert.equal(script.links.length, 2);
  script.last.fail();
  await started(script, 3);
  assert.equal(script.last.name, 'sse');
  client.close();
});

test('a poll continuing the session without an open packet counts as resumed and gets the unreceipted events', async () => {
  const script = new Script();
  const client = script.client({ transports: ['long-polling'] });
  await started(script, 1);
  script.last.open();
  client.emit('a', 1);
  client.emit('a', 2);
  script.last.deliver({ type: 'receipt', seq: 1 });
  script.last.fail();
  await started(script, 2);
  script.last.deliver();
  assert.equal(client.state, 'open');
  assert.deepEqual(script.last.sentSeqs, [2]);
  client.close();
});

test('a streaming transport whose first packet is not open fails', async () => {
  const script = new Script();
  const client = script.client({ transports: ['websocket', 'sse'] });
  await started(script, 1);
  script.last.event(1);
  assert.ok(script.links[0].closed);
  await started(script, 2);
  client.close();
});

test('emitWithAck resolves with the answer, rejects on an error answer and on timeout', async () => {
  const script = new Script();
  const client = script.client<object, { sum: (numbers: number[]) => number }>();
  await started(script, 1);
  script.last.open();
  const sum = client.emitWithAck('sum', [1, 2]);
  const [asked] = script.last.sent;
  assert.equal(asked.type, 'event');
  assert.ok(asked.type === 'event' && asked.ackId !== undefined);
  script.last.deliver({ type: 'ack', seq: 1, ackId: asked.ackId, data: 3 });
  assert.equal(await sum, 3);

  const failing = client.emitWithAck('sum', []);
  const second = script.last.sent.at(-1)!;
  assert.ok(second.type === 'event' && second.ackId !== undefined);
  script.last.deliver({ type: 'ack', seq: 2, ackId: second.ackId, data: null, error: 'rate_limited' });
  await assert.rejects(failing, (error: AckError) => error.reason === 'error' && error.message === 'rate_limited');

  await assert.rejects(client.emitWithAck('sum', [], { timeout: 30 }), (error: AckError) => error.reason === 'timeout' && /within 30 ms/.test(error.message));
  client.close();
});

test('close() tells the server, rejects pending acks and stops everything', async () => {
  const script = new Script();
  const client = script.client();
  await started(script, 1);
  script.last.open();
  const pending = client.emitWithAck('slow', null, { timeout: 5000 });
  const closed = nextState(client, 'closed');
  client.close('bye');
  assert.deepEqual(script.last.sent.at(-1), { type: 'close', code: 1000, reason: 'bye', retryAfterMs: null });
  assert.ok(script.last.closed);
  await assert.rejects(pending, (error: AckError) => error.reason === 'closed');
  assert.deepEqual(await closed, { type: 'closed', code: 1000, reason: 'bye' });
  client.close(); // twice is fine
});

test('close() while connecting stops the attempt', async () => {
  const script = new Script();
  const client = script.client();
  client.close();
  await sleep(20);
  assert.equal(script.links.length, 0);
  assert.equal(client.state, 'closed');
});

test('server events asking for an answer: the handler acks once, with the next cseq', async () => {
  const script = new Script();
  const client = script.client<{ confirm: (q: string) => boolean }>();
  client.on('confirm', (question, ack) => {
    assert.equal(question, 'sure?');
    ack(true);
    ack(false);
  });
  await started(script, 1);
  script.last.open();
  client.emit('first', null);
  script.last.event(1, 'confirm', 'sure?', 42);
  assert.deepEqual(script.last.sent.at(-1), { type: 'ack', seq: 2, ackId: 42, data: true });
  assert.equal(script.last.sent.filter((packet) => packet.type === 'ack').length, 1);
  client.close();
});

test('off removes one handler or all; a throwing handler does not stop the others', async () => {
  const script = new Script();
  const client = script.client<{ tick: number }>();
  const a: number[] = [];
  const b: number[] = [];
  const handlerA = (n: number) => a.push(n);
  client.on('tick', handlerA).on('tick', (n) => b.push(n));
  await started(script, 1);
  script.last.open();
  script.last.event(1);
  client.off('tick', handlerA);
  script.last.event(2);
  client.off('tick');
  script.last.event(3);
  assert.deepEqual(a, [1]);
  assert.deepEqual(b, [1, 2]);

  // The handler's error is rethrown outside the client, as an uncaught error: catch it here alone.
  const errors: unknown[] = [];
  const runnerListeners = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  const onError = (error: unknown) => errors.push(error);
  process.on('uncaughtException', onError);
  try {
    client.on('tick', () => {
      throw new Error('handler bug');
    });
    client.on('tick', (n) => b.push(n));
    script.last.event(4);
    await sleep(5);
  } finally {
    process.off('uncaughtException', onError);
    for (const listener of runnerListeners) process.on('uncaughtException', listener);
  }
  assert.deepEqual(b, [1, 2, 4]);
  assert.equal((errors[0] as Error).message, 'handler bug');
  assert.equal(client.state, 'open');
  client.close();
});

test('options given as undefined keep their defaults', async () => {
  const script = new Script();
  const client = script.client({ path: undefined, transports: undefined, openTimeout: undefined, reconnect: { initialDelay: undefined, jitter: 0 } });
  await started(script, 1);
  assert.equal(script.last.url, 'http://test.invalid/baro/ws?');
  script.last.fail();
  await started(script, 2);
  assert.equal(script.last.name, 'sse');
  script.last.open();
  const reconnecting = nextState(client, 'reconnecting');
  script.last.fail();
  assert.equal((await reconnecting).delay, 500);
  client.close();
});

test('URLs: path, extra query, sid/token/seq on GETs and sid/token on POST', async () => {
  const script = new Script();
  const client = script.client({ path: '/rt', query: { app: 'quiz' } });
  await started(script, 1);
  assert.equal(script.last.url, 'http://test.invalid/rt/ws?app=quiz');
  script.last.open({ sid: 'abc', token: 'tok en' });
  script.last.event(1);
  assert.equal(script.last.context.url('send'), 'http://test.invalid/rt/send?app=quiz&sid=abc&token=tok+en');
  assert.equal(script.last.context.url('poll', { wait: '1' }), 'http://test.invalid/rt/poll?wait=1&app=quiz&sid=abc&token=tok+en&seq=1');
  client.close();
});

test('stream messages are handled once per position; the client resumes with its positions', async () => {
  const script = new Script();
  const client = script.client<{ news: string }>({ transports: ['websocket'] });
  const seen: string[] = [];
  client.on('news', (text) => seen.push(text));
  await started(script, 1);
  script.last.open({ streams: { '': ['E0', 0], quiz: ['E1', 4] } });
  const message = (stream: string, offset: number, data: string): Packet => ({ type: 'message', stream, offset, name: 'news', data });
  script.last.deliver(message('quiz', 4, 'at the position: seen already'), message('quiz', 5, 'q5'), message('', 1, 'all1'), message('quiz', 5, 'q5 again'));
  script.last.deliver(message('quiz', 8, 'q8 (offsets of one member may skip)'), message('other', 1, 'not joined: dropped'));
  script.last.deliver({ type: 'join', stream: 'other', epoch: 'E2', offset: 1 }, message('other', 2, 'o2'), { type: 'leave', stream: 'quiz' }, message('quiz', 9, 'left: dropped'));
  assert.deepEqual(seen, ['q5', 'all1', 'q8 (offsets of one member may skip)', 'o2']);
  script.last.fail({ reason: 'cut', code: 1006 });
  await started(script, 2);
  assert.equal(script.last.query('pos'), 'E0.1,E2.2', 'offsets by epoch (epochs name their streams)');
  // A resumed open packet restates the positions: replayed messages at or below them are dropped.
  script.last.open({ resumed: true, streams: { '': ['E0', 1], other: ['E2', 2] } });
  script.last.deliver(message('other', 2, 'o2 replayed'), message('other', 3, 'o3'));
  assert.deepEqual(seen.slice(4), ['o3']);
  client.close();
});
