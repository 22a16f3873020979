import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buildFrame, byteByByte, concatBytes, hex, toHex, type RawFrame } from '@baro/testing';
import { WsConnection } from './connection.js';
import { ProtocolError } from './errors.js';
import { encodeClosePayload } from './close-frame.js';
import { prepareFrame } from './frame-encoder.js';
import { Opcode, type Role } from './types.js';
import { recordConnection, type ConnectionEvent, type RecordedConnection } from './test-support/connection-recorder.js';
import type { ParserEvent } from './test-support/recorder.js';

const text = (s: string) => new TextEncoder().encode(s);
const roles: Role[] = ['server', 'client'];

/** A frame as the peer of a `role` endpoint writes it: clients mask, servers don't. */
function fromPeer(role: Role, frame: RawFrame): Uint8Array {
  return buildFrame(role === 'server' ? { mask: Uint8Array.of(0x12, 0x34, 0x56, 0x78), ...frame } : frame);
}
const closeBody = (code: number, reason = '') => concatBytes(Uint8Array.of(code >>> 8, code & 0xff), text(reason));
const peerClose = (role: Role, code?: number, reason = '') =>
  fromPeer(role, { opcode: 8, payload: code === undefined ? new Uint8Array(0) : closeBody(code, reason) });

const closeEvent = (code: number, reason = ''): ConnectionEvent => ({ type: 'close', code, reason });
const sentClose = (code?: number, reason = ''): ParserEvent => ({
  type: 'control',
  opcode: 8,
  hex: code === undefined ? '' : toHex(closeBody(code, reason)),
});
const sentControl = (opcode: number, payload: string | Uint8Array): ParserEvent => ({
  type: 'control',
  opcode,
  hex: toHex(typeof payload === 'string' ? text(payload) : payload),
});
const sentMessage = (payload: string | Uint8Array, binary = false): ParserEvent => ({
  type: 'message',
  binary,
  compressed: false,
  hex: toHex(typeof payload === 'string' ? text(payload) : payload),
});
const message = (payload: string | Uint8Array, binary = false): ConnectionEvent => ({
  type: 'message',
  binary,
  compressed: false,
  hex: toHex(typeof payload === 'string' ? text(payload) : payload),
});

/** The connection failed with `kind`: onError then onClose with its code, and one close frame with that code sent. */
function expectFailed(rec: RecordedConnection, kind: string, closeCode: number, eventsBefore: ConnectionEvent[] = []) {
  assert.equal(rec.errors.length, 1, JSON.stringify(rec.events));
  assert.ok(rec.errors[0] instanceof ProtocolError);
  assert.deepEqual(rec.events, [
    ...eventsBefore,
    { type: 'error', kind, closeCode },
    closeEvent(closeCode, rec.errors[0].message),
  ]);
  assert.equal(rec.conn.state, 'closed');
  assert.equal(rec.conn.closeSent, true);
}

for (const role of roles) {
  describe(`WsConnection (${role} role): close handshake`, () => {
    test('initiated by us: open → closing → closed, onClose carries the peer’s code', () => {
      const rec = recordConnection({ role });
      assert.equal(rec.conn.state, 'open');
      assert.equal(rec.conn.sendClose(1000, 'bye'), true);
      assert.equal(rec.conn.state, 'closing');
      assert.equal(rec.conn.closeSent, true);
      assert.deepEqual(rec.sentEvents(), [sentClose(1000, 'bye')]);
      assert.deepEqual(rec.events, [], 'no onClose before the peer answers');

      rec.clear();
      rec.conn.receiveData(peerClose(role, 1001, 'see you'));
      assert.equal(rec.conn.state, 'closed');
      assert.deepEqual(rec.events, [closeEvent(1001, 'see you')]);
      assert.deepEqual(rec.outgoing, [], 'the peer’s answer is not answered again');
    });

    test('initiated by us without a code: an empty close, and the peer’s empty answer reports 1005', () => {
      const rec = recordConnection({ role });
      rec.conn.sendClose();
      assert.deepEqual(rec.sentEvents(), [sentClose()]);
      rec.clear();
      rec.conn.receiveData(peerClose(role));
      assert.deepEqual(rec.events, [closeEvent(1005)]);
      assert.deepEqual(rec.outgoing, []);
    });

    test('messages and pongs still arrive while closing; pings are reported but not answered', () => {
      const rec = recordConnection({ role });
      rec.conn.sendClose(1000);
      rec.clear();
      rec.conn.receiveData(
        concatBytes(
          fromPeer(role, { opcode: 1, payload: 'late' }),
          fromPeer(role, { opcode: 9, payload: 'ping?' }),
          fromPeer(role, { opcode: 10, payload: 'pong!' }),
        ),
      );
      assert.deepEqual(rec.events, [message('late'), { type: 'ping', hex: toHex(text('ping?')) }, { type: 'pong', hex: toHex(text('pong!')) }]);
      assert.deepEqual(rec.outgoing, [], 'no pong once we have sent close');
      assert.equal(rec.conn.state, 'closing');
      rec.conn.receiveData(peerClose(role, 1000));
      assert.equal(rec.conn.state, 'closed');
    });

    test('initiated by the peer: we echo the same code once and report code and reason', () => {
      const rec = recordConnection({ role });
      rec.conn.receiveData(peerClose(role, 1001, 'going away'));
      assert.deepEqual(rec.events, [closeEvent(1001, 'going away')]);
      assert.deepEqual(rec.sentEvents(), [sentClose(1001)]);
      assert.equal(rec.conn.state, 'closed');
      assert.equal(rec.conn.closeSent, true);
    });

    test('initiated by the peer with an empty close: answered by an empty close, reported as 1005', () => {
      const rec = recordConnection({ role });
      rec.conn.receiveData(peerClose(role));
      assert.deepEqual(rec.events, [closeEvent(1005)]);
      assert.deepEqual(rec.sentEvents(), [sentClose()]);
      assert.equal(rec.sentFrames()[0].payload.length, 0);
    });

    test('a peer close split byte by byte gives the same result', () => {
      const rec = recordConnection({ role });
      for (const chunk of byteByByte(peerClose(role, 4000, 'κόσμε'))) rec.conn.receiveData(chunk);
      assert.deepEqual(rec.events, [closeEvent(4000, 'κόσμε')]);
      assert.deepEqual(rec.sentEvents(), [sentClose(4000)]);
    });

    test('a reason of 123 bytes (a 125-byte close body) is accepted', () => {
      const rec = recordConnection({ role });
      const reason = 'r'.repeat(123);
      rec.conn.receiveData(peerClose(role, 1000, reason));
      assert.deepEqual(rec.events, [closeEvent(1000, reason)]);
    });

    test('valid codes are accepted and echoed: 1000–1003, 1007–1014, 3000–4999', () => {
      for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4500, 4999]) {
        const rec = recordConnection({ role });
        rec.conn.receiveData(peerClose(role, code, 'x'));
        assert.deepEqual(rec.events, [closeEvent(code, 'x')], `code ${code}`);
        assert.deepEqual(rec.sentEvents(), [sentClose(code)], `code ${code}`);
      }
    });

    test('invalid codes fail the connection with 1002', () => {
      for (const code of [0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]) {
        const rec = recordConnection({ role });
        rec.conn.receiveData(peerClose(role, code));
        expectFailed(rec, 'WS_ERR_INVALID_CLOSE_CODE', 1002);
        assert.deepEqual(rec.sentEvents(), [sentClose(1002)], `code ${code}`);
      }
    });

    test('a 1-byte close body fails the connection with 1002', () => {
      const rec = recordConnection({ role });
      rec.conn.receiveData(fromPeer(role, { opcode: 8, payload: Uint8Array.of(0x03) }));
      expectFailed(rec, 'WS_ERR_INVALID_CLOSE_LENGTH', 1002);
      assert.deepEqual(rec.sentEvents(), [sentClose(1002)]);
    });

    test('a reason that is not UTF-8 fails the connection with 1007', () => {
      for (const bad of ['ff', 'c0 af', 'ed a0 80', 'ce']) {
        const rec = recordConnection({ role });
        rec.conn.receiveData(fromPeer(role, { opcode: 8, payload: concatBytes(hex('03e8'), hex(bad)) }));
        expectFailed(rec, 'WS_ERR_INVALID_UTF8', 1007);
        assert.deepEqual(rec.sentEvents(), [sentClose(1007)], bad);
      }
    });

    test('an invalid close answering ours fails the connection without a second close frame', () => {
      const rec = recordConnection({ role });
      rec.conn.sendClose(1000);
      rec.clear();
      rec.conn.receiveData(peerClose(role, 1005));
      expectFailed(rec, 'WS_ERR_INVALID_CLOSE_CODE', 1002);
      assert.deepEqual(rec.outgoing, []);
    });
  });

  describe(`WsConnection (${role} role): after close`, () => {
    test('data in later chunks after the peer’s close is ignored', () => {
      const rec = recordConnection({ role });
      rec.conn.receiveData(peerClose(role, 1000));
      rec.conn.receiveData(fromPeer(role, { opcode: 1, payload: 'after' }));
      rec.conn.receiveData(fromPeer(role, { opcode: 9, payload: 'ping' }));
      rec.conn.receiveData(fromPeer(role, { opcode: 3 }));
      rec.conn.receiveData(peerClose(role, 1001));
      assert.deepEqual(rec.events, [closeEvent(1000)]);
      assert.deepEqual(rec.sentEvents(), [sentClose(1000)]);
    });

    test('data in the same chunk after the peer’s close is ignored (RFC 6455 §5.5.1)', () => {
      const rec = recordConnection({ role });
      rec.conn.receiveData(
        concatBytes(
          peerClose(role, 1000),
          fromPeer(role, { opcode: 1, payload: 'after' }),
          fromPeer(role, { opcode: 9, payload: 'ping' }),
          peerClose(role, 1001),
        ),
      );
      assert.deepEqual(rec.events, [closeEvent(1000)], 'onClose once, and nothing reported after it');
      assert.deepEqual(rec.sentEvents(), [sentClose(1000)]);
    });

    test('nothing is reported after an invalid close frame fails the connection, even from the same chunk', () => {
      const rec = recordConnection({ role });
      rec.conn.receiveData(
        concatBytes(
          peerClose(role, 1005), // invalid on the wire: the connection fails with 1002
          fromPeer(role, { opcode: 1, payload: 'after' }),
          fromPeer(role, { opcode: 9, payload: 'ping' }),
          peerClose(role, 1000),
        ),
      );
      expectFailed(rec, 'WS_ERR_INVALID_CLOSE_CODE', 1002);
      assert.deepEqual(rec.sentEvents(), [sentClose(1002)]);
    });

    test('nothing is reported after fail() called from a handler, even from the same chunk', () => {
      const events: string[] = [];
      // A handler that fails the connection on the first message (e.g. a policy violation).
      const conn: WsConnection = new WsConnection(
        { role, maxPayload: 1024 },
        {
          onMessage: (data) => {
            events.push(`message ${new TextDecoder().decode(data)}`);
            conn.fail(1008);
          },
          onPing: () => events.push('ping'),
          onPong: () => events.push('pong'),
          onClose: (code) => events.push(`close ${code}`),
          onError: (error) => events.push(`error ${error.kind}`),
          onOutgoing: () => {},
        },
      );
      conn.receiveData(
        concatBytes(fromPeer(role, { opcode: 1, payload: 'one' }), fromPeer(role, { opcode: 1, payload: 'two' }), fromPeer(role, { opcode: 9 })),
      );
      assert.deepEqual(events, ['message one', 'close 1008']);
    });

    test('sends after closeSent return false and write nothing', () => {
      for (const how of ['sendClose', 'peer close', 'fail', 'protocol error'] as const) {
        const rec = recordConnection({ role });
        if (how === 'sendClose') rec.conn.sendClose(1000);
        else if (how === 'peer close') rec.conn.receiveData(peerClose(role, 1000));
        else if (how === 'fail') rec.conn.fail(1011);
        else rec.conn.receiveData(fromPeer(role, { opcode: 0xb }));
        assert.equal(rec.conn.closeSent, true, how);
        rec.clear();
        assert.equal(rec.conn.sendText(text('x')), false, how);
        assert.equal(rec.conn.sendBinary(Uint8Array.of(1)), false, how);
        assert.equal(rec.conn.sendFrame(Opcode.binary, Uint8Array.of(1), { fin: false }), false, how);
        assert.equal(rec.conn.sendPing(), false, how);
        assert.equal(rec.conn.sendPong(), false, how);
        assert.equal(rec.conn.sendClose(1000), false, how);
        if (role === 'server') assert.equal(rec.conn.sendPrepared(prepareFrame(text('x'), false)), false, how);
        assert.deepEqual(rec.outgoing, [], how);
        assert.deepEqual(rec.events, [], how);
      }
    });

    test('receiveEof without a close handshake reports 1006 once', () => {
      const rec = recordConnection({ role });
      rec.conn.receiveData(fromPeer(role, { opcode: 1, payload: 'hi' }));
      rec.conn.receiveEof();
      rec.conn.receiveEof();
      assert.deepEqual(rec.events, [message('hi'), closeEvent(1006)]);
      assert.equal(rec.conn.state, 'closed');
      assert.deepEqual(rec.outgoing, []);
      rec.conn.receiveData(fromPeer(role, { opcode: 1, payload: 'after eof' }));
      assert.deepEqual(rec.events, [message('hi'), closeEvent(1006)]);
    });

    test('receiveEof while closing (the peer never answered) reports 1006', () => {
      const rec = recordConnection({ role });
      rec.conn.sendClose(1000);
      rec.conn.receiveEof();
      assert.deepEqual(rec.events, [closeEvent(1006)]);
    });

    test('receiveEof after a finished handshake reports nothing more', () => {
      const rec = recordConnection({ role });
      rec.conn.receiveData(peerClose(role, 1000));
      rec.conn.receiveEof();
      assert.deepEqual(rec.events, [closeEvent(1000)]);
    });
  });

  describe(`WsConnection (${role} role): pings, failures, messages`, () => {
    test('auto-pong answers with the same payload (empty, short, 125 bytes)', () => {
      for (const payload of [new Uint8Array(0), text('Hello'), Uint8Array.from({ length: 125 }, (_, i) => i)]) {
        const rec = recordConnection({ role });
        rec.conn.receiveData(fromPeer(role, { opcode: 9, payload }));
        assert.deepEqual(rec.events, [{ type: 'ping', hex: toHex(payload) }]);
        assert.deepEqual(rec.sentEvents(), [sentControl(10, payload)]);
      }
    });

    test('a ping split across chunks is answered once, with its whole payload', () => {
      const rec = recordConnection({ role });
      for (const chunk of byteByByte(fromPeer(role, { opcode: 9, payload: 'split ping' }))) rec.conn.receiveData(chunk);
      assert.deepEqual(rec.sentEvents(), [sentControl(10, 'split ping')]);
    });

    test('autoPong: false reports the ping and writes nothing', () => {
      const rec = recordConnection({ role, autoPong: false });
      rec.conn.receiveData(fromPeer(role, { opcode: 9, payload: 'p' }));
      assert.deepEqual(rec.events, [{ type: 'ping', hex: toHex(text('p')) }]);
      assert.deepEqual(rec.outgoing, []);
    });

    test('a ping after the peer’s close in a later chunk is not answered', () => {
      const rec = recordConnection({ role });
      rec.conn.receiveData(peerClose(role, 1000));
      rec.clear();
      rec.conn.receiveData(fromPeer(role, { opcode: 9, payload: 'p' }));
      assert.deepEqual(rec.outgoing, []);
      assert.deepEqual(rec.events, []);
    });

    test('pongs are reported and not answered', () => {
      const rec = recordConnection({ role });
      rec.conn.receiveData(fromPeer(role, { opcode: 10, payload: 'unsolicited' }));
      assert.deepEqual(rec.events, [{ type: 'pong', hex: toHex(text('unsolicited')) }]);
      assert.deepEqual(rec.outgoing, []);
    });

    test('fail(code) sends the code and reports it at once', () => {
      const rec = recordConnection({ role });
      rec.conn.fail(1008, 'policy');
      assert.deepEqual(rec.events, [closeEvent(1008, 'policy')]);
      const sent = rec.sentFrames();
      assert.equal(sent.length, 1);
      assert.equal(sent[0].opcode, 8);
      assert.equal(toHex(sent[0].payload.subarray(0, 2)), '03f0');
      assert.equal(rec.conn.state, 'closed');
      rec.conn.fail(1011);
      rec.conn.receiveData(fromPeer(role, { opcode: 1, payload: 'ignored' }));
      rec.conn.receiveEof();
      assert.deepEqual(rec.events, [closeEvent(1008, 'policy')], 'reported once, nothing after');
      assert.equal(rec.outgoing.length, 1);
    });

    test('fail(code) while closing reports the code without a second close frame', () => {
      const rec = recordConnection({ role });
      rec.conn.sendClose(1000);
      rec.clear();
      rec.conn.fail(4001, 'slow consumer');
      assert.deepEqual(rec.events, [closeEvent(4001, 'slow consumer')]);
      assert.deepEqual(rec.outgoing, []);
    });

    test('protocol errors: onError then onClose with the error’s code, and a close frame with that code', () => {
      const cases: [string, Uint8Array, string, number, number?][] = [
        ['reserved opcode', fromPeer(role, { opcode: 3 }), 'WS_ERR_INVALID_OPCODE', 1002],
        ['RSV2', fromPeer(role, { opcode: 1, rsv2: true }), 'WS_ERR_UNEXPECTED_RSV', 1002],
        ['wrong masking', buildFrame({ opcode: 1, payload: 'x', mask: role === 'client' ? true : undefined }), role === 'server' ? 'WS_ERR_EXPECTED_MASK' : 'WS_ERR_UNEXPECTED_MASK', 1002],
        ['bad UTF-8', fromPeer(role, { opcode: 1, payload: hex('ce ba ff') }), 'WS_ERR_INVALID_UTF8', 1007],
        ['too big', fromPeer(role, { opcode: 2, payload: new Uint8Array(101) }), 'WS_ERR_MESSAGE_TOO_BIG', 1009, 100],
        ['stray continuation', fromPeer(role, { opcode: 0, payload: 'x' }), 'WS_ERR_UNEXPECTED_CONTINUATION', 1002],
      ];
      for (const [name, bytes, kind, code, maxPayload] of cases) {
        for (const chunks of [[bytes.slice()], byteByByte(bytes)]) {
          const rec = recordConnection({ role, ...(maxPayload === undefined ? {} : { maxPayload }) });
          rec.conn.receiveData(fromPeer(role, { opcode: 2, payload: 'ok' }));
          for (const chunk of chunks) rec.conn.receiveData(chunk);
          rec.conn.receiveData(fromPeer(role, { opcode: 1, payload: 'after the error' }));
          rec.conn.receiveEof();
          expectFailed(rec, kind, code, [message('ok', true)]);
          assert.deepEqual(rec.sentEvents(), [sentClose(code)], name);
        }
      }
    });

    test('text, binary and fragmented messages are delivered whole, whatever the chunking', () => {
      const stream = concatBytes(
        fromPeer(role, { opcode: 1, payload: 'Hello' }),
        fromPeer(role, { opcode: 2, payload: hex('00 ff 80') }),
        fromPeer(role, { opcode: 1, fin: false, payload: 'frag' }),
        fromPeer(role, { opcode: 9, payload: 'between' }),
        fromPeer(role, { opcode: 0, payload: 'mented' }),
      );
      for (const chunks of [[stream.slice()], byteByByte(stream)]) {
        const rec = recordConnection({ role });
        for (const chunk of chunks) rec.conn.receiveData(chunk);
        assert.deepEqual(rec.events, [message('Hello'), message(hex('00 ff 80'), true), { type: 'ping', hex: toHex(text('between')) }, message('fragmented')]);
        assert.deepEqual(rec.sentEvents(), [sentControl(10, 'between')]);
      }
    });

    test('a message streamed with sendFrame reads back as one message', () => {
      const rec = recordConnection({ role });
      assert.equal(rec.conn.sendFrame(Opcode.text, text('str'), { fin: false }), true);
      assert.equal(rec.conn.sendPing(text('mid')), true);
      assert.equal(rec.conn.sendFrame(Opcode.continuation, text('eam'), { fin: false }), true);
      assert.equal(rec.conn.sendFrame(Opcode.continuation, new Uint8Array(0)), true);
      assert.deepEqual(rec.sentEvents(), [sentControl(9, 'mid'), sentMessage('stream')]);
      assert.deepEqual(rec.sentFrames().map((f) => [f.opcode, f.fin]), [[1, false], [9, true], [0, false], [0, true]]);
    });

    test('ping and pong payloads over 125 bytes are refused with a RangeError', () => {
      const rec = recordConnection({ role });
      assert.throws(() => rec.conn.sendPing(new Uint8Array(126)), RangeError);
      assert.throws(() => rec.conn.sendPong(new Uint8Array(126)), RangeError);
      assert.deepEqual(rec.outgoing, []);
      assert.equal(rec.conn.sendPing(new Uint8Array(125)), true);
      assert.equal(rec.conn.sendPong(new Uint8Array(125)), true);
      assert.deepEqual(rec.sentEvents(), [sentControl(9, new Uint8Array(125)), sentControl(10, new Uint8Array(125))]);
    });

    test('sendClose refuses codes that may not be sent and over-long reasons, writing nothing', () => {
      const rec = recordConnection({ role });
      for (const code of [999, 1004, 1005, 1006, 1015, 2999, 5000]) assert.throws(() => rec.conn.sendClose(code), RangeError, `code ${code}`);
      assert.throws(() => rec.conn.sendClose(1000, 'x'.repeat(124)), RangeError);
      assert.throws(() => rec.conn.sendClose(undefined, 'reason without code'), RangeError);
      assert.deepEqual(rec.outgoing, []);
      assert.equal(rec.conn.state, 'open');
      assert.equal(rec.conn.sendClose(1000, 'x'.repeat(123)), true);
      assert.deepEqual(rec.sentEvents(), [sentClose(1000, 'x'.repeat(123))]);
    });

    test('everything we write passes a peer-role parser (also with buffers that are not zero-filled)', () => {
      for (const allocate of [undefined, (size: number) => new Uint8Array(size).fill(0xee)]) {
        const rec = recordConnection({ role, ...(allocate ? { allocate } : {}) });
        const big = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 13) & 0xff);
        rec.conn.sendText(text('héllo'));
        rec.conn.sendBinary(big);
        rec.conn.sendPing(text('p'));
        rec.conn.sendPong(text('q'));
        rec.conn.sendBinary(new Uint8Array(0));
        rec.conn.sendClose(1000, 'done');
        assert.deepEqual(rec.sentEvents(), [
          sentMessage('héllo'),
          sentMessage(big, true),
          sentControl(9, 'p'),
          sentControl(10, 'q'),
          sentMessage(new Uint8Array(0), true),
          sentClose(1000, 'done'),
        ]);
      }
    });
  });
}

describe('WsConnection masking', () => {
  test('the client role masks every outgoing frame, each with its own key, and the server reads them right', () => {
    const rec = recordConnection({ role: 'client' });
    const payload = text('same payload');
    const copy = payload.slice();
    rec.conn.sendText(payload);
    rec.conn.sendText(payload);
    rec.conn.sendBinary(new Uint8Array(20_000).fill(0xaa));
    rec.conn.sendPing(text('ping'));
    rec.conn.receiveData(buildFrame({ opcode: 9, payload: 'auto' })); // auto-pong
    rec.conn.receiveData(buildFrame({ opcode: 8, payload: hex('03e8') })); // close echo
    assert.deepEqual(payload, copy, 'the caller’s payload is not modified');

    const frames = rec.sentFrames();
    assert.equal(frames.length, 6);
    for (const frame of frames) assert.ok(frame.key !== null, `opcode ${frame.opcode} is masked`);
    const keys = frames.map((f) => toHex(f.key!));
    assert.notEqual(keys[0], keys[1], 'two frames with the same payload get different keys');
    assert.equal(new Set(keys).size, keys.length, `all keys differ: ${keys.join(' ')}`);
    // Same payload, different keys: the bytes on the wire differ.
    assert.notEqual(toHex(rec.outgoing[0]), toHex(rec.outgoing[1]));

    assert.deepEqual(rec.sentEvents(), [
      sentMessage('same payload'),
      sentMessage('same payload'),
      sentMessage(new Uint8Array(20_000).fill(0xaa), true),
      sentControl(9, 'ping'),
      sentControl(10, 'auto'),
      sentClose(1000),
    ]);
  });

  test('the server role never masks', () => {
    const rec = recordConnection({ role: 'server' });
    const big = new Uint8Array(100_000).fill(0x55);
    rec.conn.sendText(text('hi'));
    rec.conn.sendBinary(big);
    rec.conn.sendPing();
    rec.conn.receiveData(buildFrame({ opcode: 9, payload: 'auto', mask: true }));
    rec.conn.sendClose(1001);
    const frames = rec.sentFrames();
    assert.equal(frames.length, 5);
    for (const frame of frames) assert.equal(frame.key, null, `opcode ${frame.opcode} is not masked`);
    assert.equal(toHex(rec.outgoing[0]), '81026869');
    assert.ok(big.every((b) => b === 0x55), 'the caller’s payload is not modified');
  });

  test('sendPrepared writes the prepared bytes as they are on the server role', () => {
    const rec = recordConnection({ role: 'server' });
    const frame = prepareFrame(text('broadcast'), false);
    assert.equal(rec.conn.sendPrepared(frame), true);
    assert.equal(toHex(rec.outgoingBytes()), toHex(frame.bytes));
    assert.deepEqual(rec.sentEvents(), [sentMessage('broadcast')]);
  });

  test('sendPrepared is refused on the client role (prepared frames are unmasked)', () => {
    const rec = recordConnection({ role: 'client' });
    assert.throws(() => rec.conn.sendPrepared(prepareFrame(text('x'), false)), Error);
    assert.deepEqual(rec.outgoing, []);
  });

  test('encodeClosePayload refuses 1005, 1006 and reasons over 123 bytes', () => {
    assert.throws(() => encodeClosePayload(1005), RangeError);
    assert.throws(() => encodeClosePayload(1006), RangeError);
    assert.throws(() => encodeClosePayload(1000, 'é'.repeat(62)), RangeError, '124 bytes in 62 characters');
    assert.equal(encodeClosePayload(1000, 'é'.repeat(61) + 'x').length, 125);
  });
});

for (const role of roles) {
  describe(`WsConnection (${role} role): automatic pongs held while the transport is backed up`, () => {
    const ping = (payload: string | Uint8Array) => fromPeer(role, { opcode: 9, payload });

    test('not held: every ping is answered at once, in order (ten pings in one chunk get ten pongs)', () => {
      const rec = recordConnection({ role });
      const payloads = Array.from({ length: 10 }, (_, i) => `payload-${i}`);
      rec.conn.receiveData(concatBytes(...payloads.map((payload) => ping(payload))));
      assert.deepEqual(rec.sentEvents(), payloads.map((payload) => sentControl(10, payload)));
      assert.equal(rec.conn.pongPending, false);
    });

    test('held: a flood of pings writes nothing; releasing answers the newest ping once', () => {
      const rec = recordConnection({ role });
      rec.conn.pongsHeld = true;
      rec.conn.receiveData(concatBytes(ping('first'), ping('second')));
      for (let i = 0; i < 1000; i++) rec.conn.receiveData(ping(`flood-${i}`));
      rec.conn.receiveData(ping('newest'));
      assert.deepEqual(rec.outgoing, [], 'no pong while held');
      assert.equal(rec.conn.pongPending, true);
      assert.equal(rec.events.length, 1003, 'every ping is still reported');
      rec.conn.pongsHeld = false;
      assert.deepEqual(rec.sentEvents(), [sentControl(10, 'newest')]);
      assert.equal(rec.conn.pongPending, false);
      rec.clear();
      rec.conn.pongsHeld = false;
      assert.deepEqual(rec.outgoing, [], 'released twice, answered once');
    });

    test('held: pings split byte by byte keep the newest whole payload (the parser reuses its control buffer)', () => {
      const rec = recordConnection({ role });
      rec.conn.pongsHeld = true;
      const long = new Uint8Array(125).fill(0x61);
      for (const chunk of byteByByte(ping(long))) rec.conn.receiveData(chunk);
      for (const chunk of byteByByte(ping('short one'))) rec.conn.receiveData(chunk);
      rec.conn.pongsHeld = false;
      assert.deepEqual(rec.sentEvents(), [sentControl(10, 'short one')]);
    });

    test('held: a pong of 125 bytes and an empty one round-trip exactly', () => {
      for (const payload of [new Uint8Array(125).map((_, i) => i), new Uint8Array(0)]) {
        const rec = recordConnection({ role });
        rec.conn.pongsHeld = true;
        rec.conn.receiveData(ping(payload));
        rec.conn.pongsHeld = false;
        assert.deepEqual(rec.sentEvents(), [sentControl(10, payload)]);
      }
    });

    test('held: the peer’s close drops the waiting pong; only the close echo is written', () => {
      const rec = recordConnection({ role });
      rec.conn.pongsHeld = true;
      rec.conn.receiveData(concatBytes(ping('unanswered'), peerClose(role, 1000)));
      rec.conn.pongsHeld = false;
      assert.deepEqual(rec.sentEvents(), [sentClose(1000)]);
    });

    test('held: our own close drops the waiting pong', () => {
      const rec = recordConnection({ role });
      rec.conn.pongsHeld = true;
      rec.conn.receiveData(ping('unanswered'));
      rec.conn.sendClose(1001);
      rec.conn.pongsHeld = false;
      assert.deepEqual(rec.sentEvents(), [sentClose(1001)]);
      assert.equal(rec.conn.pongPending, false);
    });

    test('autoPong: false holds nothing', () => {
      const rec = recordConnection({ role, autoPong: false });
      rec.conn.pongsHeld = true;
      rec.conn.receiveData(ping('p'));
      assert.equal(rec.conn.pongPending, false);
      rec.conn.pongsHeld = false;
      assert.deepEqual(rec.outgoing, []);
    });
  });

  describe(`WsConnection (${role} role): a transport that fails the connection while writing its close frame`, () => {
    // The I/O layer fails a slow consumer from inside `onOutgoing`; the codec must still report one close.
    function failingOnClose(code: number) {
      const closes: number[] = [];
      const conn: WsConnection = new WsConnection(
        { role },
        {
          onMessage: () => {},
          onPing: () => {},
          onPong: () => {},
          onError: () => {},
          onClose: (closeCode) => closes.push(closeCode),
          onOutgoing: (bytes) => {
            if ((bytes[0] & 0x0f) === Opcode.close) conn.fail(code);
          },
        },
      );
      return { conn, closes };
    }

    test('fail(): onClose once, with the first code', () => {
      const { conn, closes } = failingOnClose(4001);
      conn.fail(1011);
      assert.deepEqual(closes, [1011]);
      assert.equal(conn.state, 'closed');
    });

    test('the peer’s close: onClose once, with the peer’s code', () => {
      const { conn, closes } = failingOnClose(4001);
      conn.receiveData(peerClose(role, 1000));
      assert.deepEqual(closes, [1000]);
    });

    test('a protocol error: onClose once, with its code', () => {
      const { conn, closes } = failingOnClose(4001);
      conn.receiveData(fromPeer(role, { opcode: 3 }));
      assert.deepEqual(closes, [1002]);
    });

    test('sendClose: the failure closes it at once (no close handshake to wait for)', () => {
      const { conn, closes } = failingOnClose(4001);
      conn.sendClose(1000);
      assert.deepEqual(closes, [4001]);
      assert.equal(conn.state, 'closed');
    });
  });
}
