import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatHeaderLine,
  formatHeaderLines,
  getHeader,
  getHeaderValues,
  headerListHasToken,
  isToken,
  splitHeaderList,
  trimOptionalWhitespace,
} from './header-tokens.js';

describe('isToken (RFC 7230 §3.2.6)', () => {
  it('accepts every tchar', () => {
    assert.equal(isToken("!#$%&'*+-.^_`|~09AZaz"), true);
    assert.equal(isToken('permessage-deflate'), true);
  });
  for (const text of ['', 'a b', 'a,b', 'a;b', 'a=b', '"a"', 'a/b', 'a\tb', 'caf\u00e9', 'a\r', '(a)', 'a@b', 'a:b']) {
    it(`rejects ${JSON.stringify(text)}`, () => assert.equal(isToken(text), false));
  }
});

describe('trimOptionalWhitespace', () => {
  it('trims spaces and tabs only', () => {
    assert.equal(trimOptionalWhitespace(' \t a b \t '), 'a b');
    assert.equal(trimOptionalWhitespace('\u00a0a\v'), '\u00a0a\v');
    assert.equal(trimOptionalWhitespace(' \t '), '');
  });
});

describe('splitHeaderList', () => {
  it('splits and trims, dropping empty elements (RFC 7230 §7)', () => {
    assert.deepEqual(splitHeaderList(' a ,\tb,, c ,'), ['a', 'b', 'c']);
    assert.deepEqual(splitHeaderList(',  ,'), []);
    assert.deepEqual(splitHeaderList(''), []);
    assert.deepEqual(splitHeaderList('one'), ['one']);
  });
});

describe('headerListHasToken', () => {
  const cases: ReadonlyArray<[string | undefined, string, boolean]> = [
    ['Upgrade', 'upgrade', true],
    ['keep-alive, Upgrade', 'upgrade', true],
    ['keep-alive,UPGRADE', 'upgrade', true],
    ['  keep-alive ,\t upgrade\t', 'upgrade', true],
    ['WebSocket', 'websocket', true],
    ['h2c, websocket', 'websocket', true],
    ['keep-alive', 'upgrade', false],
    ['upgraded', 'upgrade', false],
    ['up grade', 'upgrade', false],
    ['keep-alive; upgrade', 'upgrade', false],
    ['', 'upgrade', false],
    [undefined, 'upgrade', false],
  ];
  for (const [value, token, expected] of cases) {
    it(`${JSON.stringify(value)} ${expected ? 'contains' : 'does not contain'} ${token}`, () => {
      assert.equal(headerListHasToken(value, token), expected);
    });
  }
});

describe('getHeader / getHeaderValues', () => {
  const headers = {
    host: 'example.com',
    'sec-websocket-protocol': ['chat', 'superchat'],
    'x-empty': undefined,
    Upgrade: 'websocket',
  };

  it('reads a plain value', () => {
    assert.equal(getHeader(headers, 'host'), 'example.com');
    assert.deepEqual(getHeaderValues(headers, 'host'), ['example.com']);
  });

  it('joins array values with ", " and keeps them apart in getHeaderValues', () => {
    assert.equal(getHeader(headers, 'sec-websocket-protocol'), 'chat, superchat');
    assert.deepEqual(getHeaderValues(headers, 'sec-websocket-protocol'), ['chat', 'superchat']);
  });

  it('matches names case-insensitively in both directions', () => {
    assert.equal(getHeader(headers, 'Host'), 'example.com');
    assert.equal(getHeader(headers, 'upgrade'), 'websocket');
  });

  it('treats absent and undefined the same', () => {
    assert.equal(getHeader(headers, 'x-empty'), undefined);
    assert.equal(getHeader(headers, 'x-missing'), undefined);
    assert.deepEqual(getHeaderValues(headers, 'x-empty'), []);
  });

  it('collects keys that differ only in case', () => {
    assert.deepEqual(getHeaderValues({ 'x-a': '1', 'X-A': '2' }, 'x-a'), ['1', '2']);
  });
});

describe('formatHeaderLines', () => {
  it('writes one line per value', () => {
    assert.equal(
      formatHeaderLines({ 'Set-Cookie': ['a=1', 'b=2'], 'X-Thing': 'yes' }),
      'Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-Thing: yes\r\n',
    );
  });

  for (const value of ['a\r\nInjected: 1', 'a\rb', 'a\nb', 'a\0b']) {
    it(`refuses the value ${JSON.stringify(value)} (header injection)`, () => {
      assert.throws(() => formatHeaderLines({ 'X-Thing': value }), TypeError);
      assert.throws(() => formatHeaderLines({ 'X-Thing': ['ok', value] }), TypeError);
      assert.throws(() => formatHeaderLine('X-Thing', value), TypeError);
    });
  }

  for (const name of ['X Thing', 'X:Thing', 'X\r\nThing', '']) {
    it(`refuses the name ${JSON.stringify(name)}`, () => {
      assert.throws(() => formatHeaderLines({ [name]: 'v' }), TypeError);
    });
  }

  it('refuses reserved names whatever their case', () => {
    const reserved = new Set(['upgrade']);
    assert.throws(() => formatHeaderLines({ UPGRADE: 'x' }, reserved), /written by the handshake/);
    assert.equal(formatHeaderLines({ 'X-Upgrade': 'x' }, reserved), 'X-Upgrade: x\r\n');
  });
});
