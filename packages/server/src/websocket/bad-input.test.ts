/**
 * A baro server against a raw TCP client that breaks the rules: bad handshakes get the right HTTP
 * status, bad frames the right close code (read from the bytes on the wire), slow handshakes are cut
 * at `handshakeTimeout`, and after each of them a good client is still served.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import type { RawFrame } from '@baro/testing';
import type { WebSocketServer } from './server.js';
import { Scope, assertEchoes, nextConnection, scoped } from './test-support/scope.js';
import { newKey, upgradeHead, type RawClient } from './test-support/raw-client.js';
import { binaryPayload } from './test-support/payloads.js';
import { nextEvent, until } from './test-support/wait.js';

const MAX_PAYLOAD = 1000;
const MAX_FRAGMENTS = 8;
const HANDSHAKE_TIMEOUT = 500;
const T = { timeout: 5000 };

describe('bad input from a raw TCP client', () => {
  const scope = new Scope();
  let server: WebSocketServer;
  let port = 0;
  let url = '';

  before(async () => {
    ({ server, port, url } = await scope.baroServer({
      echo: true,
      maxPayload: MAX_PAYLOAD,
      maxFragments: MAX_FRAGMENTS,
      handshakeTimeout: HANDSHAKE_TIMEOUT,
      // Explicit, so these tests do not depend on how defaults are merged.
      closeTimeout: 2000,
      // An authentication hook that never answers, for one path only.
      authenticate: (request: IncomingMessage) => (request.url === '/never' ? new Promise<boolean>(() => {}) : true),
    }));
  });
  after(() => scope.dispose());

  /** Sends a request head and returns the response; the server must end the connection after it. */
  async function refusal(s: Scope, head: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const raw = await s.raw(port);
    raw.write(head);
    const response = await raw.readResponse(3000);
    await raw.waitEnded(3000);
    return response;
  }

  describe('handshake refusals', () => {
    test('Sec-WebSocket-Version: 8 → 426 naming version 13', T, async (t) => {
      const s = scoped(t);
      const response = await refusal(s, upgradeHead(port, { headers: { 'Sec-WebSocket-Version': '8' } }));
      assert.equal(response.status, 426);
      assert.equal(response.headers['sec-websocket-version'], '13');
      await assertEchoes(s, url);
    });

    test('no Sec-WebSocket-Version → 426 naming version 13', T, async (t) => {
      const s = scoped(t);
      const response = await refusal(s, upgradeHead(port, { headers: { 'Sec-WebSocket-Version': null } }));
      assert.equal(response.status, 426);
      assert.equal(response.headers['sec-websocket-version'], '13');
      await assertEchoes(s, url);
    });

    const keys: [string, string | null][] = [
      ['missing', null],
      ['15 bytes', Buffer.alloc(15, 1).toString('base64')],
      ['17 bytes', Buffer.alloc(17, 1).toString('base64')],
      ['not base64', 'this is not base64!!'],
      ['empty', ''],
    ];
    for (const [what, key] of keys) {
      test(`Sec-WebSocket-Key ${what} → 400`, T, async (t) => {
        const s = scoped(t);
        const response = await refusal(s, upgradeHead(port, { headers: { 'Sec-WebSocket-Key': key } }));
        assert.equal(response.status, 400);
        await assertEchoes(s, url);
      });
    }

    test('two Sec-WebSocket-Key headers → 400', T, async (t) => {
      const s = scoped(t);
      const head = upgradeHead(port).replace('\r\n\r\n', `\r\nSec-WebSocket-Key: ${newKey()}\r\n\r\n`);
      const response = await refusal(s, head);
      assert.equal(response.status, 400);
      await assertEchoes(s, url);
    });

    test('Upgrade: foo → 400', T, async (t) => {
      const s = scoped(t);
      const response = await refusal(s, upgradeHead(port, { headers: { Upgrade: 'foo' } }));
      assert.equal(response.status, 400);
      assert.match(response.body, /Upgrade/);
      await assertEchoes(s, url);
    });

    test('POST → 400', T, async (t) => {
      const s = scoped(t);
      const response = await refusal(s, upgradeHead(port, { method: 'POST' }));
      assert.equal(response.status, 400);
      assert.match(response.body, /POST/);
      await assertEchoes(s, url);
    });

    test('no Host → 400', T, async (t) => {
      const s = scoped(t);
      const response = await refusal(s, upgradeHead(port, { headers: { Host: null } }));
      assert.equal(response.status, 400);
      await assertEchoes(s, url);
    });

    test('a subprotocol list that repeats a name → 400', T, async (t) => {
      const s = scoped(t);
      const response = await refusal(s, upgradeHead(port, { headers: { 'Sec-WebSocket-Protocol': 'chat, chat' } }));
      assert.equal(response.status, 400);
      await assertEchoes(s, url);
    });

    test('a plain GET without upgrade headers → 426', T, async (t) => {
      const s = scoped(t);
      const response = await refusal(s, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      assert.equal(response.status, 426);
      await assertEchoes(s, url);
    });
  });

  describe('slow handshakes', () => {
    test('half a request head, then silence: the server closes the socket after handshakeTimeout', T, async (t) => {
      const s = scoped(t);
      const raw = await s.raw(port);
      const started = Date.now();
      raw.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnec`);
      // Node checks header timeouts every connectionsCheckingInterval (≤ handshakeTimeout), so up to
      // about twice the timeout, plus scheduling slack.
      await raw.waitEnded(4 * HANDSHAKE_TIMEOUT);
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= HANDSHAKE_TIMEOUT - 50, `closed after ${elapsed} ms, before the timeout`);
      assert.ok(elapsed <= 2 * HANDSHAKE_TIMEOUT + 500, `closed after ${elapsed} ms`);
      await assertEchoes(s, url);
    });

    test('an authenticate hook that never answers → 408 after handshakeTimeout', T, async (t) => {
      const s = scoped(t);
      const raw = await s.raw(port);
      const started = Date.now();
      raw.write(upgradeHead(port, { path: '/never' }));
      const response = await raw.readResponse(4 * HANDSHAKE_TIMEOUT);
      const elapsed = Date.now() - started;
      assert.equal(response.status, 408);
      assert.ok(elapsed >= HANDSHAKE_TIMEOUT - 50, `answered after ${elapsed} ms, before the timeout`);
      assert.ok(elapsed <= HANDSHAKE_TIMEOUT + 500, `answered after ${elapsed} ms`);
      await raw.waitEnded(2000);
      assert.equal(server.clients.size, 0, 'no connection was made');
      await assertEchoes(s, url);
    });
  });

  describe('bad frames: the close code on the wire', () => {
    /** Opens a raw connection, sends `frames`, and returns the code of the server's close frame. */
    async function closeCodeFor(s: Scope, frames: (RawFrame | Uint8Array)[]): Promise<{ wire: number; event: number; skipped: number }> {
      const accepted = nextConnection(server);
      const raw = await s.rawOpen(port);
      const { connection } = await accepted;
      const closed = nextEvent<[number, string]>(connection, 'close', 3000, "the server connection's 'close'");
      for (const frame of frames) {
        if (frame instanceof Uint8Array) raw.write(frame);
        else raw.sendFrame(frame);
      }
      const answer = await raw.closeFrame(3000);
      await raw.waitEnded(3000);
      const [event] = await closed;
      return { wire: answer.code, event, skipped: answer.skipped.length };
    }

    async function expectClose(s: Scope, frames: (RawFrame | Uint8Array)[], code: number): Promise<void> {
      const { wire, event } = await closeCodeFor(s, frames);
      assert.equal(wire, code, 'close code on the wire');
      assert.equal(event, code, "code of the server's 'close' event");
      await assertEchoes(s, url);
    }

    test(`a message of exactly maxPayload (${MAX_PAYLOAD} B) is echoed`, T, async (t) => {
      const s = scoped(t);
      const raw = await s.rawOpen(port);
      const payload = binaryPayload(MAX_PAYLOAD, 1);
      raw.sendFrame({ opcode: 0x2, payload });
      const echo = await raw.nextFrame();
      assert.equal(echo.opcode, 0x2);
      assert.ok(echo.payload.equals(payload));
    });

    test('a header announcing maxPayload + 1 bytes → 1009 before any payload, and the socket ends', T, async (t) => {
      await expectClose(scoped(t), [{ opcode: 0x2, declaredLength: MAX_PAYLOAD + 1 }], 1009);
    });

    test('a header announcing 2^40 bytes → 1009', T, async (t) => {
      await expectClose(scoped(t), [{ opcode: 0x1, declaredLength: 2n ** 40n }], 1009);
    });

    test('fragments summing to maxPayload + 1 → 1009', T, async (t) => {
      const half = MAX_PAYLOAD / 2;
      await expectClose(
        scoped(t),
        [
          { opcode: 0x2, fin: false, payload: binaryPayload(half, 2) },
          { opcode: 0x0, fin: true, payload: binaryPayload(half + 1, 3) },
        ],
        1009,
      );
    });

    test(`${MAX_FRAGMENTS} fragments (maxFragments) are fine; ${MAX_FRAGMENTS + 1}, even empty, → 1009`, T, async (t) => {
      const s = scoped(t);
      const raw = await s.rawOpen(port);
      for (let i = 0; i < MAX_FRAGMENTS; i++) raw.sendFrame({ opcode: i === 0 ? 0x1 : 0x0, fin: i === MAX_FRAGMENTS - 1, payload: 'ab' });
      const echo = await raw.nextFrame();
      assert.equal(echo.payload.toString(), 'ab'.repeat(MAX_FRAGMENTS));
      const frames: RawFrame[] = [];
      for (let i = 0; i <= MAX_FRAGMENTS; i++) frames.push({ opcode: i === 0 ? 0x1 : 0x0, fin: i === MAX_FRAGMENTS });
      await expectClose(s, frames, 1009);
    });

    test('an unmasked client frame → 1002', T, async (t) => {
      await expectClose(scoped(t), [{ opcode: 0x1, payload: 'plain', mask: undefined }], 1002);
    });

    for (const [what, bytes] of [
      ['0xff', [0xff]],
      ['a lone continuation byte', [0x61, 0x80]],
      ['an overlong "/"', [0xc0, 0xaf]],
      ['a UTF-16 surrogate', [0xed, 0xa0, 0x80]],
      ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
      ['a truncated sequence at the end', [0x61, 0xe2, 0x82]],
    ] as const) {
      test(`a text message with ${what} → 1007`, T, async (t) => {
        await expectClose(scoped(t), [{ opcode: 0x1, payload: Uint8Array.from(bytes) }], 1007);
      });
    }

    test('invalid UTF-8 in the second fragment of a text message → 1007', T, async (t) => {
      await expectClose(
        scoped(t),
        [
          { opcode: 0x1, fin: false, payload: 'valid so far ' },
          { opcode: 0x0, fin: false, payload: Uint8Array.from([0xe2, 0x28, 0xa1]) },
        ],
        1007,
      );
    });

    test('a text message split inside a character across fragments is fine; ending mid-character → 1007', T, async (t) => {
      const s = scoped(t);
      const raw = await s.rawOpen(port);
      raw.sendFrame({ opcode: 0x1, fin: false, payload: Uint8Array.from([0xf0, 0x9f]) });
      raw.sendFrame({ opcode: 0x0, fin: true, payload: Uint8Array.from([0x98, 0x80]) });
      assert.equal((await raw.nextFrame()).payload.toString('utf8'), '😀');
      await expectClose(
        s,
        [
          { opcode: 0x1, fin: false, payload: 'ok ' },
          { opcode: 0x0, fin: true, payload: Uint8Array.from([0xf0, 0x9f]) },
        ],
        1007,
      );
    });

    test('a close frame whose reason is invalid UTF-8 → 1007', T, async (t) => {
      await expectClose(scoped(t), [{ opcode: 0x8, payload: Uint8Array.from([0x03, 0xe8, 0xff, 0xfe]) }], 1007);
    });

    const protocolErrors: [string, RawFrame][] = [
      ['RSV1 without a negotiated extension', { opcode: 0x1, rsv1: true, payload: 'x' }],
      ['RSV2', { opcode: 0x1, rsv2: true, payload: 'x' }],
      ['RSV3', { opcode: 0x2, rsv3: true, payload: 'x' }],
      ['reserved data opcode 0x3', { opcode: 0x3, payload: 'x' }],
      ['reserved control opcode 0xb', { opcode: 0xb }],
      ['a fragmented ping', { opcode: 0x9, fin: false, payload: 'x' }],
      ['a ping of 126 bytes', { opcode: 0x9, payload: new Uint8Array(126) }],
      ['a continuation with no message started', { opcode: 0x0, payload: 'x' }],
      ['a close frame with a 1-byte body', { opcode: 0x8, payload: Uint8Array.from([0x03]) }],
      ['a 64-bit length with its top bit set', { opcode: 0x2, declaredLength: 2n ** 63n, lengthForm: 64 }],
    ];
    for (const [what, frame] of protocolErrors) {
      test(`${what} → 1002`, T, async (t) => {
        await expectClose(scoped(t), [frame], 1002);
      });
    }

    test('a new data message while a fragmented one is open → 1002', T, async (t) => {
      await expectClose(
        scoped(t),
        [
          { opcode: 0x1, fin: false, payload: 'first' },
          { opcode: 0x1, fin: true, payload: 'second' },
        ],
        1002,
      );
    });

    test('frames after the close frame are ignored: no echo, the close answered once', T, async (t) => {
      const s = scoped(t);
      const accepted = nextConnection(server);
      const raw = await s.rawOpen(port);
      const { connection } = await accepted;
      const messages: Buffer[] = [];
      connection.on('message', (data: Buffer) => messages.push(data));
      const closed = nextEvent<[number, string]>(connection, 'close', 3000);
      raw.sendFrame({ opcode: 0x8, payload: Uint8Array.from([0x03, 0xe8]) });
      raw.sendFrame({ opcode: 0x1, payload: 'after close' });
      const answer = await raw.closeFrame();
      assert.equal(answer.code, 1000);
      await raw.waitEnded();
      assert.deepEqual(await closed, [1000, '']);
      assert.equal(messages.length, 0);
      assert.equal(raw.pending.length, 0, 'nothing after the close frame');
    });

    test('the server sends nothing after its close frame, whatever the client keeps sending', T, async (t) => {
      const s = scoped(t);
      const raw: RawClient = await s.rawOpen(port);
      raw.sendFrame({ opcode: 0x1, payload: 'x', mask: undefined });
      const answer = await raw.closeFrame();
      assert.equal(answer.code, 1002);
      // Keep talking; the server must not answer (it may reset the connection instead).
      raw.sendFrame({ opcode: 0x9, payload: 'ping?' });
      raw.sendFrame({ opcode: 0x1, payload: 'hello?' });
      await raw.waitEnded();
      assert.equal(raw.pending.length, 0);
    });

    test('after all of the above, no connection is left behind', T, async () => {
      await until(() => server.clients.size === 0, 3000, 'the server has no clients');
    });
  });
});
