import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ClientHandshake, createClientHandshake, verifyServerResponse } from './client-handshake.js';
import type { HeaderMap } from './header-tokens.js';
import { computeAccept } from './server-handshake.js';

describe('createClientHandshake: the request head (RFC 6455 §4.1)', () => {
  it('writes the exact request head', () => {
    const handshake = createClientHandshake({ url: 'ws://server.example.com/chat?room=1&x=%20' });
    assert.equal(
      handshake.requestHead,
      'GET /chat?room=1&x=%20 HTTP/1.1\r\n' +
        'Host: server.example.com\r\n' +
        'Upgrade: websocket\r\n' +
        'Connection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${handshake.key}\r\n` +
        'Sec-WebSocket-Version: 13\r\n' +
        '\r\n',
    );
  });

  it('writes subprotocols, extensions and extra headers when given', () => {
    const handshake = createClientHandshake({
      url: 'wss://server.example.com/',
      protocols: ['chat', 'superchat'],
      extensions: 'permessage-deflate; client_max_window_bits',
      headers: { Origin: 'https://example.com', Cookie: ['a=1', 'b=2'] },
    });
    assert.equal(
      handshake.requestHead,
      'GET / HTTP/1.1\r\n' +
        'Host: server.example.com\r\n' +
        'Upgrade: websocket\r\n' +
        'Connection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${handshake.key}\r\n` +
        'Sec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Protocol: chat, superchat\r\n' +
        'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n' +
        'Origin: https://example.com\r\n' +
        'Cookie: a=1\r\n' +
        'Cookie: b=2\r\n' +
        '\r\n',
    );
    assert.deepEqual(handshake.protocols, ['chat', 'superchat']);
    assert.deepEqual(handshake.extensions, [
      { name: 'permessage-deflate', params: [{ name: 'client_max_window_bits', value: null }] },
    ]);
  });

  it('uses a fresh random 16-byte key and the matching expected accept', () => {
    const keys = new Set<string>();
    for (let round = 0; round < 20; round++) {
      const handshake = createClientHandshake({ url: 'ws://h/' });
      assert.equal(Buffer.from(handshake.key, 'base64').length, 16);
      assert.equal(Buffer.from(handshake.key, 'base64').toString('base64'), handshake.key);
      assert.equal(handshake.expectedAccept, computeAccept(handshake.key));
      keys.add(handshake.key);
    }
    assert.equal(keys.size, 20);
  });

  const targets: ReadonlyArray<[string, string, string, boolean, string, number]> = [
    // url, request line path, Host header, secure, hostname, port
    ['ws://h', '/', 'h', false, 'h', 80],
    ['ws://h:80/', '/', 'h', false, 'h', 80],
    ['ws://h:443/', '/', 'h:443', false, 'h', 443],
    ['wss://h/', '/', 'h', true, 'h', 443],
    ['wss://h:443/', '/', 'h', true, 'h', 443],
    ['wss://h:80/', '/', 'h:80', true, 'h', 80],
    ['http://h:8080/a/b', '/a/b', 'h:8080', false, 'h', 8080],
    ['https://h/x?y', '/x?y', 'h', true, 'h', 443],
    ['WS://H.Example.COM:9000/P', '/P', 'h.example.com:9000', false, 'h.example.com', 9000],
    ['ws://[::1]:9000/', '/', '[::1]:9000', false, '::1', 9000],
    ['ws://[::1]/', '/', '[::1]', false, '::1', 80],
    ['ws://h/?', '/?', 'h', false, 'h', 80],
  ];
  for (const [url, path, host, secure, hostname, port] of targets) {
    it(`targets ${url}: GET ${path}, Host ${host}`, () => {
      const handshake = createClientHandshake({ url });
      assert.ok(handshake.requestHead.startsWith(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\n`), handshake.requestHead);
      assert.equal(handshake.secure, secure);
      assert.equal(handshake.hostname, hostname);
      assert.equal(handshake.port, port);
    });
  }

  it('accepts a URL object', () => {
    const handshake = createClientHandshake({ url: new URL('ws://h:81/p') });
    assert.ok(handshake.requestHead.startsWith('GET /p HTTP/1.1\r\nHost: h:81\r\n'));
  });

  it('lets the caller override Host', () => {
    const handshake = createClientHandshake({ url: 'ws://127.0.0.1:8080/', headers: { host: 'example.com' } });
    assert.equal(handshake.requestHead.match(/^host:/gim)?.length, 1);
    assert.match(handshake.requestHead, /\r\nhost: example\.com\r\n/);
  });

  const badUrls: ReadonlyArray<[string, RegExp]> = [
    ['ftp://h/', /Unsupported URL scheme "ftp:"/],
    ['file:///tmp/x', /Unsupported URL scheme "file:"/],
    ['ws://h/#frag', /cannot have a fragment/],
    ['ws://h/#', /cannot have a fragment/],
    ['not a url', /Invalid URL: "not a url"/],
    ['/relative', /Invalid URL/],
    ['ws://user:pass@h/', /cannot carry credentials/],
    ['ws://user@h/', /cannot carry credentials/],
  ];
  for (const [url, message] of badUrls) {
    it(`refuses ${url} with a SyntaxError`, () => {
      assert.throws(() => createClientHandshake({ url }), (error: unknown) => {
        assert.ok(error instanceof SyntaxError);
        assert.match(error.message, message);
        return true;
      });
    });
  }

  const badProtocols: ReadonlyArray<[string, string | string[], RegExp]> = [
    ['an empty subprotocol', '', /Invalid subprotocol ""/],
    ['a subprotocol with a space', ['chat', 'super chat'], /Invalid subprotocol "super chat"/],
    ['a subprotocol with a comma', 'a,b', /Invalid subprotocol "a,b"/],
    ['a subprotocol with CR/LF', 'a\r\nX: 1', /Invalid subprotocol/],
    ['a repeated subprotocol', ['chat', 'chat'], /"chat" is offered twice/],
  ];
  for (const [what, protocols, message] of badProtocols) {
    it(`refuses ${what} with a SyntaxError`, () => {
      assert.throws(() => createClientHandshake({ url: 'ws://h/', protocols }), (error: unknown) => {
        assert.ok(error instanceof SyntaxError);
        assert.match(error.message, message);
        return true;
      });
    });
  }

  it('accepts a single subprotocol string', () => {
    assert.match(createClientHandshake({ url: 'ws://h/', protocols: 'chat' }).requestHead, /\r\nSec-WebSocket-Protocol: chat\r\n/);
  });

  it('refuses an extension offer that does not parse, or an invalid permessage-deflate offer', () => {
    assert.throws(() => createClientHandshake({ url: 'ws://h/', extensions: 'permessage-deflate;' }), SyntaxError);
    assert.throws(() => createClientHandshake({ url: 'ws://h/', extensions: 'x\r\nInjected: 1' }), SyntaxError);
    assert.throws(
      () => createClientHandshake({ url: 'ws://h/', extensions: 'permessage-deflate; server_max_window_bits=16' }),
      /Invalid permessage-deflate offer: invalid server_max_window_bits value "16"/,
    );
  });

  it('refuses extra headers with CR/LF, invalid names or the handshake’s own names', () => {
    assert.throws(() => createClientHandshake({ url: 'ws://h/', headers: { Origin: 'x\r\nY: 1' } }), TypeError);
    assert.throws(() => createClientHandshake({ url: 'ws://h/', headers: { 'Bad Name': 'x' } }), TypeError);
    for (const name of ['Upgrade', 'connection', 'Sec-WebSocket-Key', 'sec-websocket-version', 'Sec-WebSocket-Protocol', 'Sec-WebSocket-Extensions']) {
      assert.throws(() => createClientHandshake({ url: 'ws://h/', headers: { [name]: 'x' } }), /written by the handshake/, name);
    }
  });
});

describe('verifyServerResponse (RFC 6455 §4.1)', () => {
  const handshake = createClientHandshake({
    url: 'ws://h/',
    protocols: ['chat', 'superchat'],
    extensions: 'permessage-deflate; client_max_window_bits, x-foo',
  });
  const plain = createClientHandshake({ url: 'ws://h/' });

  function goodHeaders(forHandshake: ClientHandshake): Record<string, string | string[] | undefined> {
    return { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-accept': forHandshake.expectedAccept };
  }

  function refused(headers: HeaderMap, forHandshake: ClientHandshake = handshake, status = 101): string {
    const result = verifyServerResponse({ status, headers }, forHandshake);
    if (result.ok) assert.fail('expected the response to be refused');
    return result.reason;
  }

  it('accepts a minimal valid response', () => {
    assert.deepEqual(verifyServerResponse({ status: 101, headers: goodHeaders(handshake) }, handshake), {
      ok: true,
      protocol: null,
      extensions: [],
      deflate: null,
    });
  });

  it('accepts odd case and spacing, and Connection lists', () => {
    const result = verifyServerResponse(
      { status: 101, headers: { ...goodHeaders(handshake), upgrade: ' WebSocket ', connection: 'keep-alive, UPGRADE' } },
      handshake,
    );
    assert.equal(result.ok, true);
  });

  it('returns the chosen subprotocol and the negotiated permessage-deflate', () => {
    const result = verifyServerResponse(
      {
        status: 101,
        headers: {
          ...goodHeaders(handshake),
          'sec-websocket-protocol': 'superchat',
          'sec-websocket-extensions': 'permessage-deflate; server_no_context_takeover; client_max_window_bits=10',
        },
      },
      handshake,
    );
    assert.deepEqual(result, {
      ok: true,
      protocol: 'superchat',
      extensions: [
        {
          name: 'permessage-deflate',
          params: [
            { name: 'server_no_context_takeover', value: null },
            { name: 'client_max_window_bits', value: '10' },
          ],
        },
      ],
      deflate: { serverNoContextTakeover: true, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 10 },
    });
  });

  it('passes through other offered extensions it does not interpret', () => {
    const result = verifyServerResponse(
      { status: 101, headers: { ...goodHeaders(handshake), 'sec-websocket-extensions': 'x-foo; a=1' } },
      handshake,
    );
    assert.ok(result.ok);
    assert.deepEqual(result.extensions, [{ name: 'x-foo', params: [{ name: 'a', value: '1' }] }]);
    assert.equal(result.deflate, null);
  });

  const failures: ReadonlyArray<[string, () => string, RegExp]> = [
    ['status 200', () => refused(goodHeaders(handshake), handshake, 200), /^Unexpected response status 200: expected 101 Switching Protocols$/],
    ['status 426', () => refused(goodHeaders(handshake), handshake, 426), /Unexpected response status 426/],
    ['no Upgrade', () => refused({ ...goodHeaders(handshake), upgrade: undefined }), /^Missing or invalid Upgrade header/],
    ['Upgrade: h2c', () => refused({ ...goodHeaders(handshake), upgrade: 'h2c' }), /Missing or invalid Upgrade header/],
    ['Upgrade with two values', () => refused({ ...goodHeaders(handshake), upgrade: 'websocket, h2c' }), /Missing or invalid Upgrade header/],
    ['no Connection', () => refused({ ...goodHeaders(handshake), connection: undefined }), /^Missing or invalid Connection header/],
    ['Connection: keep-alive', () => refused({ ...goodHeaders(handshake), connection: 'keep-alive' }), /Missing or invalid Connection header/],
    ['no Sec-WebSocket-Accept', () => refused({ ...goodHeaders(handshake), 'sec-websocket-accept': undefined }), /^Missing Sec-WebSocket-Accept header$/],
    ['a wrong Sec-WebSocket-Accept', () => refused({ ...goodHeaders(handshake), 'sec-websocket-accept': plain.expectedAccept }), /^Invalid Sec-WebSocket-Accept header/],
    ['a Sec-WebSocket-Accept in another case', () => refused({ ...goodHeaders(handshake), 'sec-websocket-accept': handshake.expectedAccept.toLowerCase() }), /Invalid Sec-WebSocket-Accept/],
    ['Sec-WebSocket-Accept twice', () => refused({ ...goodHeaders(handshake), 'sec-websocket-accept': [handshake.expectedAccept, handshake.expectedAccept] }), /Invalid Sec-WebSocket-Accept/],
    ['a subprotocol when none was offered', () => refused({ ...goodHeaders(plain), 'sec-websocket-protocol': 'chat' }, plain), /^The server selected a subprotocol although none was offered$/],
    ['a subprotocol that was not offered', () => refused({ ...goodHeaders(handshake), 'sec-websocket-protocol': 'other' }), /^The server selected a subprotocol that was not offered: "other"$/],
    ['a subprotocol in another case', () => refused({ ...goodHeaders(handshake), 'sec-websocket-protocol': 'Chat' }), /not offered: "Chat"/],
    ['two subprotocols', () => refused({ ...goodHeaders(handshake), 'sec-websocket-protocol': 'chat, superchat' }), /not offered/],
    ['malformed extensions', () => refused({ ...goodHeaders(handshake), 'sec-websocket-extensions': 'permessage-deflate;;' }), /^Invalid Sec-WebSocket-Extensions header/],
    ['an extension that was not offered', () => refused({ ...goodHeaders(handshake), 'sec-websocket-extensions': 'x-bar' }), /^The server accepted an extension that was not offered: "x-bar"$/],
    ['any extension when none was offered', () => refused({ ...goodHeaders(plain), 'sec-websocket-extensions': 'permessage-deflate' }, plain), /not offered: "permessage-deflate"/],
    ['an invalid server_max_window_bits in permessage-deflate', () => refused({ ...goodHeaders(handshake), 'sec-websocket-extensions': 'permessage-deflate; server_max_window_bits=7' }), /invalid server_max_window_bits value "7"/],
    ['permessage-deflate twice', () => refused({ ...goodHeaders(handshake), 'sec-websocket-extensions': 'permessage-deflate, permessage-deflate' }), /more than once/],
  ];
  for (const [what, run, reason] of failures) {
    it(`fails on ${what}`, () => {
      assert.match(run(), reason);
    });
  }

  it('fails when the server sends client_max_window_bits the client did not offer', () => {
    const noClientBits = createClientHandshake({ url: 'ws://h/', extensions: 'permessage-deflate' });
    assert.match(
      refused({ ...goodHeaders(noClientBits), 'sec-websocket-extensions': 'permessage-deflate; client_max_window_bits=10' }, noClientBits),
      /client_max_window_bits was not offered/,
    );
  });

  it('accepts a response without a subprotocol even when some were offered', () => {
    const result = verifyServerResponse({ status: 101, headers: goodHeaders(handshake) }, handshake);
    assert.ok(result.ok);
    assert.equal(result.protocol, null);
  });
});
