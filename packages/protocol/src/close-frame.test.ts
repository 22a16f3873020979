import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { concatBytes, hex, toHex } from '@baro/testing';
import { encodeClosePayload, parseClosePayload } from './close-frame.js';
import { closeCodeAllowsReconnect, isValidWireCloseCode } from './close-codes.js';
import { ProtocolError } from './errors.js';

const text = (s: string) => new TextEncoder().encode(s);
const body = (code: number, reason: Uint8Array = new Uint8Array(0)) => concatBytes(Uint8Array.of(code >>> 8, code & 0xff), reason);

/** Every code up to 5100 (all the boundaries), then a sample of the rest up to 65535. */
const someCodes = [...Array.from({ length: 5101 }, (_, i) => i), ...Array.from({ length: 300 }, (_, i) => 5101 + i * 201), 65535];

/** The codes RFC 6455 §7.4 lets a close frame carry, as this project reads it (ARCHITECTURE.md). */
const expectedValid = (code: number) => (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);

function expectProtocolError(result: ReturnType<typeof parseClosePayload>, kind: string, closeCode: number) {
  assert.ok(result instanceof ProtocolError, `expected a ProtocolError, got ${JSON.stringify(result)}`);
  assert.equal(result.kind, kind);
  assert.equal(result.closeCode, closeCode);
}

describe('parseClosePayload', () => {
  test('an empty body is code 1005 with no reason', () => {
    assert.deepEqual(parseClosePayload(new Uint8Array(0)), { code: 1005, reason: '' });
  });
  test('a 1-byte body is a protocol error (1002)', () => {
    expectProtocolError(parseClosePayload(Uint8Array.of(0x03)), 'WS_ERR_INVALID_CLOSE_LENGTH', 1002);
  });
  test('codes 0–5100 and a sample above: accepted exactly when they may appear on the wire, else 1002', () => {
    for (const code of someCodes) {
      const result = parseClosePayload(body(code));
      if (expectedValid(code)) assert.deepEqual(result, { code, reason: '' }, `code ${code}`);
      else expectProtocolError(result, 'WS_ERR_INVALID_CLOSE_CODE', 1002);
    }
  });
  test('the named invalid codes', () => {
    for (const code of [999, 1004, 1005, 1006, 1015, 1016, 2999, 5000]) {
      expectProtocolError(parseClosePayload(body(code)), 'WS_ERR_INVALID_CLOSE_CODE', 1002);
    }
  });
  test('a UTF-8 reason is decoded, up to 123 bytes', () => {
    assert.deepEqual(parseClosePayload(body(1000, text('κόσμε 𝄞'))), { code: 1000, reason: 'κόσμε 𝄞' });
    const reason = 'é'.repeat(61) + 'x';
    assert.deepEqual(parseClosePayload(body(4999, text(reason))), { code: 4999, reason });
  });
  test('a reason that is not UTF-8 fails with 1007', () => {
    for (const bad of ['ff', '80', 'c0 af', 'e0 80 af', 'ed a0 80', 'f4 90 80 80', 'ce ba e1 bd', 'ce']) {
      expectProtocolError(parseClosePayload(body(1000, hex(bad))), 'WS_ERR_INVALID_UTF8', 1007);
    }
  });
  test('works on a view into a larger buffer', () => {
    const big = concatBytes(hex('ff ff ff'), body(1001, text('bye')), hex('ff'));
    assert.deepEqual(parseClosePayload(big.subarray(3, 3 + 5)), { code: 1001, reason: 'bye' });
  });
  test('the reason is returned exactly as sent, a leading U+FEFF included', () => {
    // U+FEFF is an ordinary code point here, not a byte order mark to strip.
    assert.deepEqual(parseClosePayload(body(1000, text('\uFEFFbye'))), { code: 1000, reason: '\uFEFFbye' });
  });
});

describe('encodeClosePayload', () => {
  test('no code: an empty body', () => {
    assert.equal(encodeClosePayload().length, 0);
  });
  test('a code is written big-endian, then the UTF-8 reason', () => {
    assert.equal(toHex(encodeClosePayload(1000)), '03e8');
    assert.equal(toHex(encodeClosePayload(4999, 'ok')), '1387' + '6f6b');
  });
  test('codes 0–5100 and a sample above: encoded when valid on the wire, else a RangeError', () => {
    for (const code of someCodes) {
      if (expectedValid(code)) assert.equal(toHex(encodeClosePayload(code)), toHex(body(code)), `code ${code}`);
      else assert.throws(() => encodeClosePayload(code), RangeError, `code ${code}`);
    }
  });
  test('1005, 1006 and 1015 are refused', () => {
    for (const code of [1004, 1005, 1006, 1015]) assert.throws(() => encodeClosePayload(code), RangeError);
  });
  test('a reason of 123 bytes passes; 124 bytes (counted in UTF-8, not characters) is refused', () => {
    assert.equal(encodeClosePayload(1000, 'a'.repeat(123)).length, 125);
    assert.throws(() => encodeClosePayload(1000, 'a'.repeat(124)), RangeError);
    assert.throws(() => encodeClosePayload(1000, 'é'.repeat(62)), RangeError);
    assert.throws(() => encodeClosePayload(1000, '𝄞'.repeat(31)), RangeError);
    assert.equal(encodeClosePayload(1000, '𝄞'.repeat(30) + 'abc').length, 125);
  });
  test('a reason without a code is refused', () => {
    assert.throws(() => encodeClosePayload(undefined, 'why'), RangeError);
  });
  test('round trip through parseClosePayload', () => {
    for (const [code, reason] of [[1000, ''], [1001, 'going away'], [1011, 'κόσμε'], [3000, '𝄞'], [4500, 'kicked']] as const) {
      assert.deepEqual(parseClosePayload(encodeClosePayload(code, reason)), { code, reason });
    }
  });
});

describe('close codes', () => {
  test('isValidWireCloseCode agrees with RFC 6455 §7.4 as read here', () => {
    for (let code = 0; code <= 0xffff; code++) assert.equal(isValidWireCloseCode(code), expectedValid(code), `code ${code}`);
  });
  test('reconnect policy: 4500–4999 terminal, 1000/1002/1008 final, others reconnect', () => {
    assert.equal(closeCodeAllowsReconnect(4500), false);
    assert.equal(closeCodeAllowsReconnect(4999), false);
    assert.equal(closeCodeAllowsReconnect(4499), true);
    assert.equal(closeCodeAllowsReconnect(4001), true);
    assert.equal(closeCodeAllowsReconnect(1000), false);
    assert.equal(closeCodeAllowsReconnect(1002), false);
    assert.equal(closeCodeAllowsReconnect(1008), false);
    assert.equal(closeCodeAllowsReconnect(1006), true);
    assert.equal(closeCodeAllowsReconnect(1012), true);
  });
});
