/**
 * Interoperability over real sockets: the `ws` client against baro's server, baro's client against
 * the `ws` server, each with permessage-deflate on and off; then the baro client's browser API.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { constants as zlib, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { WebSocket as WsClient, WebSocketServer as WsServer } from 'ws';
import { WebSocket as BaroClient } from './client.js';
import type { CloseEvent, ErrorEvent } from './client-events.js';
import type { WebSocketConnection } from './connection.js';
import type { WebSocketServer } from './server.js';
import { ReadyState } from './ready-state.js';
import { Scope, nextConnection, scoped } from './test-support/scope.js';
import { assertSameBytes, binaryPayload, textPayload } from './test-support/payloads.js';
import { nextDomEvent, nextEvent, sleep } from './test-support/wait.js';

const MiB = 1024 * 1024;
const SIZES = [0, 125, 126, 65535, 65536, 16 * MiB];
/** Every code an endpoint may put in a close frame, at the edges of each range. */
const VALID_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999];
const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const T = { timeout: 5000 };
const T_BIG = { timeout: 20_000 };

function sizeName(size: number): string {
  return size >= MiB ? `${size / MiB} MiB` : `${size} B`;
}

/** What the ws client gets back for one message. */
async function wsRoundTrip(client: WsClient, data: string | Buffer, ms: number): Promise<{ data: Buffer; isBinary: boolean }> {
  const reply = nextEvent<[Buffer, boolean]>(client, 'message', ms, 'the echo');
  client.send(data);
  const [received, isBinary] = await reply;
  return { data: received, isBinary };
}

async function baroRoundTrip(client: BaroClient, data: string | ArrayBufferView, ms: number): Promise<unknown> {
  const reply = nextDomEvent<MessageEvent>(client, 'message', ms, 'the echo');
  client.send(data);
  return (await reply).data;
}

/** Rejects if the baro client closes before the test is done, naming the code and any error. */
function closedEarly(client: BaroClient): Promise<never> {
  return new Promise<never>((_, reject) => {
    let error = '';
    client.addEventListener('error', (event) => (error = (event as ErrorEvent).message));
    client.addEventListener('close', (event) => {
      const { code, reason } = event as CloseEvent;
      reject(new Error(`the baro client closed early: code ${code} ${JSON.stringify(reason)}${error ? `, error: ${error}` : ''}`));
    });
  });
}

function closeEventOf(client: WsClient, ms = 3000): Promise<[number, Buffer]> {
  return nextEvent<[number, Buffer]>(client, 'close', ms, "the ws client's 'close'");
}

function serverClose(connection: WebSocketConnection, ms = 3000): Promise<[number, string]> {
  return nextEvent<[number, string]>(connection, 'close', ms, "the server connection's 'close'");
}

/** Deflates one whole message as RFC 7692 §7.2.1 says: sync flush, trailer removed. */
function deflateMessage(data: Buffer): Buffer {
  const out = deflateRawSync(data, { finishFlush: zlib.Z_SYNC_FLUSH });
  assert.ok(out.subarray(-4).equals(TRAILER));
  return out.subarray(0, -4);
}

function inflateMessage(data: Buffer): Buffer {
  return inflateRawSync(Buffer.concat([data, TRAILER]), { finishFlush: zlib.Z_SYNC_FLUSH });
}

for (const deflate of [false, true]) {
  const mode = `permessage-deflate ${deflate ? 'on' : 'off'}`;

  describe(`ws client ↔ baro server (${mode})`, () => {
    const scope = new Scope();
    let url = '';
    let port = 0;
    let client: WsClient;
    let serverSide: WebSocketConnection;
    let baro: WebSocketServer;

    before(async () => {
      // The echoes go up to 16 MiB: past the 4 MiB a deflate connection allows by default.
      ({ url, port, server: baro } = await scope.baroServer({ echo: true, perMessageDeflate: deflate, maxPayload: 64 * MiB }));
      const accepted = nextConnection(baro);
      client = await scope.wsClient(url, { perMessageDeflate: deflate });
      serverSide = (await accepted).connection;
    });
    after(() => scope.dispose());

    test('the extension is agreed exactly when both ends offer it', T, () => {
      assert.equal(client.extensions.includes('permessage-deflate'), deflate);
      assert.equal(serverSide.extensions.includes('permessage-deflate'), deflate);
    });

    for (const size of SIZES) {
      const big = size > MiB;
      // The largest messages get a connection of their own, so a failure there cannot cascade.
      const clientFor = async (t: TestContext) => (big ? scoped(t).wsClient(url, { perMessageDeflate: deflate }) : client);
      test(`text echo of ${sizeName(size)}`, big ? T_BIG : T, async (t) => {
        const text = textPayload(size, size + 1);
        const reply = await wsRoundTrip(await clientFor(t), text, big ? 15_000 : 3000);
        assert.equal(reply.isBinary, false);
        assertSameBytes(reply.data, Buffer.from(text, 'utf8'));
      });
      test(`binary echo of ${sizeName(size)}`, big ? T_BIG : T, async (t) => {
        const bytes = binaryPayload(size, size + 2);
        const reply = await wsRoundTrip(await clientFor(t), bytes, big ? 15_000 : 3000);
        assert.equal(reply.isBinary, true);
        assertSameBytes(reply.data, bytes);
      });
    }

    test('a fragmented text message from ws arrives whole', T, async () => {
      const parts = ['Hel', 'lo, ', 'wörld €', ''];
      const received = nextEvent<[Buffer, boolean]>(serverSide, 'message', 3000, 'the server-side message');
      const echoed = nextEvent<[Buffer, boolean]>(client, 'message', 3000, 'the echo');
      parts.forEach((part, i) => client.send(part, { fin: i === parts.length - 1 }));
      const [data, isBinary] = await received;
      assert.equal(isBinary, false);
      assert.equal(data.toString('utf8'), parts.join(''));
      assert.equal((await echoed)[0].toString('utf8'), parts.join(''));
    });

    test('a fragmented binary message from ws, large enough to be compressed, arrives whole', T, async () => {
      const parts = [binaryPayload(3000, 7), Buffer.alloc(2000, 0x41), binaryPayload(70_000, 8)];
      const received = nextEvent<[Buffer, boolean]>(serverSide, 'message', 3000, 'the server-side message');
      const echoed = nextEvent<[Buffer, boolean]>(client, 'message', 3000, 'the echo');
      parts.forEach((part, i) => client.send(part, { fin: i === parts.length - 1 }));
      const [data, isBinary] = await received;
      assert.equal(isBinary, true);
      assertSameBytes(data, Buffer.concat(parts));
      assertSameBytes((await echoed)[0], Buffer.concat(parts), 'echo');
    });

    test('a fragmented message from a raw socket, with a ping in between and a character split across frames, arrives whole', T, async (t) => {
      const s = scoped(t);
      const accepted = nextConnection(baro);
      const raw = await s.rawOpen(port, { headers: deflate ? { 'Sec-WebSocket-Extensions': 'permessage-deflate' } : {} });
      const { connection } = await accepted;
      const received = nextEvent<[Buffer, boolean]>(connection, 'message', 3000, 'the server-side message');
      const euro = Buffer.from('€'); // e2 82 ac
      raw.sendFrame({ opcode: 0x1, fin: false, payload: Buffer.concat([Buffer.from('price: '), euro.subarray(0, 1)]) });
      raw.sendFrame({ opcode: 0x9, payload: 'in-between' });
      raw.sendFrame({ opcode: 0x0, fin: false, payload: euro.subarray(1) });
      raw.sendFrame({ opcode: 0x0, fin: false, payload: new Uint8Array(0) });
      raw.sendFrame({ opcode: 0x0, fin: true, payload: '42' });
      const pong = await raw.nextFrame();
      assert.equal(pong.opcode, 0xa);
      assert.equal(pong.payload.toString(), 'in-between');
      const [data, isBinary] = await received;
      assert.equal(isBinary, false);
      assert.equal(data.toString('utf8'), 'price: €42');
      const echo = await raw.nextFrame();
      assert.equal(echo.opcode, 0x1);
      assert.equal(echo.fin, true);
      assert.equal(echo.payload.toString('utf8'), 'price: €42');
    });

    if (deflate) {
      test('a compressed message fragmented by a raw socket (RSV1 on the first frame only) is inflated', T, async (t) => {
        const s = scoped(t);
        const accepted = nextConnection(baro);
        const raw = await s.rawOpen(port, { headers: { 'Sec-WebSocket-Extensions': 'permessage-deflate' } });
        const { connection } = await accepted;
        const message = Buffer.from(textPayload(5000, 99), 'utf8');
        const compressed = deflateMessage(message);
        const third = Math.ceil(compressed.length / 3);
        const received = nextEvent<[Buffer, boolean]>(connection, 'message', 3000, 'the server-side message');
        raw.sendFrame({ opcode: 0x1, fin: false, rsv1: true, payload: compressed.subarray(0, third) });
        raw.sendFrame({ opcode: 0x0, fin: false, payload: compressed.subarray(third, 2 * third) });
        raw.sendFrame({ opcode: 0x0, fin: true, payload: compressed.subarray(2 * third) });
        const [data, isBinary] = await received;
        assert.equal(isBinary, false);
        assertSameBytes(data, message);
        // The echo is over the threshold, so it comes back compressed.
        const echo = await raw.nextFrame();
        assert.equal(echo.rsv1, true);
        assertSameBytes(inflateMessage(echo.payload), message, 'inflated echo');
      });
    }

    test("ws's ping gets baro's pong with the same payload, and the server sees the ping", T, async () => {
      for (const payload of [Buffer.alloc(0), Buffer.from('hello'), binaryPayload(125, 3)]) {
        const pong = nextEvent<[Buffer]>(client, 'pong', 3000, 'the pong');
        const ping = nextEvent<[Buffer]>(serverSide, 'ping', 3000, "the server's 'ping'");
        client.ping(payload);
        assertSameBytes((await pong)[0], payload, 'pong payload');
        assertSameBytes((await ping)[0], payload, 'ping payload seen by the server');
      }
    });

    test("baro's ping gets ws's pong and a 'pong' event", T, async () => {
      for (const payload of [Buffer.alloc(0), Buffer.from('from baro'), binaryPayload(125, 4)]) {
        const pong = nextEvent<[Buffer]>(serverSide, 'pong', 3000, "the server's 'pong'");
        const ping = nextEvent<[Buffer]>(client, 'ping', 3000, "the client's 'ping'");
        assert.equal(serverSide.ping(payload), true);
        assertSameBytes((await ping)[0], payload, 'ping payload seen by ws');
        assertSameBytes((await pong)[0], payload, 'pong payload');
      }
    });

    test('a client-initiated close: the server sees code and reason, the client its answer', T, async (t) => {
      const s = scoped(t);
      const accepted = nextConnection(baro);
      const ws = await s.wsClient(url, { perMessageDeflate: deflate });
      const { connection } = await accepted;
      const onServer = serverClose(connection);
      const onClient = closeEventOf(ws);
      ws.close(4000, 'client says bye');
      assert.deepEqual(await onServer, [4000, 'client says bye']);
      const [code] = await onClient;
      assert.equal(code, 4000);
      assert.equal(connection.readyState, ReadyState.CLOSED);
    });

    test('a server-initiated close: the client sees code and reason', T, async (t) => {
      const s = scoped(t);
      const accepted = nextConnection(baro);
      const ws = await s.wsClient(url, { perMessageDeflate: deflate });
      const { connection } = await accepted;
      const onServer = serverClose(connection);
      const onClient = closeEventOf(ws);
      connection.close(4100, 'server says bye');
      assert.equal(connection.readyState, ReadyState.CLOSING);
      const [code, reason] = await onClient;
      assert.equal(code, 4100);
      assert.equal(reason.toString(), 'server says bye');
      const [serverCode] = await onServer;
      assert.equal(serverCode, 4100);
    });

    test('a server-initiated close after pending compressed sends delivers them first', T, async (t) => {
      const s = scoped(t);
      const accepted = nextConnection(baro);
      const ws = await s.wsClient(url, { perMessageDeflate: deflate });
      const { connection } = await accepted;
      const messages: Buffer[] = [];
      ws.on('message', (data: Buffer) => messages.push(data));
      const onClient = closeEventOf(ws);
      const big = Buffer.from(textPayload(200_000, 5));
      connection.send(big);
      connection.send('after');
      connection.close(1000, 'done');
      const [code] = await onClient;
      assert.equal(code, 1000);
      assert.equal(messages.length, 2);
      assertSameBytes(messages[0], big);
      assert.equal(messages[1].toString(), 'after');
    });

    test('every valid close code round-trips both ways', { timeout: 15_000 }, async (t) => {
      const s = scoped(t);
      for (const code of VALID_CODES) {
        // Client → server.
        let accepted = nextConnection(baro);
        let ws = await s.wsClient(url, { perMessageDeflate: deflate });
        let { connection } = await accepted;
        let onServer = serverClose(connection);
        let onClient = closeEventOf(ws);
        ws.close(code, `code ${code}`);
        assert.deepEqual(await onServer, [code, `code ${code}`], `client → server ${code}`);
        assert.equal((await onClient)[0], code);
        // Server → client.
        accepted = nextConnection(baro);
        ws = await s.wsClient(url, { perMessageDeflate: deflate });
        ({ connection } = await accepted);
        onServer = serverClose(connection);
        onClient = closeEventOf(ws);
        connection.close(code, `code ${code}`);
        const [clientCode, reason] = await onClient;
        assert.equal(clientCode, code, `server → client ${code}`);
        assert.equal(reason.toString(), `code ${code}`);
        assert.equal((await onServer)[0], code);
      }
    });

    for (const bad of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535]) {
      test(`close code ${bad} from a raw socket is answered with 1002`, T, async (t) => {
        const s = scoped(t);
        const accepted = nextConnection(baro);
        const raw = await s.rawOpen(port);
        const { connection } = await accepted;
        const onServer = serverClose(connection);
        const payload = Buffer.alloc(2);
        payload.writeUInt16BE(bad);
        raw.sendFrame({ opcode: 0x8, payload });
        const answer = await raw.closeFrame();
        assert.equal(answer.code, 1002);
        assert.equal((await onServer)[0], 1002);
        await raw.waitEnded();
      });
    }

    test('a TCP drop without a close frame is 1006 on the server', T, async (t) => {
      const s = scoped(t);
      const accepted = nextConnection(baro);
      const raw = await s.rawOpen(port);
      const { connection } = await accepted;
      const onServer = serverClose(connection);
      raw.destroy();
      assert.deepEqual(await onServer, [1006, '']);
      assert.equal(connection.readyState, ReadyState.CLOSED);
    });

    test("ws's terminate() is 1006 on the server", T, async (t) => {
      const s = scoped(t);
      const accepted = nextConnection(baro);
      const ws = await s.wsClient(url, { perMessageDeflate: deflate });
      const { connection } = await accepted;
      const onServer = serverClose(connection);
      ws.terminate();
      assert.equal((await onServer)[0], 1006);
    });

    test("the server's terminate() is 1006 on both ends, and later sends return false", T, async (t) => {
      const s = scoped(t);
      const accepted = nextConnection(baro);
      const ws = await s.wsClient(url, { perMessageDeflate: deflate });
      const { connection } = await accepted;
      const onServer = serverClose(connection);
      const onClient = closeEventOf(ws);
      connection.terminate();
      assert.equal((await onClient)[0], 1006);
      assert.equal((await onServer)[0], 1006);
      assert.equal(connection.readyState, ReadyState.CLOSED);
      assert.equal(connection.send('too late'), false);
      assert.equal(connection.ping(), false);
    });
  });

  describe(`baro client ↔ ws server (${mode})`, () => {
    const scope = new Scope();
    let url = '';
    let client: BaroClient;
    let serverSide: WsClient;
    let wsServer: WsServer;

    before(async () => {
      ({ url, server: wsServer } = await scope.wsServer({ echo: true, perMessageDeflate: deflate, maxPayload: 64 * MiB }));
      const accepted = nextEvent<[WsClient]>(wsServer, 'connection', 3000, "the ws server's 'connection'");
      client = await scope.baroClientOpen(url, [], { perMessageDeflate: deflate, maxPayload: 64 * MiB });
      client.binaryType = 'nodebuffer';
      [serverSide] = await accepted;
    });
    after(() => scope.dispose());

    test('the extension is agreed exactly when both ends offer it', T, () => {
      assert.equal(client.extensions.includes('permessage-deflate'), deflate);
      assert.equal(serverSide.extensions.includes('permessage-deflate'), deflate);
    });

    for (const size of SIZES) {
      const big = size > MiB;
      const clientFor = async (t: TestContext) => {
        if (!big) return client;
        const own = await scoped(t).baroClientOpen(url, [], { perMessageDeflate: deflate, maxPayload: 64 * MiB });
        own.binaryType = 'nodebuffer';
        return own;
      };
      test(`text echo of ${sizeName(size)}`, big ? T_BIG : T, async (t) => {
        const text = textPayload(size, size + 3);
        const own = await clientFor(t);
        const closed = big ? closedEarly(own) : new Promise<never>(() => {});
        const reply = await Promise.race([baroRoundTrip(own, text, big ? 15_000 : 3000), closed]);
        assert.equal(typeof reply, 'string');
        assert.ok((reply as string) === text, `text differs: got ${(reply as string).length} chars, want ${text.length}`);
      });
      test(`binary echo of ${sizeName(size)}`, big ? T_BIG : T, async (t) => {
        const bytes = binaryPayload(size, size + 4);
        const own = await clientFor(t);
        const closed = big ? closedEarly(own) : new Promise<never>(() => {});
        const reply = await Promise.race([baroRoundTrip(own, bytes, big ? 15_000 : 3000), closed]);
        assert.ok(Buffer.isBuffer(reply));
        assertSameBytes(reply, bytes);
      });
    }

    test('a fragmented message from ws arrives whole at the baro client', T, async () => {
      const textParts = ['frag', 'ment', 'ed ✓', ''];
      const binaryParts = [binaryPayload(2000, 11), Buffer.alloc(0), binaryPayload(70_000, 12)];
      const messages: unknown[] = [];
      const got = new Promise<void>((resolve) => {
        const onMessage = (event: Event) => {
          messages.push((event as MessageEvent).data);
          if (messages.length === 2) {
            client.removeEventListener('message', onMessage);
            resolve();
          }
        };
        client.addEventListener('message', onMessage);
      });
      textParts.forEach((part, i) => serverSide.send(part, { fin: i === textParts.length - 1 }));
      binaryParts.forEach((part, i) => serverSide.send(part, { fin: i === binaryParts.length - 1 }));
      await Promise.race([got, sleep(3000).then(() => assert.fail(`only ${messages.length} messages arrived`))]);
      assert.equal(messages[0], textParts.join(''));
      assertSameBytes(messages[1] as Buffer, Buffer.concat(binaryParts));
    });

    test("ws's ping gets the baro client's pong with the same payload", T, async () => {
      for (const payload of [Buffer.alloc(0), Buffer.from('are you there'), binaryPayload(125, 5)]) {
        const pong = nextEvent<[Buffer]>(serverSide, 'pong', 3000, "the ws server's 'pong'");
        serverSide.ping(payload);
        assertSameBytes((await pong)[0], payload, 'pong payload');
      }
    });

    test("close() from the baro client: ws sees code and reason, the client a clean close", T, async (t) => {
      const s = scoped(t);
      for (const [code, reason] of [[1000, 'bye'], [3000, ''], [4999, 'last']] as const) {
        const accepted = nextEvent<[WsClient]>(wsServer, 'connection', 3000, "the ws server's 'connection'");
        const baro = await s.baroClientOpen(url, [], { perMessageDeflate: deflate });
        const [ws] = await accepted;
        const onServer = nextEvent<[number, Buffer]>(ws, 'close', 3000, "the ws server's 'close'");
        const onClient = nextDomEvent<CloseEvent>(baro, 'close', 3000);
        baro.close(code, reason);
        assert.equal(baro.readyState, ReadyState.CLOSING);
        const [serverCode, serverReason] = await onServer;
        assert.equal(serverCode, code);
        assert.equal(serverReason.toString(), reason);
        const event = await onClient;
        assert.equal(event.code, code);
        assert.equal(event.wasClean, true);
        assert.equal(baro.readyState, ReadyState.CLOSED);
      }
    });

    test('every valid close code from the ws server reaches the baro client with its reason', { timeout: 15_000 }, async (t) => {
      const s = scoped(t);
      for (const code of VALID_CODES) {
        const accepted = nextEvent<[WsClient]>(wsServer, 'connection', 3000, "the ws server's 'connection'");
        const baro = await s.baroClientOpen(url, [], { perMessageDeflate: deflate });
        const [ws] = await accepted;
        const onClient = nextDomEvent<CloseEvent>(baro, 'close', 3000);
        ws.close(code, `code ${code}`);
        const event = await onClient;
        assert.equal(event.code, code);
        assert.equal(event.reason, `code ${code}`);
        assert.equal(event.wasClean, true);
      }
    });

    test("the ws server's terminate() is an unclean 1006 at the baro client", T, async (t) => {
      const s = scoped(t);
      const accepted = nextEvent<[WsClient]>(wsServer, 'connection', 3000, "the ws server's 'connection'");
      const baro = await s.baroClientOpen(url, [], { perMessageDeflate: deflate });
      const [ws] = await accepted;
      const onClient = nextDomEvent<CloseEvent>(baro, 'close', 3000);
      ws.terminate();
      const event = await onClient;
      assert.equal(event.code, 1006);
      assert.equal(event.wasClean, false);
      assert.equal(baro.readyState, ReadyState.CLOSED);
    });
  });
}

describe('baro client: the browser API', () => {
  const scope = new Scope();
  let url = '';
  let baro: WebSocketServer;

  before(async () => {
    ({ url, server: baro } = await scope.baroServer({ echo: true, protocols: ['chat.v2', 'chat.v1'], allowedOrigins: ['https://good.example'] }));
  });
  after(() => scope.dispose());

  test('readyState goes CONNECTING → OPEN → CLOSING → CLOSED, with on* handlers and listeners in order', T, async (t) => {
    const s = scoped(t);
    const client = s.baroClient(url);
    assert.equal(client.readyState, BaroClient.CONNECTING);
    assert.equal(client.readyState, client.CONNECTING);
    assert.throws(() => client.send('too early'), (error: unknown) => error instanceof DOMException && error.name === 'InvalidStateError');
    const log: string[] = [];
    const closed = new Promise<CloseEvent>((resolve) => {
      client.onopen = () => {
        log.push(`onopen ${client.readyState}`);
        client.send('hello');
      };
      client.addEventListener('open', () => log.push('open listener'));
      client.onmessage = (event) => {
        log.push(`onmessage ${String(event.data)}`);
        client.close(1000, 'done');
        log.push(`after close() ${client.readyState}`);
      };
      client.addEventListener('message', () => log.push('message listener'));
      client.onerror = () => log.push('onerror');
      client.onclose = (event) => {
        log.push(`onclose ${client.readyState}`);
        resolve(event);
      };
    });
    const event = await Promise.race([closed, sleep(3000).then(() => assert.fail(`no close; log: ${log.join(', ')}`))]);
    assert.deepEqual(log, ['onopen 1', 'open listener', 'onmessage hello', 'after close() 2', 'message listener', 'onclose 3']);
    assert.equal(event.code, 1000);
    assert.equal(event.wasClean, true);
    assert.equal(client.readyState, BaroClient.CLOSED);
    // Further sends after closing are silently dropped, as in browsers.
    assert.doesNotThrow(() => client.send('ignored'));
  });

  test('an on* handler is replaced by assignment and removed by null; listeners stay', T, async (t) => {
    const s = scoped(t);
    const client = await s.baroClientOpen(url);
    const calls: string[] = [];
    const first = () => calls.push('first');
    const second = () => calls.push('second');
    client.onmessage = first;
    client.onmessage = second;
    assert.equal(client.onmessage, second);
    client.addEventListener('message', () => calls.push('listener'));
    await baroRoundTrip(client, 'one', 3000);
    await sleep(10);
    client.onmessage = null;
    assert.equal(client.onmessage, null);
    await baroRoundTrip(client, 'two', 3000);
    await sleep(10);
    assert.deepEqual(calls, ['second', 'listener', 'listener']);
  });

  for (const binaryType of ['blob', 'arraybuffer', 'nodebuffer'] as const) {
    test(`binaryType '${binaryType}' decides the type of binary messages; text stays a string`, T, async (t) => {
      const s = scoped(t);
      const client = await s.baroClientOpen(url);
      if (binaryType === 'blob') assert.equal(client.binaryType, 'blob', 'the default');
      client.binaryType = binaryType;
      const bytes = binaryPayload(300, 21);
      const data = await baroRoundTrip(client, new Uint8Array(bytes), 3000);
      if (binaryType === 'blob') {
        assert.ok(data instanceof Blob, 'a Blob');
        assertSameBytes(Buffer.from(await data.arrayBuffer()), bytes);
      } else if (binaryType === 'arraybuffer') {
        assert.ok(data instanceof ArrayBuffer, 'an ArrayBuffer');
        assertSameBytes(new Uint8Array(data), bytes);
      } else {
        assert.ok(Buffer.isBuffer(data), 'a Buffer');
        assertSameBytes(data, bytes);
      }
      assert.equal(await baroRoundTrip(client, 'text', 3000), 'text');
    });
  }

  for (const [offered, expected] of [
    [['chat.v1', 'chat.v2'], 'chat.v2'],
    [['chat.v1'], 'chat.v1'],
    ['chat.v2', 'chat.v2'],
    [[], ''],
  ] as const) {
    test(`subprotocol: offering ${JSON.stringify(offered)} gets ${JSON.stringify(expected)}`, T, async (t) => {
      const s = scoped(t);
      const accepted = nextConnection(baro);
      const client = s.baroClient(url, typeof offered === 'string' ? offered : [...offered]);
      assert.equal(client.protocol, '');
      await nextDomEvent(client, 'open', 3000);
      assert.equal(client.protocol, expected);
      assert.equal((await accepted).connection.protocol, expected);
    });
  }

  test('subprotocol: offering only ones the server does not speak fails the connection (error, then close 1006), as in browsers', T, async (t) => {
    const s = scoped(t);
    const client = s.baroClient(url, ['other']);
    const events: string[] = [];
    const done = new Promise<CloseEvent>((resolve) => {
      client.onopen = () => events.push('open');
      client.onerror = (event: ErrorEvent) => events.push(`error: ${event.message}`);
      client.onclose = (event) => resolve(event);
    });
    const event = await Promise.race([done, sleep(3000).then(() => assert.fail('no close event'))]);
    assert.deepEqual(events, ['error: invalid handshake response: the server confirmed none of the offered subprotocols']);
    assert.equal(event.code, 1006);
    assert.equal(client.protocol, '');
  });

  test('close() validates its arguments before anything else', T, async (t) => {
    const s = scoped(t);
    const accepted = nextConnection(baro);
    const client = await s.baroClientOpen(url);
    const { connection } = await accepted;
    const isDom = (name: string) => (error: unknown) => error instanceof DOMException && error.name === name;
    for (const code of [1001, 1002, 1005, 1006, 999, 2999, 5000]) {
      assert.throws(() => client.close(code), isDom('InvalidAccessError'), `close(${code})`);
    }
    assert.throws(() => client.close(1000, 'x'.repeat(124)), isDom('SyntaxError'));
    assert.throws(() => client.close(1000, 'é'.repeat(62)), isDom('SyntaxError'), '124 bytes in 62 characters');
    assert.equal(client.readyState, BaroClient.OPEN, 'still open after refused calls');
    const onServer = serverClose(connection);
    const reason = 'é'.repeat(61) + 'x'; // 123 bytes: the most allowed
    client.close(3000, reason);
    assert.deepEqual(await onServer, [3000, reason]);
  });

  test('a refused TCP connection: error, then close 1006', T, async (t) => {
    const s = scoped(t);
    const probe = createNetServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const client = s.baroClient(`ws://127.0.0.1:${port}/`);
    const events: string[] = [];
    const done = new Promise<CloseEvent>((resolve) => {
      client.onerror = (event: ErrorEvent) => events.push(`error ${client.readyState} ${event.error instanceof Error}`);
      client.onclose = (event) => {
        events.push('close');
        resolve(event);
      };
    });
    const event = await Promise.race([done, sleep(3000).then(() => assert.fail('no close event'))]);
    assert.deepEqual(events, ['error 3 true', 'close']);
    assert.equal(event.code, 1006);
    assert.equal(event.wasClean, false);
  });

  test('a 403 answer: error, then close 1006, and no connection on the server', T, async (t) => {
    const s = scoped(t);
    let connections = 0;
    const count = () => connections++;
    baro.on('connection', count);
    t.after(() => baro.off('connection', count));
    const client = s.baroClient(url, [], { origin: 'https://evil.example' });
    const events: string[] = [];
    const done = new Promise<CloseEvent>((resolve) => {
      client.onerror = (event: ErrorEvent) => events.push(`error: ${event.message}`);
      client.onclose = (event) => {
        events.push('close');
        resolve(event);
      };
    });
    const event = await Promise.race([done, sleep(3000).then(() => assert.fail('no close event'))]);
    assert.equal(events.length, 2);
    assert.match(events[0], /^error: .*403/);
    assert.equal(events[1], 'close');
    assert.equal(event.code, 1006);
    assert.equal(event.wasClean, false);
    assert.equal(connections, 0);
    // The allowed origin still gets in.
    await s.baroClientOpen(url, [], { origin: 'https://good.example' });
  });

  test('the baro client talks to the baro server with deflate (the default)', T, async (t) => {
    const s = scoped(t);
    const { url: deflateUrl } = await s.baroServer({ echo: true, perMessageDeflate: true });
    const client = await s.baroClientOpen(deflateUrl);
    client.binaryType = 'nodebuffer';
    assert.match(client.extensions, /permessage-deflate/);
    const text = textPayload(100_000, 31);
    assert.equal(await baroRoundTrip(client, text, 3000), text);
    const bytes = binaryPayload(100_000, 32);
    assertSameBytes((await baroRoundTrip(client, bytes, 3000)) as Buffer, bytes);
  });
});
