import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { makeSession, RecordingCarrier } from './test-support/recording-carrier.js';
import { RECEIPT_BATCH, RECEIPT_DELAY_MS } from './session.js';

const tick = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe('Session', () => {
  test('attach announces with an open packet, then events follow with consecutive sequence numbers', async () => {
    const { session } = makeSession();
    const carrier = new RecordingCarrier();
    session.emit('early', 1);
    assert.equal(session.attach(carrier, 0, { announce: true, resumed: false }), true);
    session.emit('a', 2);
    session.emit('b', 3);
    await tick();
    assert.equal(carrier.packets[0].type, 'open');
    assert.deepEqual(carrier.events(), [
      { seq: 1, name: 'early', data: 1 },
      { seq: 2, name: 'a', data: 2 },
      { seq: 3, name: 'b', data: 3 },
    ]);
  });

  test('emits in one tick leave in one write', async () => {
    const { session } = makeSession();
    let writes = 0;
    const carrier = new RecordingCarrier();
    const original = carrier.write.bind(carrier);
    carrier.write = (packets) => {
      writes++;
      original(packets);
    };
    session.attach(carrier, 0, { announce: false, resumed: false });
    for (let i = 0; i < 50; i++) session.emit('n', i);
    await tick();
    assert.equal(writes, 1);
    assert.equal(carrier.events().length, 50);
  });

  test('a reattached carrier gets everything after the client seq, once, in order', async () => {
    const { session } = makeSession();
    const first = new RecordingCarrier();
    session.attach(first, 0, { announce: false, resumed: false });
    for (let i = 1; i <= 10; i++) session.emit('n', i);
    await tick();
    session.receive([{ type: 'receipt', seq: 4 }]);
    const second = new RecordingCarrier();
    assert.equal(session.attach(second, 6, { announce: true, resumed: true }), true);
    assert.equal(first.detached, true, 'the old carrier is detached');
    for (let i = 11; i <= 12; i++) session.emit('n', i);
    await tick();
    assert.deepEqual(second.events().map((e) => e.seq), [7, 8, 9, 10, 11, 12]);
    const open = second.packets[0];
    assert.ok(open.type === 'open' && open.info.resumed === true);
  });

  test('a client behind what it receipted cannot attach (it must resync)', async () => {
    const { session } = makeSession();
    const carrier = new RecordingCarrier();
    session.attach(carrier, 0, { announce: false, resumed: false });
    for (let i = 1; i <= 10; i++) session.emit('n', i);
    await tick();
    session.receive([{ type: 'receipt', seq: 5 }]);
    assert.equal(session.attach(new RecordingCarrier(), 4, { announce: true, resumed: true }), false, 'seq 5 was dropped from the buffer');
    assert.equal(session.attach(new RecordingCarrier(), 5, { announce: true, resumed: true }), true, 'seq 6..10 are still there');
  });

  test('client events are processed once, in order; duplicates and gaps are dropped; a receipt follows', async () => {
    const { session } = makeSession();
    const carrier = new RecordingCarrier();
    session.attach(carrier, 0, { announce: false, resumed: false });
    const seen: unknown[] = [];
    session.on('msg', (data: unknown) => seen.push(data));
    session.receive([
      { type: 'event', seq: 1, name: 'msg', data: 'a' },
      { type: 'event', seq: 1, name: 'msg', data: 'a again' },
      { type: 'event', seq: 3, name: 'msg', data: 'gap' },
      { type: 'event', seq: 2, name: 'msg', data: 'b' },
    ]);
    await tick();
    assert.deepEqual(seen, ['a', 'b']);
    assert.deepEqual(carrier.packets.filter((p) => p.type === 'receipt'), [{ type: 'receipt', seq: 2 }], 'one receipt for the batch');
    assert.equal(session.openInfo('websocket', true).cseq, 2);
  });

  test('a duplex client is receipted with the next write after a delay, at once after a batch, by timer when it goes quiet', async () => {
    const { session, advance } = makeSession();
    const carrier = new RecordingCarrier();
    session.attach(carrier, 0, { announce: false, resumed: false });
    const receipts = () => carrier.packets.filter((p) => p.type === 'receipt').map((p) => (p.type === 'receipt' ? p.seq : 0));
    let seq = 0;
    const send = async (count: number) => {
      for (let i = 0; i < count; i++) session.receive([{ type: 'event', seq: ++seq, name: 'n', data: seq }]);
      await tick();
    };
    await send(1);
    assert.deepEqual(receipts(), [1], 'the first packet in a while is receipted at once');
    await send(49);
    assert.deepEqual(receipts(), [1], 'then none per packet');
    advance(RECEIPT_DELAY_MS);
    await send(1);
    assert.deepEqual(receipts(), [1, 51], `${RECEIPT_DELAY_MS} ms later the receipt goes with the next write`);
    await send(RECEIPT_BATCH);
    assert.deepEqual(receipts(), [1, 51, 151], `${RECEIPT_BATCH} packets waiting: at once`);
    await send(1);
    assert.deepEqual(receipts(), [1, 51, 151]);
    advance(2 * RECEIPT_DELAY_MS);
    // The timer is real: wait for its receipt (bounded) rather than for a guessed time.
    for (let i = 0; i < 300 && receipts().length < 4; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(receipts(), [1, 51, 151, 152], 'a client that went quiet gets its receipt by timer');
    session.receive([{ type: 'event', seq: 1, name: 'n', data: 1 }]);
    await tick();
    assert.deepEqual(receipts(), [1, 51, 151, 152, 152], 'a resend (its receipt was missed) is receipted at once');
  });

  test('acknowledgements both ways', async () => {
    const { session } = makeSession();
    const carrier = new RecordingCarrier();
    session.attach(carrier, 0, { announce: false, resumed: false });
    session.on('ask', (data: number, ack?: (r: unknown) => void) => ack?.({ doubled: data * 2 }));
    session.receive([{ type: 'event', seq: 1, name: 'ask', data: 21, ackId: 9 }]);
    await tick();
    const answer = carrier.packets.find((p) => p.type === 'ack');
    assert.ok(answer && answer.type === 'ack');
    assert.equal(answer.ackId, 9);
    assert.deepEqual(answer.data, { doubled: 42 });

    const pending = session.emitWithAck('confirm', 'please', { timeout: 1000 });
    await tick();
    const request = carrier.packets.find((p) => p.type === 'event' && p.name === 'confirm');
    assert.ok(request && request.type === 'event' && request.ackId !== undefined);
    session.receive([{ type: 'ack', seq: 2, ackId: request.ackId, data: 'yes' }]);
    assert.equal(await pending, 'yes');

    await assert.rejects(session.emitWithAck('never', null, { timeout: 20 }), /no acknowledgement/);
  });

  test('volatile events are dropped while the client is behind; latest-only keeps the newest per key', async () => {
    const { session } = makeSession();
    const carrier = new RecordingCarrier();
    session.attach(carrier, 0, { announce: false, resumed: false });
    carrier.writable = false;
    assert.equal(session.emit('cursor', 1, { volatile: true }), false, 'no room: dropped');
    session.emit('board', { v: 1 }, { latest: 'board' });
    session.emit('chat', 'hi');
    session.emit('board', { v: 2 }, { latest: 'board' });
    session.emit('board', { v: 3 }, { latest: 'board' });
    await tick();
    assert.equal(carrier.packets.length, 0);
    carrier.writable = true;
    session.flush();
    assert.deepEqual(carrier.events().map((e) => [e.seq, e.name, e.data]), [
      [1, 'chat', 'hi'],
      [2, 'board', { v: 3 }],
    ]);
  });

  test('past maxQueuedBytes the session closes as a slow consumer (4001) with a retry hint', async () => {
    const { session, ended } = makeSession({ maxQueuedBytes: 10_000 });
    const carrier = new RecordingCarrier();
    session.attach(carrier, 0, { announce: false, resumed: false });
    carrier.writable = false;
    let code = 0;
    session.on('disconnect', (c: number) => (code = c));
    for (let i = 0; i < 100 && !session.ended; i++) session.emit('big', 'x'.repeat(500));
    assert.equal(session.ended, true);
    assert.equal(code, 4001);
    assert.deepEqual(ended, [session]);
  });

  test('client events past the rate limit are refused with a clear error', async () => {
    const { session } = makeSession({ eventsPerSecond: 10, eventBurst: 3 });
    const carrier = new RecordingCarrier();
    session.attach(carrier, 0, { announce: false, resumed: false });
    let handled = 0;
    session.on('spam', () => handled++);
    session.receive(Array.from({ length: 5 }, (_, i) => ({ type: 'event' as const, seq: i + 1, name: 'spam', data: i, ackId: i })));
    await tick();
    assert.equal(handled, 3);
    const errors = carrier.packets.filter((p) => p.type === 'ack' && p.error === 'rate_limited');
    assert.equal(errors.length, 2);
  });

  test('reserved lifecycle names cannot be sent by a client', async () => {
    const { session } = makeSession();
    const carrier = new RecordingCarrier();
    session.attach(carrier, 0, { announce: false, resumed: false });
    let fired = false;
    session.on('disconnect', () => (fired = true));
    session.receive([{ type: 'event', seq: 1, name: 'disconnect', data: null, ackId: 1 }]);
    await tick();
    assert.equal(fired, false);
    assert.ok(carrier.packets.some((p) => p.type === 'ack' && /reserved/.test(p.error ?? '')));
  });

  test('heartbeat pings; a silent carrier is dropped; a session without carrier expires after the resume window', () => {
    const { session, advance, now } = makeSession({ heartbeat: 1000, resumeWindow: 5000 });
    const carrier = new RecordingCarrier();
    session.attach(carrier, 0, { announce: false, resumed: false });
    session.heartbeat(now());
    assert.equal(carrier.packets.at(-1)?.type, 'ping');
    advance(2600);
    session.heartbeat(now());
    assert.equal(carrier.detached, true);
    assert.equal(session.connected, false);
    advance(4000);
    assert.equal(session.expired(now()), false);
    advance(1001);
    assert.equal(session.expired(now()), true);
  });

  test('a polling client between requests hears the close with its next request', () => {
    const { session, ended } = makeSession();
    const carrier = new RecordingCarrier();
    carrier.streaming = false;
    session.attach(carrier, 0, { announce: false, resumed: false });
    carrier.writable = false;
    session.close(4003, 'server restarting', 1500);
    assert.equal(session.ended, false, 'nobody to tell yet');
    assert.equal(session.closing, true);
    carrier.writable = true;
    session.flush();
    assert.deepEqual(carrier.packets.at(-1), { type: 'close', code: 4003, reason: 'server restarting', retryAfterMs: 1500 });
    assert.equal(session.ended, true);
    assert.deepEqual(ended, [session]);
  });

  test('pong answers measure the round trip', () => {
    const { session, advance, now } = makeSession();
    session.attach(new RecordingCarrier(), 0, { announce: false, resumed: false });
    const sent = now();
    advance(37);
    session.receive([{ type: 'pong', t: sent }]);
    assert.equal(session.rtt, 37);
  });
});
