import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryPresence } from './memory-presence.js';
import { PresenceMirror } from './presence-mirror.js';

test('PresenceMirror: loads the wanted rooms, then follows their changes synchronously', async () => {
  const presence = new MemoryPresence({ timers: false });
  await presence.add('game:1', 'a', { seat: 1 });
  await presence.add('chat', 'a');
  const seen: string[] = [];
  const mirror = new PresenceMirror(presence, (room) => room.startsWith('game:'), (change) => seen.push(`${change.type} ${change.room} ${change.member.sessionId}`));
  await mirror.ready;
  assert.deepEqual(mirror.members('game:1').get('a')?.info, { seat: 1 });
  assert.equal(mirror.size('chat'), 0, 'rooms not wanted are not mirrored');
  void presence.add('game:1', 'b', { seat: 2 });
  assert.equal(mirror.size('game:1'), 2, 'current when the in-memory call returns');
  void presence.update('game:1', 'a', { seat: 3 });
  assert.equal(mirror.members('game:1').get('a')?.info.seat, 3);
  void presence.removeSession('a');
  void presence.add('chat', 'c');
  assert.deepEqual([...mirror.members('game:1').keys()], ['b']);
  void presence.remove('game:1', 'b');
  assert.deepEqual([...mirror.rooms()], [], 'an emptied room goes');
  assert.deepEqual(seen, ['joined game:1 b', 'updated game:1 a', 'left game:1 a', 'left game:1 b']);
  mirror.close();
  void presence.add('game:1', 'd');
  assert.equal(mirror.size('game:1'), 0, 'closed: no longer follows');
  await presence.close();
});

test('PresenceMirror: a member who leaves while the first load runs is not brought back by it', async () => {
  const presence = new MemoryPresence({ timers: false });
  await presence.add('game:1', 'a');
  const mirror = new PresenceMirror(presence, () => true);
  // The load awaits; the leave lands before the load reads the members.
  void presence.remove('game:1', 'a');
  await mirror.ready;
  assert.equal(mirror.size('game:1'), 0);
  mirror.close();
  await presence.close();
});
