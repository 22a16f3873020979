/**
 * The pure protocol code against the reference server's own functions where it has them
 * (sockjs 0.3.24 lib/utils.js), and against the hixie-76 draft's worked example.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { byteByByte, everySplit, whole } from '@baro/testing';
import {
  Hixie76Decoder,
  checkCallback,
  closeFrame,
  eventSourceFrame,
  htmlfileFrame,
  hixie76Handshake,
  hixie76Signature,
  hixie76TextFrame,
  isHixie76,
  messageFrame,
  parseJsonpSend,
  parseWebSocketMessage,
  parseXhrSend,
  quote,
} from './index.js';

const require = createRequire(import.meta.url);
const referenceUtils = require('sockjs/lib/utils.js') as { quote(text: string): string; escape_selected(text: string, chars: string): string };

test('quote escapes exactly what the reference escapes, for every UTF-16 code unit', () => {
  for (let unit = 0; unit < 0x10000; unit++) {
    const text = 'a' + String.fromCharCode(unit) + 'b';
    assert.equal(quote(text), referenceUtils.quote(text), `code unit ${unit.toString(16)}`);
  }
  const mixed = 'héllo "wörld" \\ \u2028\u2029 \ud83d\ude00 \ufeff \u200d \n\t\x00';
  assert.equal(quote(mixed), referenceUtils.quote(mixed));
  assert.equal(JSON.parse(quote(mixed)), mixed);
});

test('frames: messages, close', () => {
  assert.equal(messageFrame(['a', 'b"c']), 'a["a","b\\"c"]');
  assert.equal(messageFrame(['\u2028']), 'a["\\u2028"]');
  assert.equal(closeFrame(3000, 'Go away!'), 'c[3000,"Go away!"]');
});

test('eventsource frames escape %, CR, LF and NUL as the reference does', () => {
  const frame = 'a["%\\r\\n x"]\r\n\x00%';
  assert.equal(eventSourceFrame(frame), 'data: ' + referenceUtils.escape_selected(frame, '\r\n\x00') + '\r\n\r\n');
});

test('xhr_send bodies: arrays pass, everything else gets the reference error', () => {
  assert.deepEqual(parseXhrSend('["a","b"]', 'text/plain'), { ok: true, messages: ['a', 'b'] });
  assert.deepEqual(parseXhrSend('[]', undefined), { ok: true, messages: [] });
  assert.deepEqual(parseXhrSend('["a"]', 'application/json; charset=UTF-8'), { ok: true, messages: ['a'] });
  for (const [body, contentType, message] of [
    ['', 'text/plain', 'Payload expected.'],
    ['["a"]', 'application/octet-stream', 'Payload expected.'],
    ['{"a":1}', 'text/plain', 'Payload expected.'],
    ['null', 'text/plain', 'Payload expected.'],
    ['"a"', 'text/plain', 'Payload expected.'],
    ['["a"', 'text/plain', 'Broken JSON encoding.'],
    ['[x]', 'text/plain', 'Broken JSON encoding.'],
  ] as const) {
    assert.deepEqual(parseXhrSend(body, contentType), { ok: false, status: 500, message }, body);
  }
});

test('jsonp_send bodies: form field d, or the raw array', () => {
  assert.deepEqual(parseJsonpSend('d=' + encodeURIComponent('["x","y"]'), 'application/x-www-form-urlencoded'), { ok: true, messages: ['x', 'y'] });
  assert.deepEqual(parseJsonpSend('["x"]', 'text/plain'), { ok: true, messages: ['x'] });
  assert.deepEqual(parseJsonpSend('["x"]', undefined), { ok: true, messages: ['x'] });
  assert.deepEqual(parseJsonpSend('d=', 'application/x-www-form-urlencoded'), { ok: false, status: 500, message: 'Payload expected.' });
  assert.deepEqual(parseJsonpSend('e=1', 'application/x-www-form-urlencoded'), { ok: false, status: 500, message: 'Payload expected.' });
  assert.deepEqual(parseJsonpSend('d=%5Bx', 'application/x-www-form-urlencoded'), { ok: false, status: 500, message: 'Broken JSON encoding.' });
  assert.deepEqual(parseJsonpSend('', 'text/plain'), { ok: false, status: 500, message: 'Payload expected.' });
  assert.deepEqual(parseJsonpSend('["x"]', 'application/json'), { ok: false, status: 500, message: 'Payload expected.' });
});

test('htmlfile frames keep </script> in a message from ending the script', () => {
  const frame = messageFrame(['</script><script>alert(1)</script>']);
  const html = htmlfileFrame(frame);
  assert.equal(html.indexOf('</script>'), html.length - '</script>\r\n'.length);
  const argument = html.slice('<script>\np('.length, -');\n</script>\r\n'.length);
  assert.equal(JSON.parse(argument), frame);
});

test('WebSocket messages: arrays, single strings, empty, broken', () => {
  assert.deepEqual(parseWebSocketMessage('["a","b"]'), ['a', 'b']);
  assert.deepEqual(parseWebSocketMessage('"a"'), ['a']);
  assert.deepEqual(parseWebSocketMessage(''), []);
  assert.equal(parseWebSocketMessage('["a'), null);
});

test('callback names: required, safe alphabet, jsonp at most 32 characters', () => {
  assert.deepEqual(checkCallback(new URLSearchParams('c=x.y_z-1')), { ok: true, callback: 'x.y_z-1' });
  assert.deepEqual(checkCallback(new URLSearchParams('callback=abc')), { ok: true, callback: 'abc' });
  assert.deepEqual(checkCallback(new URLSearchParams('')), { ok: false, message: '"callback" parameter required' });
  assert.deepEqual(checkCallback(new URLSearchParams('c=%3Cscript%3E')), { ok: false, message: 'invalid "callback" parameter' });
  assert.deepEqual(checkCallback(new URLSearchParams('c=' + 'a'.repeat(33)), 32), { ok: false, message: 'invalid "callback" parameter' });
  assert.deepEqual(checkCallback(new URLSearchParams('c=' + 'a'.repeat(33))), { ok: true, callback: 'a'.repeat(33) });
});

test('hixie-76: the draft\'s worked example handshake', () => {
  // draft-hixie-thewebsocketprotocol-76, section 1.3.
  const headers = { host: 'example.com', origin: 'http://example.com', 'sec-websocket-key1': '4 @1  46546xW%0l 1 5', 'sec-websocket-key2': '12998 5 Y3 1  .P00' };
  assert.ok(isHixie76(headers));
  assert.ok(!isHixie76({ ...headers, 'sec-websocket-version': '13' }));
  const handshake = hixie76Handshake({ headers, url: '/demo', secure: false });
  assert.ok(handshake.ok);
  assert.match(handshake.head, /^HTTP\/1\.1 101 WebSocket Protocol Handshake\r\n/);
  assert.match(handshake.head, /\r\nSec-WebSocket-Location: ws:\/\/example.com\/demo\r\n\r\n$/);
  assert.equal(hixie76Signature(handshake.keys, Buffer.from('^n:ds[4U', 'latin1')).toString('latin1'), "8jKS'y:G*Co,Wxa-");
  assert.deepEqual(hixie76Handshake({ headers: { ...headers, 'sec-websocket-key1': '123' }, url: '/', secure: false }), { ok: false, reason: 'Client sent invalid Sec-WebSocket-Key headers' });
});

test('hixie-76 decoder reads text frames, skips binary ones and sees the close, in any split', () => {
  const stream = Buffer.concat([hixie76TextFrame('héllo'), Buffer.from([0x80, 0x02, 0x01, 0x02]), hixie76TextFrame(''), hixie76TextFrame('["x"]'), Buffer.from([0xff, 0x00])]);
  const expected = [{ type: 'message', text: 'héllo' }, { type: 'message', text: '' }, { type: 'message', text: '["x"]' }, { type: 'close' }];
  for (const chunks of [whole(stream), byteByByte(stream), ...everySplit(stream)]) {
    const decoder = new Hixie76Decoder(1024);
    assert.deepEqual(chunks.flatMap((chunk) => decoder.push(Buffer.from(chunk))), expected);
  }
});

test('hixie-76 decoder refuses frames over its limit, also when the end never comes', () => {
  assert.deepEqual(new Hixie76Decoder(4).push(hixie76TextFrame('12345')), [{ type: 'error', reason: 'message too big' }]);
  const decoder = new Hixie76Decoder(4);
  assert.deepEqual(decoder.push(Buffer.from([0x00, 0x61, 0x62])), []);
  assert.deepEqual(decoder.push(Buffer.from([0x63, 0x64, 0x65])), [{ type: 'error', reason: 'message too big' }]);
  assert.deepEqual(new Hixie76Decoder(4).push(Buffer.from([0x80, 0x85, 0x00])), [{ type: 'error', reason: 'message too big' }]);
  assert.deepEqual(new Hixie76Decoder(4).push(Buffer.from([0xff, 0x01])), [{ type: 'error', reason: 'invalid close frame' }]);
});
