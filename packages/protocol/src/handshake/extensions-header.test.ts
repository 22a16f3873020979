import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type ExtensionOffer, parseExtensions, serializeExtension, serializeExtensions } from './extensions-header.js';

function parseOk(header: string): ExtensionOffer[] {
  const result = parseExtensions(header);
  if (!result.ok) assert.fail(`expected ${JSON.stringify(header)} to parse, got: ${result.error}`);
  return result.extensions;
}

function parseError(header: string): string {
  const result = parseExtensions(header);
  if (result.ok) assert.fail(`expected ${JSON.stringify(header)} to be refused, got ${JSON.stringify(result.extensions)}`);
  return result.error;
}

describe('parseExtensions (RFC 6455 §9.1)', () => {
  it('parses a bare extension', () => {
    assert.deepEqual(parseOk('permessage-deflate'), [{ name: 'permessage-deflate', params: [] }]);
  });

  it('parses parameters with and without values, in order', () => {
    assert.deepEqual(parseOk('permessage-deflate; client_max_window_bits; server_max_window_bits=10'), [
      {
        name: 'permessage-deflate',
        params: [
          { name: 'client_max_window_bits', value: null },
          { name: 'server_max_window_bits', value: '10' },
        ],
      },
    ]);
  });

  it('unescapes quoted values (RFC 7230 §3.2.6 quoted-pair)', () => {
    assert.deepEqual(parseOk('x; a="10"; b="a\\bc"; c="d"'), [
      {
        name: 'x',
        params: [
          { name: 'a', value: '10' },
          { name: 'b', value: 'abc' },
          { name: 'c', value: 'd' },
        ],
      },
    ]);
  });

  it('keeps every offer, including the same extension several times, and repeated parameters', () => {
    const parsed = parseOk(
      'permessage-deflate; server_max_window_bits=10; server_max_window_bits=11, permessage-deflate, x-foo',
    );
    assert.deepEqual(
      parsed.map((offer) => offer.name),
      ['permessage-deflate', 'permessage-deflate', 'x-foo'],
    );
    assert.equal(parsed[0].params.length, 2);
  });

  it('tolerates odd spacing and tabs around every separator', () => {
    assert.deepEqual(parseOk(' \tfoo\t;bar =\t1 ;  baz ,\tqux ;x="y" '), [
      {
        name: 'foo',
        params: [
          { name: 'bar', value: '1' },
          { name: 'baz', value: null },
        ],
      },
      { name: 'qux', params: [{ name: 'x', value: 'y' }] },
    ]);
  });

  it('ignores empty list elements (RFC 7230 §7)', () => {
    assert.deepEqual(
      parseOk(', foo ,, bar,').map((offer) => offer.name),
      ['foo', 'bar'],
    );
    assert.deepEqual(parseOk(''), []);
    assert.deepEqual(parseOk(' , '), []);
  });

  const malformed: ReadonlyArray<[string, RegExp]> = [
    [';foo', /expected an extension name at index 0/],
    ['foo;', /expected a parameter name for extension "foo" at index 4 \(found end of input\)/],
    ['foo; ;bar', /expected a parameter name/],
    ['foo bar', /expected "," or ";" at index 4/],
    ['foo; a b', /expected "," or ";"/],
    ['foo; a=', /value of parameter "a" must be a token/],
    ['foo; a=;', /value of parameter "a" must be a token/],
    ['foo; a=b=c', /expected "," or ";"/],
    ['foo; a="b', /unterminated or malformed quoted value for parameter "a"/],
    ['foo; a="b\\', /unterminated or malformed quoted value/],
    ['foo; a="b c"', /value of parameter "a" must be a token/],
    ['foo; a=""', /value of parameter "a" must be a token/],
    ['foo; a="\u0001"', /unterminated or malformed quoted value/],
    ['foo; a="b"c', /expected "," or ";"/],
    ['"foo"', /expected an extension name/],
    ['foo\r\n', /expected "," or ";" at index 3 \(found "\\r"\)/],
    ['foo, b\u00e4r', /expected "," or ";"/],
    ['foo; a=1 , =', /expected an extension name/],
  ];
  for (const [header, expected] of malformed) {
    it(`refuses ${JSON.stringify(header)} with a clear error`, () => {
      assert.match(parseError(header), expected);
    });
  }

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (header) => {
        const result = parseExtensions(header);
        assert.equal(typeof result.ok, 'boolean');
      }),
      { numRuns: 3000 },
    );
    // Strings built from the grammar's own characters reach the deeper states far more often.
    const grammarChars = fc.constantFrom('a', 'b', '=', ';', ',', ' ', '\t', '"', '\\', '1', '\r', '\u00ff');
    fc.assert(
      fc.property(fc.array(grammarChars, { maxLength: 30 }), (chars) => {
        const result = parseExtensions(chars.join(''));
        assert.equal(typeof result.ok, 'boolean');
      }),
      { numRuns: 5000 },
    );
  });
});

describe('serializeExtensions', () => {
  it('writes name; param; param=value, offers joined with ", "', () => {
    assert.equal(
      serializeExtensions([
        {
          name: 'permessage-deflate',
          params: [
            { name: 'client_max_window_bits', value: null },
            { name: 'server_max_window_bits', value: '10' },
          ],
        },
        { name: 'permessage-deflate', params: [] },
      ]),
      'permessage-deflate; client_max_window_bits; server_max_window_bits=10, permessage-deflate',
    );
    assert.equal(serializeExtensions([]), '');
  });

  const badOffers: ReadonlyArray<[string, ExtensionOffer]> = [
    ['a name with a space', { name: 'per message', params: [] }],
    ['a name with CR/LF', { name: 'x\r\nInjected: 1', params: [] }],
    ['an empty parameter name', { name: 'x', params: [{ name: '', value: null }] }],
    ['a value with CR/LF', { name: 'x', params: [{ name: 'a', value: '1\r\nInjected: 1' }] }],
    ['a value that is not a token', { name: 'x', params: [{ name: 'a', value: 'b c' }] }],
    ['an empty value', { name: 'x', params: [{ name: 'a', value: '' }] }],
  ];
  for (const [what, offer] of badOffers) {
    it(`refuses ${what}`, () => {
      assert.throws(() => serializeExtension(offer), TypeError);
    });
  }

  it('round-trips through parseExtensions', () => {
    const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,8}$/);
    // Plain prototypes, so deepEqual compares like with like.
    const param = fc.record({ name: token, value: fc.option(token, { nil: null }) }, { noNullPrototype: true });
    const offer = fc.record({ name: token, params: fc.array(param, { maxLength: 4 }) }, { noNullPrototype: true });
    fc.assert(
      fc.property(fc.array(offer, { minLength: 1, maxLength: 4 }), (offers) => {
        assert.deepEqual(parseOk(serializeExtensions(offers)), offers);
      }),
    );
  });
});
