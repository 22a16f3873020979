/** SSE specifics: the response, its framing, Last-Event-ID, keep-alives, losing and ending streams, backpressure. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '../session/session.js';
import { coreOf } from '../session/session.js';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { sleep, until, withTimeout } from '../websocket/test-support/wait.js';
import { SseStream, startServer } from './test-support/http-client.js';
import { sseField } from './sse-transport.js';
import { OutboundPacket } from '../wire/outbound-packet.js';
import { baroWireFormat } from '../wire/baro-format.js';
import type { Packet } from '@baro/protocol';

const sseEvent = (packet: Packet): string => new OutboundPacket(packet, 0).sse(baroWireFormat).toString();

const T = { timeout: 10_000 };

async function openStream(t: Parameters<typeof startServer>[0], options: Parameters<typeof startServer>[1] = {}) {
  const harness = await startServer(t, options);
  const sessions: Session[] = [];
  harness.server.on('connection', (session: Session) => sessions.push(session));
  const stream = await SseStream.open(`${harness.base}/sse`, {}, t);
  const open = await stream.packet('o');
  return { ...harness, stream, open, session: () => sessions[0] };
}

describe('SSE framing', () => {
  test('a sequenced packet is one event with its id; others have no id line', () => {
    assert.equal(sseEvent({ type: 'event', seq: 7, name: 'x', data: 1 }), 'id: 7\ndata: ["e",7,"x",1]\n\n');
    assert.equal(sseEvent({ type: 'ping', t: 1 }), 'data: ["h",1]\n\n');
    assert.equal(sseEvent({ type: 'message', stream: 'r', offset: 3, name: 'x', data: 1 }), 'data: ["m","r",3,"x",1]\n\n', 'stream messages carry no id: Last-Event-ID stays the session seq');
  });

  test('packet texts never hold a raw CR or LF, whatever the data', async (t) => {
    const { stream, session } = await openStream(t);
    const nasty = 'line\nbreak\r\ncarriage\rreturn\u2028\u2029\u0085\x00';
    session().emit(nasty, { [nasty]: [nasty] });
    session().emit('bytes', new Uint8Array([10, 13, 10]));
    await stream.until((s) => s.events.length >= 3, 3000, 'the two events');
    for (const event of stream.events) assert.doesNotMatch(event.data, /[\r\n]/);
    assert.deepEqual(stream.packets[1], ['e', 1, nasty, { [nasty]: [nasty] }]);
    assert.deepEqual(stream.packets[2], ['e', 2, 'bytes', { $b: 'Cg0K' }]);
  });

  test('sseField refuses CR and LF in a name or value', () => {
    assert.equal(sseField('event', 'tick'), 'event: tick\n');
    assert.throws(() => sseField('event', 'a\nb'), TypeError);
    assert.throws(() => sseField('event', 'a\rb'), TypeError);
    assert.throws(() => sseField('ev\nent', 'a'), TypeError);
  });
});

describe('SSE stream', () => {
  test('answers text/event-stream, uncached, unbuffered, starting with a comment', T, async (t) => {
    const { stream, open } = await openStream(t);
    assert.equal(stream.status, 200);
    assert.match(stream.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.match(stream.headers.get('cache-control') ?? '', /no-cache/);
    assert.equal(stream.headers.get('x-accel-buffering'), 'no');
    assert.ok(stream.comments >= 1, 'the initial comment');
    assert.equal(open[1].transport, 'sse');
    assert.equal(stream.events[0].id, undefined, 'the open packet has no id');
  });

  test('sequenced packets carry their seq as the event id', T, async (t) => {
    const { stream, session } = await openStream(t);
    session().emit('a', 1);
    session().emit('b', 2);
    await stream.until((s) => s.events.length >= 3, 3000, 'two events');
    assert.deepEqual(stream.events.slice(1).map((event) => event.id), ['1', '2']);
    assert.equal(stream.lastEventId, '2');
  });

  test('Last-Event-ID resumes after the browser reconnects (and wins over seq in the URL)', T, async (t) => {
    const { stream, session, base, server } = await openStream(t);
    const [, info] = await stream.packet('o');
    for (let i = 1; i <= 5; i++) session().emit('n', i);
    await stream.until((s) => s.events.length >= 6, 3000, 'five events');
    stream.close();
    await until(() => !session().connected, 2000, 'the server to notice the closed stream');
    for (let i = 6; i <= 8; i++) session().emit('n', i);
    // What EventSource does: the same URL, with Last-Event-ID.
    const again = await SseStream.open(`${base}/sse?sid=${info.sid}&token=${info.token}&seq=0`, { 'Last-Event-ID': '3' }, t);
    await again.until((s) => s.packets.filter((p) => p[0] === 'e').length >= 5, 3000, 'the replay after 3');
    const [open, ...rest] = again.packets;
    assert.equal(open[0], 'o');
    assert.equal(open[1].resumed, true);
    assert.deepEqual(rest.filter((p) => p[0] === 'e').map((p) => p[3]), [4, 5, 6, 7, 8]);
    assert.equal(server.sessions.size, 1);
  });

  test('a bad Last-Event-ID is refused with 400', T, async (t) => {
    const { base, open } = await openStream(t);
    const response = await fetch(`${base}/sse?sid=${open[1].sid}&token=${open[1].token}`, { headers: { 'Last-Event-ID': 'abc' } });
    assert.equal(response.status, 400);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(await response.text(), /seq/);
  });

  test('keep-alive comments while idle', T, async (t) => {
    const { stream } = await openStream(t, { http: { keepAliveInterval: 40 } });
    const before = stream.comments;
    await stream.until((s) => s.comments >= before + 2, 2000, 'two keep-alive comments');
  });

  test('closing the stream leaves the session waiting (offline), not ended', T, async (t) => {
    const { stream, session } = await openStream(t);
    let offline = 0;
    session().on('offline', () => offline++);
    stream.close();
    await until(() => !session().connected, 2000, 'the session to lose its carrier');
    assert.equal(offline, 1);
    assert.equal(session().ended, false);
  });

  test('ending the session sends the close packet and ends the stream', T, async (t) => {
    const { stream, session } = await openStream(t);
    session().disconnect(4500, 'kicked');
    await stream.until((s) => s.ended, 3000, 'the stream to end');
    assert.deepEqual(stream.packets.at(-1), ['c', 4500, 'kicked', null]);
  });

  test('a client that reads slowly gets everything once it reads: the stream resumes on drain', T, async (t) => {
    const harness = await startServer(t, { limits: { maxQueuedBytes: 256 * 1024 * 1024, replayBytes: 256 * 1024 * 1024 } });
    const sessions: Session[] = [];
    harness.server.on('connection', (session: Session) => sessions.push(session));
    const response = await withTimeout(
      new Promise<IncomingMessage>((resolve, reject) => httpGet({ host: '127.0.0.1', port: harness.port, path: '/baro/sse', agent: false }, resolve).on('error', reject)),
      3000,
      'the SSE response',
    );
    t.after(() => response.destroy());
    response.pause();
    await until(() => sessions.length === 1, 2000, 'the session');
    const session = sessions[0];
    const chunk = 'x'.repeat(256 * 1024);
    const count = 128; // 32 MiB: more than the socket buffers hold while nobody reads
    for (let i = 1; i <= count; i++) session.emit('big', { i, chunk });
    await sleep(200);
    assert.ok(coreOf(session).queuedBytes > 1024 * 1024, `held back ${coreOf(session).queuedBytes} bytes`);
    assert.equal(session.ended, false);
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (data: string) => (text += data.replaceAll(chunk, '')));
    response.resume();
    await until(() => text.includes('"i":' + count + ','), 8000, 'the last event');
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1]));
    assert.deepEqual(ids, Array.from({ length: count }, (_, i) => i + 1));
    await until(() => coreOf(session).queuedBytes === 0, 2000, 'the queue to empty');
  });
});
