import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { PACKET_OVERHEAD_BYTES } from './outbound.js';
import { FLOOD_HOLD_MS } from './session.js';
import { makeSession, RecordingCarrier } from './test-support/recording-carrier.js';

const tick = () => new Promise<void>((resolve) => queueMicrotask(resolve));

/** The packets a session keeps for a client that never receipts. */
function attached(limits: Parameters<typeof makeSession>[0] = {}) {
  const made = makeSession(limits);
  const carrier = new RecordingCarrier();
  made.session.attach(carrier, 0, { announce: false, resumed: false });
  let closed: [number, string] | null = null;
  made.session.on('disconnect', (code: number, reason: string) => (closed = [code, reason]));
  return { ...made, carrier, closed: () => closed };
}

describe('replay limits', () => {
  test('replayCount: N unreceipted packets are kept; the N+1st closes the session as a slow consumer (4001)', async () => {
    const { session, carrier, closed } = attached({ replayCount: 50 });
    for (let i = 1; i <= 50; i++) session.emit('n', i);
    await tick();
    assert.equal(session.replayCount, 50);
    assert.equal(session.ended, false);
    session.emit('n', 51);
    await tick();
    assert.deepEqual(closed(), [4001, 'replay buffer full']);
    assert.equal(session.replayCount, 0, 'an ended session holds nothing');
    assert.equal(carrier.events().length, 50, 'what fitted was still written');
    assert.deepEqual(carrier.packets.at(-1), { type: 'close', code: 4001, reason: 'replay buffer full', retryAfterMs: 1000 });
  });

  test('a receipt makes room again', async () => {
    const { session } = attached({ replayCount: 10 });
    for (let i = 1; i <= 10; i++) session.emit('n', i);
    await tick();
    session.receive([{ type: 'receipt', seq: 10 }]);
    for (let i = 11; i <= 20; i++) session.emit('n', i);
    await tick();
    assert.equal(session.ended, false);
    assert.equal(session.replayCount, 10);
  });

  test('replay bytes are UTF-8 bytes plus the per-packet overhead: Korean text counts 3 bytes a character', async () => {
    const { session } = attached();
    const text = '바로'.repeat(500);
    session.emit('k', text);
    await tick();
    const tail = `"k",${JSON.stringify(text)}]`;
    assert.equal(session.replayBytes, Buffer.byteLength(tail) + PACKET_OVERHEAD_BYTES);
    assert.ok(session.replayBytes > 3000, `${session.replayBytes}`);
  });

  test('replayBytes: at N bytes the session stays, one byte more closes it', async () => {
    const packetBytes = Buffer.byteLength('"n","한"]') + PACKET_OVERHEAD_BYTES;
    const { session, closed } = attached({ replayBytes: packetBytes * 4 });
    for (let i = 0; i < 4; i++) session.emit('n', '한');
    await tick();
    assert.equal(session.replayBytes, packetBytes * 4);
    assert.equal(session.ended, false);
    session.emit('n', '한');
    await tick();
    assert.deepEqual(closed(), [4001, 'replay buffer full']);
  });
});

describe('refused client events', () => {
  const flood = (count: number, name = 'spam', from = 1) =>
    Array.from({ length: count }, (_, i) => ({ type: 'event' as const, seq: from + i, name, data: i, ackId: from + i }));

  test('a flood over the limit gets at most eventBurst refusals; the rest are dropped unanswered and nothing more is kept', async () => {
    const { session, carrier } = attached({ eventsPerSecond: 200, eventBurst: 400 });
    let handled = 0;
    session.on('spam', (_data: unknown, ack?: (r: unknown) => void) => {
      handled++;
      ack?.(true);
    });
    session.receive(flood(12_000));
    await tick();
    assert.equal(handled, 400);
    const refusals = carrier.packets.filter((p) => p.type === 'ack' && p.error === 'rate_limited').length;
    assert.equal(refusals, 400);
    assert.equal(session.replayCount, 800, '400 answers and 400 refusals, not 12,000');
    assert.equal(session.cseq, 12_000, 'every packet was still processed once (receipted)');
  });

  test('a client past both budgets is held: its carrier reads nothing for FLOOD_HOLD_MS; at the last answered refusal it is not', async () => {
    const { session, carrier } = attached({ eventsPerSecond: 10, eventBurst: 5 });
    session.on('spam', () => {});
    session.receive(flood(10));
    await tick();
    assert.deepEqual(carrier.holds, [], '5 handled and 5 refusals answered: within the budgets');
    session.receive(flood(1, 'spam', 11));
    await tick();
    assert.deepEqual(carrier.holds, [FLOOD_HOLD_MS]);
  });

  test('refusals come back at the refill rate', async () => {
    const { session, carrier, advance } = attached({ eventsPerSecond: 10, eventBurst: 2 });
    session.receive(flood(10));
    await tick();
    const refused = () => carrier.packets.filter((p) => p.type === 'ack' && p.error === 'rate_limited').length;
    assert.equal(refused(), 2);
    advance(1000);
    // A second later both buckets hold their burst again: two handled, two refusals answered.
    session.receive(flood(14, 'spam', 11));
    await tick();
    assert.equal(refused(), 2 + 2);
  });

  test('events with a reserved name take a token and, past the limit, get no answer either', async () => {
    const { session, carrier } = attached({ eventsPerSecond: 1, eventBurst: 3 });
    let handled = 0;
    session.on('ok', () => handled++);
    session.receive(flood(3, 'disconnect'));
    session.receive([{ type: 'event', seq: 4, name: 'ok', data: null }]);
    await tick();
    assert.equal(handled, 0, 'the reserved names used up the tokens');
    assert.equal(carrier.packets.filter((p) => p.type === 'ack' && /reserved/.test(p.error ?? '')).length, 3);
    session.receive(flood(100, 'disconnect', 5));
    await tick();
    assert.ok(session.replayCount <= 6, `${session.replayCount} packets kept`);
  });

  test('an ack answered twice by a handler sends one packet', async () => {
    const { session, carrier } = attached();
    session.on('ask', (_data: unknown, ack?: (r: unknown) => void) => {
      ack?.(1);
      ack?.(2);
    });
    session.receive([{ type: 'event', seq: 1, name: 'ask', data: null, ackId: 7 }]);
    await tick();
    assert.deepEqual(carrier.packets.filter((p) => p.type === 'ack').map((p) => p.type === 'ack' && p.data), [1]);
  });
});

describe('resume budget', () => {
  test('attaching with nothing to replay is free; replaying ones take from resumeBurst, refilled per minute', async () => {
    const { session, advance } = attached({ resumeBurst: 3, resumesPerMinute: 6 });
    session.emit('n', 1);
    await tick();
    for (let i = 0; i < 10; i++) assert.equal(session.mayResume(1), true, 'nothing after seq 1');
    for (let i = 0; i < 3; i++) assert.equal(session.mayResume(0), true, `resume ${i + 1} of the burst`);
    assert.equal(session.mayResume(0), false, 'the 4th is refused');
    advance(9_999);
    assert.equal(session.mayResume(0), false);
    advance(1);
    assert.equal(session.mayResume(0), true, 'one every 10 s');
  });
});
