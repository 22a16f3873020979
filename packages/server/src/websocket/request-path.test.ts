import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathOf } from './request-path.js';

test('pathOf: the path as a URL parser has it, for routes and upgrades alike', () => {
  const cases: [string | undefined, string][] = [
    [undefined, '/'],
    ['', '/'],
    ['/baro/ws', '/baro/ws'],
    ['/baro/ws?sid=1&token=2', '/baro/ws'],
    ['/baro/ws#frag', '/baro/ws'],
    ['/baro/x/../ws', '/baro/ws'],
    ['/baro/%77s', '/baro/%77s'],
    ['/baro\\ws', '/baro/ws'],
    ['//evil.example/baro/ws', '/baro/ws'],
  ];
  for (const [target, path] of cases) {
    assert.equal(pathOf(target), path, String(target));
    if (target) assert.equal(pathOf(target), new URL(target, 'http://localhost').pathname);
  }
});
