import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AddressBuckets, addressKey, retryAfterSeconds } from './address-buckets.js';

test('an address gets its burst, then one token per refill interval; others are not affected', () => {
  let now = 0;
  const buckets = new AddressBuckets({ perMinute: 6, burst: 3, now: () => now });
  for (let i = 0; i < 3; i++) assert.equal(buckets.take('10.0.0.1'), 0);
  assert.equal(buckets.take('10.0.0.1'), 10_000, 'the fourth waits for one token (6 a minute: 10 s)');
  assert.equal(buckets.take('10.0.0.2'), 0);
  now = 9_000;
  assert.equal(buckets.wait('10.0.0.1'), 1_000);
  now = 10_000;
  assert.equal(buckets.take('10.0.0.1'), 0);
  assert.equal(buckets.take('10.0.0.1'), 10_000);
  assert.equal(retryAfterSeconds(10_000), 10);
  assert.equal(retryAfterSeconds(1), 1);
});

test('IPv6 addresses share a bucket per /64; IPv4-mapped addresses are their IPv4 address', () => {
  assert.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(addressKey('::1'), '0:0:0:0::/64');
  assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
  assert.equal(addressKey('::ffff:192.0.2.7'), '192.0.2.7');
  assert.equal(addressKey('192.0.2.7'), '192.0.2.7');

  const buckets = new AddressBuckets({ perMinute: 1, burst: 1, now: () => 0 });
  assert.equal(buckets.take('2001:db8:1:2::1'), 0);
  assert.ok(buckets.take('2001:db8:1:2::99') > 0, 'another address of the same /64');
  assert.equal(buckets.take('2001:db8:1:3::1'), 0, 'another /64');
});

test('the addresses tracked stay bounded: refilled buckets are forgotten first, else the oldest', () => {
  let now = 0;
  const buckets = new AddressBuckets({ perMinute: 60, burst: 2, maxAddresses: 100, now: () => now });
  for (let i = 0; i < 1000; i++) buckets.take(`10.0.${i >> 8}.${i & 255}`);
  assert.equal(buckets.size, 100);
  buckets.take('10.9.9.9');
  buckets.take('10.9.9.9');
  now = 2_000;
  buckets.take('10.8.8.8');
  assert.ok(buckets.size <= 100);
  assert.ok(buckets.wait('10.9.9.9') === 0, 'a refilled bucket');
});
