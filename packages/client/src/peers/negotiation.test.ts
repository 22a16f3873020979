import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ignoresOffer, isPolite } from './negotiation.js';

test('exactly one of two peers is polite, whichever side computes it', () => {
  for (const [a, b] of [['x1', 'x2'], ['B', 'a'], ['same-prefix', 'same-prefix-2']]) {
    assert.notEqual(isPolite(a, b), isPolite(b, a));
  }
});

test('only an impolite peer with an offer of its own out ignores an arriving offer', () => {
  const stable = { makingOffer: false, signalingState: 'stable' };
  const offering = { makingOffer: false, signalingState: 'have-local-offer' };
  const making = { makingOffer: true, signalingState: 'stable' };
  assert.equal(ignoresOffer({ polite: false, ...stable }, 'offer'), false);
  assert.equal(ignoresOffer({ polite: false, ...offering }, 'offer'), true);
  assert.equal(ignoresOffer({ polite: false, ...making }, 'offer'), true);
  assert.equal(ignoresOffer({ polite: true, ...offering }, 'offer'), false, 'the polite one rolls back instead');
  assert.equal(ignoresOffer({ polite: false, ...offering }, 'answer'), false, 'answers are never ignored');
});
