/**
 * permessage-deflate messages that inflate a thousandfold, over real sockets: forty at once against
 * a server (the inflate budget holds, the attackers are closed with 1013 or 1009, a good client is
 * served meanwhile), the 4 MiB default `maxPayload` of a deflate connection at N and N+1, and a
 * malicious server bombing the Node client or flooding it with pings.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { constants as zlibConstants, deflateRawSync } from 'node:zlib';
import { buildFrame } from '@baro/testing';
import { InflateBudget, defaultInflateBudget } from '../inflate-budget.js';
import { DEFAULT_DEFLATE_MAX_PAYLOAD } from '../permessage-deflate.js';
import type { CloseEvent } from './client-events.js';
import { type Scope, assertEchoes, nextConnection, scoped } from './test-support/scope.js';
import { acceptFor } from './test-support/raw-client.js';
import { nextDomEvent, nextEvent } from './test-support/wait.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const DEFLATE_OFFER = { headers: { 'Sec-WebSocket-Extensions': 'permessage-deflate' } };
const DEFLATE_MAX_PLUS_ONE = DEFAULT_DEFLATE_MAX_PAYLOAD + 1;

/** One message as RFC 7692 §7.2.1 sends it: deflated with a sync flush, the 00 00 ff ff trailer removed. */
function deflated(message: Buffer): Buffer {
  return deflateRawSync(message, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).subarray(0, -4);
}

/** `count` raw clients that agreed on permessage-deflate, each having sent `bomb` as one compressed binary message. */
async function bombers(s: Scope, port: number, count: number, bomb: Buffer) {
  const clients = await Promise.all(Array.from({ length: count }, () => s.rawOpen(port, DEFLATE_OFFER)));
  for (const client of clients) client.sendFrame({ opcode: 2, rsv1: true, payload: bomb });
  return clients;
}

describe('forty connections, each sending 32 KiB that inflates to 32 MiB', () => {
  const bomb = deflated(Buffer.alloc(32 * MiB));

  test('with a 8 MiB inflate budget (maxPayload 64 MiB): the budget is never exceeded, every attacker is closed with 1013, a good client is served', { timeout: 60_000 }, async (t) => {
    const s = scoped(t);
    const budget = new InflateBudget(8 * MiB);
    const { port, url } = await s.baroServer({ echo: true, maxPayload: 64 * MiB, perMessageDeflate: { inflateBudget: budget } });
    assert.ok(bomb.length < 64 * KiB, `the bomb is ${bomb.length} bytes on the wire`);
    const attackers = await bombers(s, port, 40, bomb);
    // A good client inflating small messages while the bombs go off.
    const good = await s.wsClient(url, { perMessageDeflate: { threshold: 0 } });
    const echoed = nextEvent<[Buffer]>(good, 'message', 20_000, 'the good client’s echo');
    good.send(Buffer.alloc(4 * KiB, 0x62));
    assert.equal((await echoed)[0].length, 4 * KiB);

    const codes = await Promise.all(attackers.map(async (attacker) => (await attacker.closeFrame(40_000)).code));
    assert.deepEqual(codes, Array(40).fill(1013));
    assert.ok(budget.peakBytes <= budget.limitBytes, `${budget.peakBytes} inflated bytes in flight, budget ${budget.limitBytes}`);
    assert.ok(budget.peakBytes > budget.limitBytes / 2, 'the attack did reach the budget');
    assert.equal(budget.inUseBytes, 0);
    await assertEchoes(s, url);
  });

  test('with the defaults: every attacker is closed with 1009 (4 MiB) or 1013, and the process-wide budget holds', { timeout: 60_000 }, async (t) => {
    const s = scoped(t);
    const { port, url } = await s.baroServer({ echo: true, perMessageDeflate: true });
    defaultInflateBudget.resetPeak();
    const attackers = await bombers(s, port, 40, bomb);
    const codes = await Promise.all(attackers.map(async (attacker) => (await attacker.closeFrame(40_000)).code));
    for (const code of codes) assert.ok(code === 1009 || code === 1013, `closed with ${code}`);
    assert.ok(defaultInflateBudget.peakBytes <= defaultInflateBudget.limitBytes, `${defaultInflateBudget.peakBytes} inflated bytes in flight`);
    assert.equal(defaultInflateBudget.inUseBytes, 0);
    await assertEchoes(s, url);
  });
});

describe('the default maxPayload of a deflate connection (4 MiB)', () => {
  for (const [what, size, outcome] of [
    ['exactly 4 MiB (N) is delivered', DEFAULT_DEFLATE_MAX_PAYLOAD, 'delivered'],
    ['4 MiB + 1 byte (N+1) closes with 1009', DEFAULT_DEFLATE_MAX_PAYLOAD + 1, 1009],
  ] as const) {
    test(`a compressed message inflating to ${what}`, { timeout: 20_000 }, async (t) => {
      const s = scoped(t);
      const { server, port } = await s.baroServer({ perMessageDeflate: true });
      const accepted = nextConnection(server);
      const raw = await s.rawOpen(port, DEFLATE_OFFER);
      const { connection } = await accepted;
      const received = nextEvent<[Buffer]>(connection, 'message', 10_000, 'the message');
      received.catch(() => {});
      raw.sendFrame({ opcode: 2, rsv1: true, payload: deflated(Buffer.alloc(size, 0x63)) });
      if (outcome === 'delivered') {
        assert.equal((await received)[0].length, size);
      } else {
        assert.equal((await raw.closeFrame(10_000)).code, outcome);
      }
    });
  }

  test('an uncompressed message of 4 MiB + 1 on a deflate connection closes with 1009; without deflate it is delivered', { timeout: 20_000 }, async (t) => {
    const s = scoped(t);
    const deflate = await s.baroServer({ perMessageDeflate: true });
    const raw = await s.rawOpen(deflate.port, DEFLATE_OFFER);
    raw.sendFrame({ opcode: 2, payload: Buffer.alloc(DEFLATE_MAX_PLUS_ONE) });
    assert.equal((await raw.closeFrame(10_000)).code, 1009);

    const plain = await s.baroServer({ perMessageDeflate: true });
    const accepted = nextConnection(plain.server);
    const rawPlain = await s.rawOpen(plain.port);
    const { connection } = await accepted;
    const received = nextEvent<[Buffer]>(connection, 'message', 10_000, 'the message');
    rawPlain.sendFrame({ opcode: 2, payload: Buffer.alloc(DEFLATE_MAX_PLUS_ONE) });
    assert.equal((await received)[0].length, DEFLATE_MAX_PLUS_ONE);
  });
});

describe('a malicious server against the Node client', () => {
  test('a message inflating to 32 MiB is refused with 1009 (the client’s deflate default, 4 MiB)', { timeout: 20_000 }, async (t) => {
    const s = scoped(t);
    const port = await maliciousServer(s, 'permessage-deflate', (socket) => {
      socket.write(buildFrame({ opcode: 2, rsv1: true, payload: deflated(Buffer.alloc(32 * MiB)) }));
    });
    // The malicious server never answers our close frame: don't wait the default 10 s for it.
    const client = s.baroClient(`ws://127.0.0.1:${port}`, [], { closeTimeout: 500 });
    const closed = nextDomEvent<CloseEvent>(client, 'close', 10_000, "the client's close");
    const messages: unknown[] = [];
    client.addEventListener('message', (event) => messages.push(event));
    const { code } = await closed;
    assert.equal(code, 1009);
    assert.deepEqual(messages, []);
  });

  test('a flood of 32 MiB of pings to a client whose pongs are not read leaves the client a bounded buffer', { timeout: 60_000 }, async (t) => {
    const s = scoped(t);
    const block = Buffer.concat(Array.from({ length: 1024 }, () => buildFrame({ opcode: 9, payload: randomBytes(125) })));
    const port = await maliciousServer(s, null, async (socket) => {
      socket.pause(); // never reads the pongs
      for (let i = 0; i < 256; i++) {
        if (!socket.write(block)) await nextEvent(socket, 'drain', 30_000, 'the client to read the flood');
      }
      socket.write(buildFrame({ opcode: 1, payload: 'after the flood' }));
    });
    const client = s.baroClient(`ws://127.0.0.1:${port}`);
    const after = nextDomEvent<MessageEvent>(client, 'message', 50_000, 'the message after the flood');
    assert.equal((await after).data, 'after the flood');
    // Everything before that message, 262,144 pings, has been read and answered (or not).
    assert.ok(client.bufferedAmount <= 64 * KiB, `the client buffered ${client.bufferedAmount} bytes of pongs`);
    assert.equal(client.readyState, client.OPEN);
  });
});

/**
 * A TCP server that answers any upgrade with a 101 (with `extensions`, if any), then runs `attack`
 * on the socket. Closed with the test.
 */
async function maliciousServer(s: Scope, extensions: string | null, attack: (socket: Socket) => void | Promise<void>): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      const key = /sec-websocket-key:\s*(\S+)/i.exec(head)?.[1] ?? '';
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Accept: ${acceptFor(key)}\r\n${extensions ? `Sec-WebSocket-Extensions: ${extensions}\r\n` : ''}\r\n`,
      );
      void Promise.resolve(attack(socket)).catch(() => socket.destroy());
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  s.defer(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}
