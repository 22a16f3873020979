import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { HeaderMap } from './header-tokens.js';
import {
  type RejectedUpgrade,
  type UpgradeRequest,
  buildAcceptResponse,
  buildRejectResponse,
  computeAccept,
  validateUpgradeRequest,
} from './server-handshake.js';

// RFC 6455 §1.3. (The value "s3pPLMBiTxaQ9kYGzzZsOz1K0xo=" sometimes quoted for this key is wrong:
// the RFC text and node:crypto both give the one below.)
const RFC_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const RFC_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

const VALID_HEADERS: HeaderMap = {
  host: 'server.example.com',
  upgrade: 'websocket',
  connection: 'Upgrade',
  'sec-websocket-key': RFC_KEY,
  'sec-websocket-version': '13',
};

function request(changes: { method?: string; httpVersion?: string; headers?: HeaderMap } = {}): UpgradeRequest {
  const headers: Record<string, string | readonly string[] | undefined> = { ...VALID_HEADERS, ...changes.headers };
  return { method: changes.method ?? 'GET', httpVersion: changes.httpVersion ?? '1.1', headers };
}

function rejected(req: UpgradeRequest): RejectedUpgrade {
  const result = validateUpgradeRequest(req);
  if (result.ok) assert.fail('expected the request to be rejected');
  return result;
}

describe('computeAccept', () => {
  it('gives the RFC 6455 §1.3 answer', () => {
    assert.equal(computeAccept(RFC_KEY), RFC_ACCEPT);
  });

  it('matches node:crypto on random keys', () => {
    for (let round = 0; round < 50; round++) {
      const key = randomBytes(16).toString('base64');
      const expected = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      assert.equal(computeAccept(key), expected);
    }
  });
});

describe('validateUpgradeRequest: accepted requests (RFC 6455 §4.2.1)', () => {
  it('accepts the RFC 6455 §1.2 request', () => {
    assert.deepEqual(validateUpgradeRequest(request()), {
      ok: true,
      key: RFC_KEY,
      accept: RFC_ACCEPT,
      protocols: [],
      extensions: [],
    });
  });

  it('accepts tokens in lists with odd case and spacing (Firefox sends "keep-alive, Upgrade")', () => {
    const result = validateUpgradeRequest(
      request({ headers: { connection: 'keep-alive,\t UPGRADE ', upgrade: 'h2c ,WebSocket' } }),
    );
    assert.equal(result.ok, true);
  });

  it('accepts headers given with other capitalisation', () => {
    const result = validateUpgradeRequest({
      method: 'GET',
      httpVersion: '1.1',
      headers: { Host: 'h', Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Key': RFC_KEY, 'Sec-WebSocket-Version': '13' },
    });
    assert.equal(result.ok, true);
  });

  for (const httpVersion of ['1.1', '1.2', '2.0', 'HTTP/1.1']) {
    it(`accepts HTTP version ${httpVersion}`, () => {
      assert.equal(validateUpgradeRequest(request({ httpVersion })).ok, true);
    });
  }

  it('returns the offered subprotocols in order, from a list or repeated headers', () => {
    const fromList = validateUpgradeRequest(request({ headers: { 'sec-websocket-protocol': 'chat,  superchat, v2.json' } }));
    assert.ok(fromList.ok);
    assert.deepEqual(fromList.protocols, ['chat', 'superchat', 'v2.json']);
    const fromArray = validateUpgradeRequest(request({ headers: { 'sec-websocket-protocol': ['superchat', 'chat'] } }));
    assert.ok(fromArray.ok);
    assert.deepEqual(fromArray.protocols, ['superchat', 'chat']);
  });

  it('returns the parsed extension offers', () => {
    const result = validateUpgradeRequest(
      request({ headers: { 'sec-websocket-extensions': 'permessage-deflate; client_max_window_bits, x-foo' } }),
    );
    assert.ok(result.ok);
    assert.deepEqual(result.extensions, [
      { name: 'permessage-deflate', params: [{ name: 'client_max_window_bits', value: null }] },
      { name: 'x-foo', params: [] },
    ]);
  });

  it('computes accept from the key actually sent', () => {
    const key = Buffer.alloc(16, 7).toString('base64');
    const result = validateUpgradeRequest(request({ headers: { 'sec-websocket-key': key } }));
    assert.ok(result.ok);
    assert.equal(result.key, key);
    assert.equal(result.accept, computeAccept(key));
    assert.notEqual(result.accept, RFC_ACCEPT);
  });
});

describe('validateUpgradeRequest: every rejection', () => {
  const cases: ReadonlyArray<[string, UpgradeRequest, 400 | 426, RegExp]> = [
    ['POST', request({ method: 'POST' }), 400, /^Invalid HTTP method "POST": expected GET$/],
    ['a lower-case method', request({ method: 'get' }), 400, /Invalid HTTP method "get"/],
    ['HTTP/1.0', request({ httpVersion: '1.0' }), 400, /^Invalid HTTP version "1.0": HTTP\/1.1 or later is required$/],
    ['HTTP/0.9', request({ httpVersion: '0.9' }), 400, /Invalid HTTP version "0.9"/],
    ['a garbled HTTP version', request({ httpVersion: '1.x' }), 400, /Invalid HTTP version "1.x"/],
    ['no Host', request({ headers: { host: undefined } }), 400, /^Missing Host header$/],
    ['an empty Host', request({ headers: { host: ' ' } }), 400, /^Missing Host header$/],
    ['no Upgrade', request({ headers: { upgrade: undefined } }), 400, /^Missing or invalid Upgrade header: expected "websocket"$/],
    ['Upgrade: h2c', request({ headers: { upgrade: 'h2c' } }), 400, /Missing or invalid Upgrade header/],
    ['Upgrade: websocketx', request({ headers: { upgrade: 'websocketx' } }), 400, /Missing or invalid Upgrade header/],
    ['no Connection', request({ headers: { connection: undefined } }), 400, /^Missing or invalid Connection header: expected the "Upgrade" token$/],
    ['Connection: keep-alive', request({ headers: { connection: 'keep-alive' } }), 400, /Missing or invalid Connection header/],
    ['no Sec-WebSocket-Version', request({ headers: { 'sec-websocket-version': undefined } }), 426, /^Missing Sec-WebSocket-Version header: expected 13$/],
    ['Sec-WebSocket-Version: 8', request({ headers: { 'sec-websocket-version': '8' } }), 426, /^Unsupported Sec-WebSocket-Version "8": expected 13$/],
    ['Sec-WebSocket-Version: 13, 8', request({ headers: { 'sec-websocket-version': '13, 8' } }), 426, /Unsupported Sec-WebSocket-Version "13, 8"/],
    ['Sec-WebSocket-Version twice', request({ headers: { 'sec-websocket-version': ['13', '13'] } }), 426, /Unsupported Sec-WebSocket-Version/],
    ['no Sec-WebSocket-Key', request({ headers: { 'sec-websocket-key': undefined } }), 400, /^Missing Sec-WebSocket-Key header$/],
    ['Sec-WebSocket-Key twice (array)', request({ headers: { 'sec-websocket-key': [RFC_KEY, RFC_KEY] } }), 400, /^Sec-WebSocket-Key header must appear exactly once$/],
    ['Sec-WebSocket-Key twice (joined)', request({ headers: { 'sec-websocket-key': `${RFC_KEY}, ${RFC_KEY}` } }), 400, /must appear exactly once/],
    ['a key that is not base64', request({ headers: { 'sec-websocket-key': 'not base64 at all!!!!!!=' } }), 400, /^Invalid Sec-WebSocket-Key header: expected the base64 encoding of 16 bytes$/],
    ['a key of 15 bytes', request({ headers: { 'sec-websocket-key': Buffer.alloc(15).toString('base64') } }), 400, /Invalid Sec-WebSocket-Key/],
    ['a key of 17 bytes', request({ headers: { 'sec-websocket-key': Buffer.alloc(17).toString('base64') } }), 400, /Invalid Sec-WebSocket-Key/],
    ['an empty key', request({ headers: { 'sec-websocket-key': '' } }), 400, /Invalid Sec-WebSocket-Key/],
    ['a key without padding', request({ headers: { 'sec-websocket-key': RFC_KEY.slice(0, 22) } }), 400, /Invalid Sec-WebSocket-Key/],
    ['a subprotocol that is not a token', request({ headers: { 'sec-websocket-protocol': 'chat, a/b' } }), 400, /^Invalid Sec-WebSocket-Protocol header: "a\/b" is not a token$/],
    ['a subprotocol offered twice', request({ headers: { 'sec-websocket-protocol': 'chat, chat' } }), 400, /^Invalid Sec-WebSocket-Protocol header: "chat" is offered twice$/],
    ['an empty subprotocol list', request({ headers: { 'sec-websocket-protocol': ' , ' } }), 400, /^Invalid Sec-WebSocket-Protocol header: empty$/],
    ['malformed extensions', request({ headers: { 'sec-websocket-extensions': 'permessage-deflate;' } }), 400, /^Invalid Sec-WebSocket-Extensions header: expected a parameter name/],
  ];
  for (const [what, req, status, reason] of cases) {
    it(`answers ${status} to ${what}`, () => {
      const result = rejected(req);
      assert.equal(result.status, status);
      assert.match(result.reason, reason);
      assert.deepEqual(result.headers, status === 426 ? { 'Sec-WebSocket-Version': '13' } : {});
    });
  }

  it('keeps reasons short printable ASCII whatever the peer sent', () => {
    const result = rejected(request({ method: `G\u00e9T\r\n${'x'.repeat(200)}` }));
    assert.match(result.reason, /^[\x20-\x7e]+$/);
    assert.ok(result.reason.length < 120, result.reason);
    assert.match(result.reason, /G\\u00e9T\\r\\n/);
  });

  it('checks the version before the key, so an old draft is told which version we speak', () => {
    const result = rejected(request({ headers: { 'sec-websocket-version': '8', 'sec-websocket-key': undefined } }));
    assert.equal(result.status, 426);
  });
});

describe('buildAcceptResponse', () => {
  it('writes the RFC 6455 §1.3 response exactly', () => {
    assert.equal(
      buildAcceptResponse({ accept: RFC_ACCEPT, protocol: 'chat' }),
      'HTTP/1.1 101 Switching Protocols\r\n' +
        'Upgrade: websocket\r\n' +
        'Connection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${RFC_ACCEPT}\r\n` +
        'Sec-WebSocket-Protocol: chat\r\n' +
        '\r\n',
    );
  });

  it('writes extensions and extra headers, and leaves absent ones out', () => {
    assert.equal(
      buildAcceptResponse({
        accept: RFC_ACCEPT,
        protocol: null,
        extensions: 'permessage-deflate; server_max_window_bits=10',
        extraHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
      }),
      'HTTP/1.1 101 Switching Protocols\r\n' +
        'Upgrade: websocket\r\n' +
        'Connection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${RFC_ACCEPT}\r\n` +
        'Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10\r\n' +
        'Set-Cookie: a=1\r\n' +
        'Set-Cookie: b=2\r\n' +
        '\r\n',
    );
    assert.equal(buildAcceptResponse({ accept: RFC_ACCEPT, extensions: '' }).includes('Extensions'), false);
  });

  const injections: ReadonlyArray<[string, Parameters<typeof buildAcceptResponse>[0]]> = [
    ['CR/LF in accept', { accept: `${RFC_ACCEPT}\r\nX: 1` }],
    ['CR/LF in protocol', { accept: RFC_ACCEPT, protocol: 'chat\r\nX: 1' }],
    ['a protocol that is not a token', { accept: RFC_ACCEPT, protocol: 'a b' }],
    ['CR/LF in extensions', { accept: RFC_ACCEPT, extensions: 'permessage-deflate\r\nX: 1' }],
    ['LF in an extra header', { accept: RFC_ACCEPT, extraHeaders: { 'X-A': 'a\nb' } }],
    ['an invalid extra header name', { accept: RFC_ACCEPT, extraHeaders: { 'X A': 'a' } }],
    ['an extra header repeating a handshake header', { accept: RFC_ACCEPT, extraHeaders: { 'sec-websocket-accept': 'x' } }],
  ];
  for (const [what, options] of injections) {
    it(`throws a TypeError for ${what}`, () => {
      assert.throws(() => buildAcceptResponse(options), TypeError);
    });
  }
});

describe('buildRejectResponse', () => {
  it('writes a complete 400 response', () => {
    assert.equal(
      buildRejectResponse(400, 'Missing Host header'),
      'HTTP/1.1 400 Bad Request\r\n' +
        'Connection: close\r\n' +
        'Content-Type: text/plain; charset=utf-8\r\n' +
        'Content-Length: 19\r\n' +
        '\r\n' +
        'Missing Host header',
    );
  });

  it('writes a 426 with the headers validateUpgradeRequest asked for', () => {
    const result = rejected(request({ headers: { 'sec-websocket-version': '8' } }));
    assert.equal(
      buildRejectResponse(result.status, result.reason, result.headers),
      'HTTP/1.1 426 Upgrade Required\r\n' +
        'Connection: close\r\n' +
        'Content-Type: text/plain; charset=utf-8\r\n' +
        `Content-Length: ${result.reason.length}\r\n` +
        'Sec-WebSocket-Version: 13\r\n' +
        '\r\n' +
        result.reason,
    );
  });

  it('counts Content-Length in UTF-8 bytes', () => {
    assert.match(buildRejectResponse(403, 'd\u00e9j\u00e0 vu \u{1f600}'), /Content-Length: 14\r\n/);
  });

  it('names the statuses a server refuses with', () => {
    assert.ok(buildRejectResponse(408, 'x').startsWith('HTTP/1.1 408 Request Timeout\r\n'));
    assert.ok(buildRejectResponse(503, 'x').startsWith('HTTP/1.1 503 Service Unavailable\r\n'));
    assert.ok(buildRejectResponse(403, 'x').startsWith('HTTP/1.1 403 Forbidden\r\n'));
  });

  it('keeps the space before an empty reason phrase (RFC 7230 §3.1.2)', () => {
    assert.ok(buildRejectResponse(499, '').startsWith('HTTP/1.1 499 \r\n'));
  });

  for (const status of [101, 200, 299, 600, 400.5]) {
    it(`throws a RangeError for status ${status}`, () => {
      assert.throws(() => buildRejectResponse(status, 'x'), RangeError);
    });
  }

  it('throws a TypeError for header injection or repeated body headers', () => {
    assert.throws(() => buildRejectResponse(400, 'x', { 'X-A': 'a\r\nb' }), TypeError);
    assert.throws(() => buildRejectResponse(400, 'x', { 'Content-Length': '1' }), TypeError);
    assert.throws(() => buildRejectResponse(400, 'x', { connection: 'keep-alive' }), TypeError);
  });
});
