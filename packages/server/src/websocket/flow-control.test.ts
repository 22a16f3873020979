/**
 * What a peer can make the server hold on its way out, over real sockets: every frame written
 * counts against `maxBufferedBytes` (at N and N+1), a peer that floods pings and never reads costs
 * one pending pong, reading pauses above the high-water mark so an echo peer that never reads is not
 * a memory sink, and a deflate peer that reads is never taken for a slow consumer.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { buildFrame, concatBytes } from '@baro/testing';
import type { WebSocketConnection } from './connection.js';
import { ReadyState } from './ready-state.js';
import { type Scope, assertEchoes, nextConnection, scoped } from './test-support/scope.js';
import { nextEvent, until, withTimeout } from './test-support/wait.js';
import type { RawClient } from './test-support/raw-client.js';

const KiB = 1024;
const MiB = 1024 * KiB;

function serverClose(connection: WebSocketConnection, ms = 3000): Promise<[number, string]> {
  return nextEvent<[number, string]>(connection, 'close', ms, "the server connection's 'close'");
}

/** A baro server on 127.0.0.1 with one raw client past the handshake, and that client's server-side connection. */
async function rawPeer(s: Scope, options: Parameters<Scope['baroServer']>[0]): Promise<{ raw: RawClient; connection: WebSocketConnection; url: string }> {
  const { server, port, url } = await s.baroServer(options);
  const accepted = nextConnection(server);
  const raw = await s.rawOpen(port);
  return { raw, connection: (await accepted).connection, url };
}

/** Writes `block` `times` times, waiting for the socket to drain when it asks to. */
async function writeRepeated(raw: RawClient, block: Uint8Array, times: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (let i = 0; i < times; i++) {
    if (!raw.socket.write(block)) await nextEvent(raw.socket, 'drain', Math.max(1, deadline - Date.now()), 'the flood to drain');
  }
}

describe('every frame written to a peer counts against maxBufferedBytes', () => {
  test('pings, pongs, automatic pongs, messages and close frames all count in bufferedAmount', { timeout: 5000 }, async (t) => {
    const s = scoped(t);
    const { raw, connection } = await rawPeer(s, {});
    // Corked, nothing reaches the kernel: bufferedAmount is exactly what was written.
    connection.cork();
    const steps: [string, () => void, number][] = [
      ['ping()', () => connection.ping(), 2],
      ['pong("x")', () => connection.pong('x'), 3],
      ['send("abc")', () => connection.send('abc'), 5],
      ['send(200 bytes)', () => connection.send(Buffer.alloc(200)), 204],
    ];
    let expected = 0;
    for (const [what, step, size] of steps) {
      step();
      expected += size;
      assert.equal(connection.bufferedAmount, expected, `after ${what}`);
    }
    const pinged = nextEvent(connection, 'ping', 2000, 'the peer’s ping');
    raw.sendFrame({ opcode: 9, payload: 'hi' });
    await pinged;
    expected += 4;
    assert.equal(connection.bufferedAmount, expected, 'after the automatic pong');
    connection.close(1000);
    expected += 4;
    assert.equal(connection.bufferedAmount, expected, 'after close(1000)');
    connection.uncork();
    const close = await raw.closeFrame();
    assert.equal(close.code, 1000);
    assert.deepEqual(close.skipped.map((frame) => frame.opcode), [9, 10, 1, 2, 10]);
  });

  for (const over of [0, 1]) {
    test(`with ${over === 0 ? 'exactly' : 'one byte more than'} maxBufferedBytes waiting, the next frame (a ping) ${over === 0 ? 'is written' : 'closes the peer as a slow consumer (4001)'}`, { timeout: 5000 }, async (t) => {
      const s = scoped(t);
      const maxBufferedBytes = 1000;
      const { raw, connection, url } = await rawPeer(s, { echo: true, maxBufferedBytes, closeTimeout: 500 });
      const errors: Error[] = [];
      connection.on('error', (error) => errors.push(error));
      connection.cork();
      // A 996-byte payload has a 4-byte header: 1000 bytes on the wire.
      connection.send(Buffer.alloc(996 + over));
      assert.equal(connection.bufferedAmount, maxBufferedBytes + over);
      const closed = serverClose(connection);
      connection.ping();
      if (over === 0) {
        assert.equal(connection.readyState, ReadyState.OPEN);
        assert.deepEqual(errors, []);
        connection.uncork();
        assert.equal((await raw.nextFrame()).opcode, 2);
        assert.equal((await raw.nextFrame()).opcode, 9);
      } else {
        assert.notEqual(connection.readyState, ReadyState.OPEN);
        const [code] = await closed;
        assert.equal(code, 4001);
        assert.equal(errors.length, 1);
        assert.match(errors[0].message, /slow consumer/);
        await raw.waitClosed();
      }
      await assertEchoes(s, url);
    });
  }
});

describe('highWaterMark at N-1 and N', () => {
  for (const [buffered, expected] of [[999, true], [1000, false]] as const) {
    test(`with ${buffered} bytes buffered (highWaterMark 1000) send() returns ${expected}`, { timeout: 5000 }, async (t) => {
      const s = scoped(t);
      const { connection } = await rawPeer(s, { highWaterMark: 1000 });
      connection.cork();
      // A payload of 126 bytes or more has a 4-byte header.
      assert.equal(connection.send(Buffer.alloc(buffered - 4)), expected);
      assert.equal(connection.bufferedAmount, buffered);
      connection.uncork();
      if (!expected) await nextEvent(connection, 'drain', 3000, "'drain' once the kernel took the bytes");
    });
  }
});

describe('a peer that floods pings and never reads', () => {
  test('pongs wait while the socket is backed up: the server holds a bounded buffer, answers the newest ping once the peer reads, and keeps serving', { timeout: 60_000 }, async (t) => {
    const s = scoped(t);
    const { raw, connection, url } = await rawPeer(s, { echo: true });
    raw.socket.pause();
    raw.discardIncoming();
    let pings = 0;
    let maxBuffered = 0;
    connection.on('ping', () => {
      pings++;
      if (connection.bufferedAmount > maxBuffered) maxBuffered = connection.bufferedAmount;
    });

    // 1,024 pings of 125 bytes in a block (134 KiB), 256 blocks: 32 MiB, several times what the
    // kernel's socket buffers on both ends take, then one ping whose answer we look for.
    const block = concatBytes(...Array.from({ length: 1024 }, () => buildFrame({ opcode: 9, payload: randomBytes(125), mask: randomBytes(4) })));
    const blocks = 256;
    const flooded = 1024 * blocks;
    await writeRepeated(raw, block, blocks, 40_000);
    const newest = Buffer.from('the newest ping');
    raw.sendFrame({ opcode: 9, payload: newest });
    await until(() => pings === flooded + 1, 40_000, 'the server has read every ping', 20);

    // Without holding pongs the server would buffer a pong per ping: about 32 MiB less what the kernel took.
    assert.ok(maxBuffered <= 64 * KiB, `the server buffered ${maxBuffered} bytes for a peer that never reads`);
    assert.equal(connection.readyState, ReadyState.OPEN, 'a ping flood alone is no reason to close');
    await assertEchoes(s, url);

    // The peer reads at last: what it gets ends with the answer to its newest ping.
    const expected = Buffer.concat([Buffer.from([0x8a, newest.length]), newest]);
    let tail = Buffer.alloc(0);
    raw.socket.on('data', (chunk: Buffer) => {
      tail = Buffer.concat([tail, chunk]).subarray(-256);
    });
    raw.socket.resume();
    await until(() => tail.subarray(-expected.length).equals(expected), 20_000, 'the pong for the newest ping', 20);
    const pongs = Math.ceil(raw.received / 127);
    assert.ok(pongs < flooded / 2, `${pongs} pongs for ${flooded + 1} pings: most pings were answered by a newer pong`);
  });
});

describe('reading pauses above the high-water mark', () => {
  test('an echo peer that sends 48 MiB and never reads is not closed (1 MiB maxBufferedBytes) and gets every echo once it reads', { timeout: 60_000 }, async (t) => {
    const s = scoped(t);
    const highWaterMark = 64 * KiB;
    const { raw, connection, url } = await rawPeer(s, { echo: true, highWaterMark, maxBufferedBytes: 1 * MiB });
    const errors: Error[] = [];
    connection.on('error', (error) => errors.push(error));
    raw.socket.pause();
    raw.discardIncoming();
    let maxBuffered = 0;
    let echoed = 0;
    connection.on('message', () => {
      echoed++;
      if (connection.bufferedAmount > maxBuffered) maxBuffered = connection.bufferedAmount;
    });

    const payload = 16 * KiB;
    const frame = buildFrame({ opcode: 2, payload: randomBytes(payload), mask: randomBytes(4) });
    const messages = (48 * MiB) / payload;
    // Written without waiting: the peer's own buffer holds what the server does not read.
    for (let i = 0; i < messages; i++) raw.socket.write(frame);
    await until(() => connection.bufferedAmount >= highWaterMark, 20_000, 'the server to reach its high-water mark', 20);
    assert.equal(connection.readyState, ReadyState.OPEN);
    assert.ok(echoed < messages, 'the server stopped reading before the end of the flood');

    raw.socket.resume();
    const echoedBytes = messages * (payload + 4);
    await until(() => raw.received >= echoedBytes, 40_000, 'every echo to arrive', 20);
    assert.equal(echoed, messages);
    // Reading stops within the chunk that crossed the mark (at most 64 KiB of input, echoed).
    assert.ok(maxBuffered <= highWaterMark + 64 * KiB + 2 * (payload + 4), `bufferedAmount reached ${maxBuffered}`);
    assert.deepEqual(errors.map((error) => error.message), []);
    assert.equal(connection.readyState, ReadyState.OPEN);
    await assertEchoes(s, url);
  });
});

describe('permessage-deflate and slow consumers', () => {
  test('a deflate peer that reads, echoing 3 MiB messages that compress to kilobytes, is not closed as slow (maxBufferedBytes 1 MiB)', { timeout: 30_000 }, async (t) => {
    const s = scoped(t);
    const { server, url } = await s.baroServer({ echo: true, perMessageDeflate: true, maxBufferedBytes: 1 * MiB, highWaterMark: 256 * KiB });
    const accepted = nextConnection(server);
    const client = await s.wsClient(url, { perMessageDeflate: true });
    const { connection } = await accepted;
    assert.match(connection.extensions, /permessage-deflate/);
    const errors: Error[] = [];
    connection.on('error', (error) => errors.push(error));
    const count = 8;
    const messages = Array.from({ length: count }, (_, i) => Buffer.alloc(3 * MiB, 0x61 + i));
    const received: Buffer[] = [];
    client.on('message', (data: Buffer) => received.push(data));
    const closed = new Promise<number>((resolve) => client.once('close', (code: number) => resolve(code)));
    for (const message of messages) client.send(message);
    await withTimeout(
      Promise.race([until(() => received.length === count, 25_000, 'every echo'), closed.then((code) => Promise.reject(new Error(`closed with ${code}`)))]),
      26_000,
      'the echoes',
    );
    for (let i = 0; i < count; i++) assert.ok(received[i].equals(messages[i]), `echo ${i} differs`);
    assert.deepEqual(errors.map((error) => error.message), []);
    assert.equal(connection.readyState, ReadyState.OPEN);
    assert.equal(connection.pendingCompressionBytes, 0);
  });
});

describe('holdReading', () => {
  test('a held connection reads nothing for the hold, then every message arrives in order', { timeout: 20_000 }, async (t) => {
    const s = scoped(t);
    const { raw, connection } = await rawPeer(s, {});
    const received: { text: string; at: number }[] = [];
    connection.on('message', (data) => received.push({ text: String(data), at: Date.now() }));
    raw.sendFrame({ opcode: 1, payload: 'before' });
    await until(() => received.length === 1, 5000, 'the first message');
    const heldAt = Date.now();
    connection.holdReading(300);
    for (let i = 0; i < 5; i++) raw.sendFrame({ opcode: 1, payload: `held ${i}` });
    await until(() => received.length === 6, 10_000, 'the held messages after the hold');
    assert.deepEqual(received.map((r) => r.text), ['before', 'held 0', 'held 1', 'held 2', 'held 3', 'held 4']);
    // A lower bound only: on a loaded machine they come later, never sooner.
    assert.ok(received[1]!.at - heldAt >= 290, `the first held message came ${received[1]!.at - heldAt} ms after the hold`);
    assert.equal(connection.readyState, ReadyState.OPEN);
  });
});
