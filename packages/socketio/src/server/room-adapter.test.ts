import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SocketPacketType } from '../codec/index.js';
import { InMemoryRoomAdapter, type EncodedPacket, type RoomMember } from './room-adapter.js';
import { SessionHistory } from './session-history.js';

function member(id: string, writable = true): RoomMember & { got: EncodedPacket[] } {
  const got: EncodedPacket[] = [];
  return {
    id,
    got,
    deliver(encoded, flags) {
      if (flags.volatile && !writable) return false;
      got.push(encoded);
      return true;
    },
  };
}

describe('InMemoryRoomAdapter', () => {
  it('joins, leaves, and reaches rooms minus exceptions; one encoding for everyone; empty rooms go away', () => {
    const adapter = new InMemoryRoomAdapter();
    const [a, b, c] = [member('a'), member('b', false), member('c')];
    for (const m of [a, b, c]) adapter.addMember(m);
    adapter.join('a', ['red']);
    adapter.join('b', ['red', 'blue']);
    adapter.join('c', ['blue']);
    adapter.join('ghost', ['red']);
    const target = (rooms: string[], except: string[] = []) => ({ rooms: new Set(rooms), except: new Set(except) });
    assert.deepEqual([...adapter.members(target([]))].sort(), ['a', 'b', 'c']);
    assert.deepEqual([...adapter.members(target(['red']))].sort(), ['a', 'b']);
    assert.deepEqual([...adapter.members(target(['red', 'blue'], ['red']))], ['c']);
    assert.deepEqual([...adapter.members(target([], ['blue']))], ['a']);
    const reached: string[] = [];
    const count = adapter.broadcast({ type: SocketPacketType.EVENT, nsp: '/', data: ['x', Buffer.from([1])] }, target(['red', 'blue']), { volatile: true }, (id) => reached.push(id));
    assert.equal(count, 2, 'the volatile packet is dropped for the member that cannot take it');
    assert.deepEqual(reached.sort(), ['a', 'c']);
    assert.equal(a.got[0], c.got[0], 'encoded once, the same array for every member');
    assert.deepEqual(a.got[0], ['51-["x",{"_placeholder":true,"num":0}]', Buffer.from([1])]);
    adapter.leave('b', 'red');
    adapter.removeMember('c');
    assert.deepEqual([...adapter.roomsOf('b')], ['blue']);
    assert.deepEqual([...adapter.rooms.keys()].sort(), ['blue', 'red']);
    adapter.removeMember('b');
    assert.deepEqual([...adapter.rooms.keys()], ['red']);
    assert.equal(adapter.roomsOf('c').size, 0);
  });
});

describe('SessionHistory', () => {
  it('is bounded: a client behind more than maxPackets starts afresh; the oldest sessions go past maxSessions', () => {
    const history = new SessionHistory({ maxPackets: 3, maxSessions: 2, maxDisconnectionDuration: 60_000 });
    try {
      const everyone = { rooms: new Set<string>(), except: new Set<string>() };
      const data = Array.from({ length: 5 }, (_, i) => ['e', i] as unknown[]);
      history.record(data[0], everyone);
      const offset0 = data[0].at(-1) as string;
      for (const d of data.slice(1)) history.record(d, everyone);
      for (const pid of ['p1', 'p2', 'p3']) history.persist({ sid: `s-${pid}`, pid, rooms: [], data: {} });
      assert.equal(history.restore('p1', data[3].at(-1) as string), null, 'the oldest session was dropped');
      assert.equal(history.restore('p2', offset0), null, 'its offset fell out of the history');
      history.persist({ sid: 's-p4', pid: 'p4', rooms: ['r'], data: { keep: 1 } });
      const restored = history.restore('p4', data[2].at(-1) as string);
      assert.deepEqual(restored?.missedPackets.map((d) => d[1]), [3, 4]);
      assert.deepEqual(restored?.data, { keep: 1 });
      assert.equal(history.restore('p4', data[2].at(-1) as string), null, 'a session is restored once');
    } finally {
      history.close();
    }
  });

  it('sweep drops expired sessions and packets; options are checked', () => {
    const history = new SessionHistory({ maxDisconnectionDuration: 1000 });
    try {
      const d = ['e'];
      history.record(d, { rooms: new Set(), except: new Set() });
      history.persist({ sid: 's', pid: 'p', rooms: [], data: {} });
      history.sweep(Date.now() + 2000);
      assert.equal(history.restore('p', d.at(-1) as string), null);
    } finally {
      history.close();
    }
    assert.throws(() => new SessionHistory({ maxPackets: 0 }), RangeError);
    assert.throws(() => new SessionHistory({ maxDisconnectionDuration: Number.NaN }), RangeError);
  });
});
