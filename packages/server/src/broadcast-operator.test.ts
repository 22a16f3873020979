import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BroadcastOperator, type Publish } from './broadcast-operator.js';

test('BroadcastOperator: each narrowing is a new operator; the one it came from still reaches its own target', () => {
  const published: { name: string; rooms: readonly string[]; exceptRooms: readonly string[]; exceptSessions: readonly string[] }[] = [];
  const publish: Publish = (target, name) => published.push({ name, ...target });

  const red = new BroadcastOperator(publish, ['red'], [], []);
  const redAndBlue = red.to('blue');
  const redNotBlue = red.except('blue');
  const redButA = red.exceptSession('a');
  red.emit('red', null);
  redAndBlue.emit('red+blue', null);
  redNotBlue.emit('red-blue', null);
  redButA.emit('red-a', null);
  red.emit('red again', null);
  assert.deepEqual(published, [
    { name: 'red', rooms: ['red'], exceptRooms: [], exceptSessions: [] },
    { name: 'red+blue', rooms: ['red', 'blue'], exceptRooms: [], exceptSessions: [] },
    { name: 'red-blue', rooms: ['red'], exceptRooms: ['blue'], exceptSessions: [] },
    { name: 'red-a', rooms: ['red'], exceptRooms: [], exceptSessions: ['a'] },
    { name: 'red again', rooms: ['red'], exceptRooms: [], exceptSessions: [] },
  ]);
});
