import assert from 'node:assert/strict';
import { decodePacket, type Packet } from '@baro/protocol';
import type { Carrier } from '../carrier.js';
import type { OutboundPacket } from '../../wire/outbound-packet.js';
import { baroWireFormat } from '../../wire/baro-format.js';
import { DEFAULT_SESSION_LIMITS, SessionCore, type SessionHost, type SessionLimits } from '../session-core.js';

/** A carrier that records what it is given; `writable` is switched by the test. */
export class RecordingCarrier implements Carrier {
  readonly transport = 'websocket' as const;
  streaming = true;
  readonly duplex = true;
  writable = true;
  bufferedBytes = 0;
  detached = false;
  readonly packets: Packet[] = [];
  /** The `ms` of every `holdReading` the session asked for. */
  readonly holds: number[] = [];
  holdReading(ms: number): void {
    this.holds.push(ms);
  }
  write(packets: readonly OutboundPacket[]): void {
    for (const outbound of packets) {
      const text = outbound.text(baroWireFormat);
      const decoded = decodePacket(text, 'toClient');
      assert.ok(decoded.ok, `the server wrote an invalid packet: ${text}`);
      this.packets.push(decoded.packet);
    }
  }
  detach(): void {
    this.detached = true;
  }
  events(): { seq: number; name: string; data: unknown }[] {
    return this.packets.flatMap((p) => (p.type === 'event' ? [{ seq: p.seq, name: p.name, data: p.data }] : []));
  }
}

/** A session (its core, as the server sees it) on a host whose clock the test moves. */
export function makeSession(limits: Partial<SessionLimits> = {}) {
  let now = 1_000_000;
  const ended: SessionCore[] = [];
  const joined: string[][] = [];
  const host: SessionHost = {
    now: () => now,
    join: (_s, rooms) => {
      joined.push([...rooms]);
      return [];
    },
    leave: () => {},
    replay: () => ({ joins: [], packets: [] }),
    scheduleFlush: (s) => queueMicrotask(() => s.flush()),
    ended: (s) => ended.push(s),
    handlerFailed: (_s, _e, error) => {
      throw error;
    },
  };
  const session = new SessionCore(host, { id: 'sid1', token: 'tok', remoteAddress: '127.0.0.1', limits: { ...DEFAULT_SESSION_LIMITS, ...limits } });
  return { session, ended, joined, advance: (ms: number) => (now += ms), now: () => now };
}
