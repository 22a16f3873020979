import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readQuery } from './query.js';

test('readQuery reads every parameter as URLSearchParams does, escaped or not', () => {
  const targets = [
    '/baro/poll?wait=1&sid=abc_-9&token=T0k-en&seq=12&pos=e1.5',
    '/baro/poll?sid=a&sid=b',
    '/baro/poll?&&sid=&token&seq==3&=x&pos=a=b',
    '/baro/poll?sid=a#seq=9',
    '/baro/poll#?sid=a',
    '/baro/poll',
    '/baro/poll?',
    '/baro/poll?s%69d=x&token=a+b&seq=%31%32',
    '/baro/poll?sid=%zz&token=%E2%82%AC',
    '/baro/poll?SID=upper&sidx=1&xsid=2',
  ];
  for (const target of targets) {
    const hash = target.indexOf('#');
    const expected = new URL(target, 'http://localhost').searchParams;
    const query = readQuery(target);
    for (const name of ['sid', 'token', 'seq', 'pos', 'wait', '', 'SID', 'sidx', 'x']) {
      assert.equal(query.get(name), expected.get(name), `${name} in ${target}${hash === -1 ? '' : ' (with a fragment)'}`);
    }
  }
});
