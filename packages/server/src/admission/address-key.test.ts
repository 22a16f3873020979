import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressKey } from './address-key.js';

test('IPv4 addresses count as themselves, IPv4-mapped IPv6 ones as the IPv4 address', () => {
  assert.equal(addressKey('203.0.113.7'), '203.0.113.7');
  assert.equal(addressKey('::ffff:203.0.113.7'), '203.0.113.7');
  assert.equal(addressKey('::FFFF:127.0.0.1'), '127.0.0.1');
});

test('IPv6 addresses count by their /64, however they are written', () => {
  const key = '2001:db8:aa:1::/64';
  assert.equal(addressKey('2001:db8:aa:1::1'), key);
  assert.equal(addressKey('2001:0db8:00aa:0001:ffff:ffff:ffff:ffff'), key);
  assert.equal(addressKey('2001:DB8:AA:1:0:0:0:2'), key);
  assert.equal(addressKey('2001:db8:aa:1::1%eth0'), key);
  assert.notEqual(addressKey('2001:db8:aa:2::1'), key, 'the next /64 is another client');
  assert.equal(addressKey('::1'), '0:0:0:0::/64');
  assert.equal(addressKey('::'), '0:0:0:0::/64');
  assert.equal(addressKey('2001:db8::'), '2001:db8:0:0::/64');
  assert.equal(addressKey('64:ff9b::192.0.2.33'), '64:ff9b:0:0::/64');
});

test('anything else counts as itself; no address is "unknown"', () => {
  assert.equal(addressKey(undefined), 'unknown');
  assert.equal(addressKey(''), 'unknown');
  assert.equal(addressKey('/tmp/app.sock'), '/tmp/app.sock');
});
