import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeflateParams } from '../types.js';
import { type ExtensionOffer, parseExtensions } from './extensions-header.js';
import {
  type ClientDeflateOptions,
  type ServerDeflateOptions,
  buildDeflateOffer,
  checkDeflateOffer,
  negotiateDeflateAsClient,
  negotiateDeflateAsServer,
} from './permessage-deflate-negotiation.js';

function parse(header: string): ExtensionOffer[] {
  const result = parseExtensions(header);
  if (!result.ok) throw new Error(result.error);
  return result.extensions;
}

const DEFAULTS: DeflateParams = {
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
};

function params(overrides: Partial<DeflateParams>): DeflateParams {
  return { ...DEFAULTS, ...overrides };
}

describe('negotiateDeflateAsServer (RFC 7692 §7.1, server side)', () => {
  const accepted: ReadonlyArray<[string, string, ServerDeflateOptions, string, DeflateParams]> = [
    ['a bare offer', 'permessage-deflate', {}, 'permessage-deflate', DEFAULTS],
    ['client_max_window_bits without a value and no limit of ours', 'permessage-deflate; client_max_window_bits', {}, 'permessage-deflate', DEFAULTS],
    // §7.1.1.1
    ['server_no_context_takeover offered', 'permessage-deflate; server_no_context_takeover', {},
      'permessage-deflate; server_no_context_takeover', params({ serverNoContextTakeover: true })],
    ['server_no_context_takeover from our options', 'permessage-deflate', { serverNoContextTakeover: true },
      'permessage-deflate; server_no_context_takeover', params({ serverNoContextTakeover: true })],
    // §7.1.1.2
    ['client_no_context_takeover offered (confirmed)', 'permessage-deflate; client_no_context_takeover', {},
      'permessage-deflate; client_no_context_takeover', params({ clientNoContextTakeover: true })],
    ['client_no_context_takeover from our options', 'permessage-deflate', { clientNoContextTakeover: true },
      'permessage-deflate; client_no_context_takeover', params({ clientNoContextTakeover: true })],
    // §7.1.2.1
    ['server_max_window_bits=10 offered', 'permessage-deflate; server_max_window_bits=10', {},
      'permessage-deflate; server_max_window_bits=10', params({ serverMaxWindowBits: 10 })],
    ['server_max_window_bits=10 offered, ours 12: the smaller wins', 'permessage-deflate; server_max_window_bits=10',
      { serverMaxWindowBits: 12 }, 'permessage-deflate; server_max_window_bits=10', params({ serverMaxWindowBits: 10 })],
    ['server_max_window_bits=10 offered, ours 9', 'permessage-deflate; server_max_window_bits=10',
      { serverMaxWindowBits: 9 }, 'permessage-deflate; server_max_window_bits=9', params({ serverMaxWindowBits: 9 })],
    ['server_max_window_bits not offered, ours 11', 'permessage-deflate', { serverMaxWindowBits: 11 },
      'permessage-deflate; server_max_window_bits=11', params({ serverMaxWindowBits: 11 })],
    ['server_max_window_bits as a quoted string', 'permessage-deflate; server_max_window_bits="8"', {},
      'permessage-deflate; server_max_window_bits=8', params({ serverMaxWindowBits: 8 })],
    // §7.1.2.2
    ['client_max_window_bits without a value, ours 10', 'permessage-deflate; client_max_window_bits',
      { clientMaxWindowBits: 10 }, 'permessage-deflate; client_max_window_bits=10', params({ clientMaxWindowBits: 10 })],
    ['client_max_window_bits=12, ours 10', 'permessage-deflate; client_max_window_bits=12', { clientMaxWindowBits: 10 },
      'permessage-deflate; client_max_window_bits=10', params({ clientMaxWindowBits: 10 })],
    ['client_max_window_bits=9, ours 10', 'permessage-deflate; client_max_window_bits=9', { clientMaxWindowBits: 10 },
      'permessage-deflate; client_max_window_bits=9', params({ clientMaxWindowBits: 9 })],
    ['client_max_window_bits=12 and no limit of ours: echoed', 'permessage-deflate; client_max_window_bits=12', {},
      'permessage-deflate; client_max_window_bits=12', params({ clientMaxWindowBits: 12 })],
    ['client_max_window_bits not offered, ours 10: must not be sent, client keeps 15', 'permessage-deflate',
      { clientMaxWindowBits: 10 }, 'permessage-deflate', DEFAULTS],
    ['all four', 'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=12; client_max_window_bits=11',
      { serverMaxWindowBits: 13, clientMaxWindowBits: 10 },
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=12; client_max_window_bits=10',
      { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 12, clientMaxWindowBits: 10 }],
    ['other extensions before it are skipped', 'x-webkit-deflate-frame, permessage-deflate; server_max_window_bits=9', {},
      'permessage-deflate; server_max_window_bits=9', params({ serverMaxWindowBits: 9 })],
  ];
  for (const [what, offer, options, response, expected] of accepted) {
    it(`accepts ${what}`, () => {
      const agreement = negotiateDeflateAsServer(parse(offer), options);
      assert.ok(agreement, 'expected the offer to be accepted');
      assert.equal(agreement.response, response);
      assert.deepEqual(agreement.params, expected);
    });
  }

  // §7: decline offers with unknown, duplicate or invalid parameters.
  const invalidOffers: ReadonlyArray<[string, string]> = [
    ['server_max_window_bits=7', 'permessage-deflate; server_max_window_bits=7'],
    ['server_max_window_bits=16', 'permessage-deflate; server_max_window_bits=16'],
    ['server_max_window_bits=08 (leading zero)', 'permessage-deflate; server_max_window_bits=08'],
    ['server_max_window_bits=+9', 'permessage-deflate; server_max_window_bits=+9'],
    ['server_max_window_bits without a value', 'permessage-deflate; server_max_window_bits'],
    ['client_max_window_bits=7', 'permessage-deflate; client_max_window_bits=7'],
    ['client_max_window_bits=16', 'permessage-deflate; client_max_window_bits=16'],
    ['client_max_window_bits=abc', 'permessage-deflate; client_max_window_bits=abc'],
    ['server_no_context_takeover with a value', 'permessage-deflate; server_no_context_takeover=1'],
    ['client_no_context_takeover with a quoted value', 'permessage-deflate; client_no_context_takeover="true"'],
    ['a repeated server_max_window_bits', 'permessage-deflate; server_max_window_bits=10; server_max_window_bits=10'],
    ['a repeated client_no_context_takeover', 'permessage-deflate; client_no_context_takeover; client_no_context_takeover'],
    ['a repeated client_max_window_bits', 'permessage-deflate; client_max_window_bits; client_max_window_bits=9'],
    ['an unknown parameter', 'permessage-deflate; mem_level=8'],
    ['a parameter named in another case', 'permessage-deflate; Server_No_Context_Takeover'],
  ];
  for (const [what, offer] of invalidOffers) {
    it(`declines an offer with ${what}, and takes the valid fallback after it`, () => {
      assert.equal(negotiateDeflateAsServer(parse(offer)), null);
      const withFallback = negotiateDeflateAsServer(parse(`${offer}, permessage-deflate; client_no_context_takeover`));
      assert.ok(withFallback);
      assert.equal(withFallback.response, 'permessage-deflate; client_no_context_takeover');
    });
  }

  it('takes the first acceptable offer when several are valid', () => {
    const agreement = negotiateDeflateAsServer(
      parse('permessage-deflate; server_max_window_bits=10, permessage-deflate'),
    );
    assert.equal(agreement?.response, 'permessage-deflate; server_max_window_bits=10');
  });

  it('returns null when permessage-deflate is not offered', () => {
    assert.equal(negotiateDeflateAsServer(parse('x-foo; a=1')), null);
    assert.equal(negotiateDeflateAsServer([]), null);
  });

  for (const bits of [7, 16, 10.5, Number.NaN]) {
    it(`throws a RangeError for window bits option ${bits}`, () => {
      assert.throws(() => negotiateDeflateAsServer([], { serverMaxWindowBits: bits }), RangeError);
      assert.throws(() => negotiateDeflateAsServer([], { clientMaxWindowBits: bits }), RangeError);
    });
  }
});

describe('buildDeflateOffer', () => {
  it('offers client_max_window_bits without a value by default', () => {
    assert.equal(buildDeflateOffer(), 'permessage-deflate; client_max_window_bits');
  });

  it('writes all four parameters', () => {
    assert.equal(
      buildDeflateOffer({
        serverNoContextTakeover: true,
        clientNoContextTakeover: true,
        serverMaxWindowBits: 10,
        clientMaxWindowBits: 12,
      }),
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12',
    );
  });

  it('leaves client_max_window_bits out when asked', () => {
    assert.equal(buildDeflateOffer({ clientMaxWindowBits: false }), 'permessage-deflate');
  });

  for (const bits of [7, 16, 9.5]) {
    it(`throws a RangeError for window bits ${bits}`, () => {
      assert.throws(() => buildDeflateOffer({ serverMaxWindowBits: bits }), RangeError);
      assert.throws(() => buildDeflateOffer({ clientMaxWindowBits: bits }), RangeError);
    });
  }
});

describe('checkDeflateOffer', () => {
  it('passes a valid offer and names the problem of an invalid one', () => {
    assert.equal(checkDeflateOffer(parse('permessage-deflate; client_max_window_bits')[0]), null);
    assert.match(checkDeflateOffer(parse('permessage-deflate; server_max_window_bits=16')[0]) ?? '', /server_max_window_bits/);
  });
});

describe('negotiateDeflateAsClient (RFC 7692 §7.1, client side)', () => {
  function client(offer: string, response: string): ReturnType<typeof negotiateDeflateAsClient> {
    return negotiateDeflateAsClient(parse(offer), parse(response));
  }

  function agreed(offer: string, response: string): DeflateParams | null {
    const result = client(offer, response);
    if (!result.ok) assert.fail(`expected ${JSON.stringify(response)} to be accepted, got: ${result.reason}`);
    return result.params;
  }

  function refused(offer: string, response: string): string {
    const result = client(offer, response);
    if (result.ok) assert.fail(`expected ${JSON.stringify(response)} to be refused, got ${JSON.stringify(result.params)}`);
    return result.reason;
  }

  it('gives null params when the server did not accept permessage-deflate', () => {
    assert.equal(agreed('permessage-deflate', ''), null);
    assert.equal(agreed('permessage-deflate, x-foo', 'x-foo'), null);
  });

  it('accepts a bare response with default parameters', () => {
    assert.deepEqual(agreed('permessage-deflate; client_max_window_bits', 'permessage-deflate'), DEFAULTS);
  });

  it('refuses permessage-deflate when it was not offered', () => {
    assert.match(refused('x-foo', 'permessage-deflate'), /not offered/);
  });

  it('refuses permessage-deflate accepted twice (RFC 7692 §5)', () => {
    assert.match(refused('permessage-deflate', 'permessage-deflate, permessage-deflate'), /more than once/);
  });

  // §7.1.1.1
  it('requires a requested server_no_context_takeover to be confirmed', () => {
    assert.match(refused('permessage-deflate; server_no_context_takeover', 'permessage-deflate'), /server_no_context_takeover was requested/);
    assert.deepEqual(
      agreed('permessage-deflate; server_no_context_takeover', 'permessage-deflate; server_no_context_takeover'),
      params({ serverNoContextTakeover: true }),
    );
  });

  it('accepts server_no_context_takeover the client did not request', () => {
    assert.deepEqual(
      agreed('permessage-deflate', 'permessage-deflate; server_no_context_takeover'),
      params({ serverNoContextTakeover: true }),
    );
  });

  // §7.1.1.2
  it('honours client_no_context_takeover from the server, or its own announcement', () => {
    assert.deepEqual(agreed('permessage-deflate', 'permessage-deflate; client_no_context_takeover'), params({ clientNoContextTakeover: true }));
    assert.deepEqual(agreed('permessage-deflate; client_no_context_takeover', 'permessage-deflate'), params({ clientNoContextTakeover: true }));
  });

  // §7.1.2.1
  it('checks server_max_window_bits against the request', () => {
    const offer = 'permessage-deflate; server_max_window_bits=10';
    assert.match(refused(offer, 'permessage-deflate'), /server_max_window_bits was requested but not confirmed/);
    assert.match(refused(offer, 'permessage-deflate; server_max_window_bits=11'), /larger than the 10 requested/);
    assert.deepEqual(agreed(offer, 'permessage-deflate; server_max_window_bits=10'), params({ serverMaxWindowBits: 10 }));
    assert.deepEqual(agreed(offer, 'permessage-deflate; server_max_window_bits=9'), params({ serverMaxWindowBits: 9 }));
  });

  it('accepts a server_max_window_bits the client did not request', () => {
    assert.deepEqual(agreed('permessage-deflate', 'permessage-deflate; server_max_window_bits=12'), params({ serverMaxWindowBits: 12 }));
  });

  // §7.1.2.2
  it('refuses client_max_window_bits in a response when the client did not offer it', () => {
    assert.match(refused('permessage-deflate', 'permessage-deflate; client_max_window_bits=10'), /client_max_window_bits was not offered/);
  });

  it('refuses client_max_window_bits without a value in a response', () => {
    assert.match(refused('permessage-deflate; client_max_window_bits', 'permessage-deflate; client_max_window_bits'), /invalid client_max_window_bits value \(missing\)/);
  });

  it('takes the server limit on client_max_window_bits, never above the offered value', () => {
    assert.deepEqual(agreed('permessage-deflate; client_max_window_bits', 'permessage-deflate; client_max_window_bits=9'), params({ clientMaxWindowBits: 9 }));
    assert.deepEqual(agreed('permessage-deflate; client_max_window_bits=10', 'permessage-deflate; client_max_window_bits=9'), params({ clientMaxWindowBits: 9 }));
    assert.match(refused('permessage-deflate; client_max_window_bits=10', 'permessage-deflate; client_max_window_bits=12'), /larger than the 10 offered/);
  });

  it('keeps its own announced client_max_window_bits when the server is silent', () => {
    assert.deepEqual(agreed('permessage-deflate; client_max_window_bits=10', 'permessage-deflate'), params({ clientMaxWindowBits: 10 }));
  });

  const invalidResponses: ReadonlyArray<[string, RegExp]> = [
    ['permessage-deflate; server_max_window_bits=7', /invalid server_max_window_bits value "7"/],
    ['permessage-deflate; server_max_window_bits=16', /invalid server_max_window_bits value "16"/],
    ['permessage-deflate; server_max_window_bits', /invalid server_max_window_bits value \(missing\)/],
    ['permessage-deflate; client_max_window_bits=7', /invalid client_max_window_bits value "7"/],
    ['permessage-deflate; client_max_window_bits=16', /invalid client_max_window_bits value "16"/],
    ['permessage-deflate; server_no_context_takeover=true', /server_no_context_takeover must not have a value/],
    ['permessage-deflate; client_no_context_takeover=1', /client_no_context_takeover must not have a value/],
    ['permessage-deflate; server_no_context_takeover; server_no_context_takeover', /duplicate parameter server_no_context_takeover/],
    ['permessage-deflate; server_max_window_bits=9; server_max_window_bits=9', /duplicate parameter server_max_window_bits/],
    ['permessage-deflate; x=1', /unknown parameter x/],
  ];
  for (const [response, reason] of invalidResponses) {
    it(`refuses the response ${JSON.stringify(response)}`, () => {
      assert.match(refused('permessage-deflate; client_max_window_bits', response), reason);
    });
  }

  it('accepts a response that fits any of several offers', () => {
    const offers = 'permessage-deflate; server_max_window_bits=10, permessage-deflate';
    assert.deepEqual(agreed(offers, 'permessage-deflate'), DEFAULTS);
    assert.deepEqual(agreed(offers, 'permessage-deflate; server_max_window_bits=10'), params({ serverMaxWindowBits: 10 }));
    // Fits neither: the first offer's objection is reported.
    assert.match(
      refused('permessage-deflate; server_max_window_bits=10, permessage-deflate; client_max_window_bits=9', 'permessage-deflate; server_max_window_bits=12; client_max_window_bits=10'),
      /larger than the 10 requested/,
    );
  });
});

describe('server and client agree', () => {
  it('on every combination of options: the client accepts the server answer with the same params', () => {
    const flags = [false, true];
    const serverBits = [undefined, 8, 10, 15];
    const clientOfferBits: Array<ClientDeflateOptions['clientMaxWindowBits']> = [undefined, false, 9, 15];
    let combinations = 0;
    for (const offerServerNct of flags) for (const offerClientNct of flags) for (const offerServerBits of serverBits) {
      for (const offerClientBits of clientOfferBits) {
        const offer = buildDeflateOffer({
          serverNoContextTakeover: offerServerNct,
          clientNoContextTakeover: offerClientNct,
          serverMaxWindowBits: offerServerBits,
          clientMaxWindowBits: offerClientBits,
        });
        for (const serverNct of flags) for (const clientNct of flags) for (const ownServerBits of serverBits) {
          for (const ownClientBits of serverBits) {
            const options = { serverNoContextTakeover: serverNct, clientNoContextTakeover: clientNct, serverMaxWindowBits: ownServerBits, clientMaxWindowBits: ownClientBits };
            const agreement = negotiateDeflateAsServer(parse(offer), options);
            assert.ok(agreement, `server declined ${offer}`);
            const answer = negotiateDeflateAsClient(parse(offer), parse(agreement.response));
            assert.ok(answer.ok, `client refused ${agreement.response} for ${offer}: ${answer.ok ? '' : answer.reason}`);
            assert.deepEqual(answer.params, agreement.params, `${offer} -> ${agreement.response}`);
            combinations++;
          }
        }
      }
    }
    assert.equal(combinations, 64 * 64);
  });
});
