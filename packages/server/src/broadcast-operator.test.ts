import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BroadcastOperator } from './broadcast-operator.js';
import type { BroadcastMessage } from './hub/hub.js';
import { LocalHub } from './hub/local-hub.js';

test('BroadcastOperator: each narrowing is a new operator; the one it came from still reaches its own target', () => {
  const hub = new LocalHub();
  const deliveries: { name: string; ids: string[] }[] = [];
  hub.bind((message: BroadcastMessage, ids) => deliveries.push({ name: message.name, ids: [...ids].sort() }));
  for (const id of ['a', 'b', 'c']) hub.join(id, []);
  hub.join('a', ['red']);
  hub.join('b', ['red', 'blue']);
  hub.join('c', ['blue']);

  const red = new BroadcastOperator(hub, ['red'], [], []);
  const redAndBlue = red.to('blue');
  const redNotBlue = red.except('blue');
  const redButA = red.exceptSession('a');
  red.emit('red', null);
  redAndBlue.emit('red+blue', null);
  redNotBlue.emit('red-blue', null);
  redButA.emit('red-a', null);
  red.emit('red again', null);
  assert.deepEqual(deliveries, [
    { name: 'red', ids: ['a', 'b'] },
    { name: 'red+blue', ids: ['a', 'b', 'c'] },
    { name: 'red-blue', ids: ['a'] },
    { name: 'red-a', ids: ['b'] },
    { name: 'red again', ids: ['a', 'b'] },
  ]);
});
