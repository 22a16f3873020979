/**
 * Issue 9, item 1: a peer sends 125-byte pings and never reads. Every automatic pong must count
 * against the peer's buffered bytes: past `maxBufferedBytes` (16 MiB) the peer is closed with 4001
 * and destroyed, and the server stops reading from it while its outbound buffer is above the
 * high-water mark. Unpatched, 400 MiB of pings grew the server by ~1 GiB in 5.5 s.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BaroCloseCode } from '@baro/protocol';
import { measureAttack } from './support/attack.js';
import { websocketBystander } from './support/bystander.js';
import { pingBurst } from './support/payloads.js';
import { flood, rawUpgrade } from './support/raw-websocket.js';
import { startTarget, type EchoTarget } from './support/target.js';
import { MiB } from './support/memory.js';

const PINGS = pingBurst();

let target: EchoTarget;
before(async () => {
  target = await startTarget('websocket-echo');
});
after(() => target?.stop());

test('a ping flood from a peer that never reads is closed with 4001, the server holding < +150 MiB', { timeout: 60_000 }, async (t) => {
  const attacker = await rawUpgrade(target.port);
  assert.equal(attacker.status, 101);
  attacker.socket.pause(); // never reads: every pong stays with the server
  const localPort = attacker.localPort;
  const sent = await measureAttack(t, 'ping flood', target, { boundMiB: 150, bystander: () => websocketBystander(target.port) }, (overBound) =>
    flood(attacker.socket, PINGS, { total: 400 * MiB, maxMs: 8000, stopWhen: () => overBound() || target.closes.some((close) => close.remotePort === localPort) }),
  );
  t.diagnostic(`ping flood: ${(sent / MiB).toFixed(0)} MiB of pings written`);
  const close = await target.closeOf(localPort, 5000);
  assert.equal(close.code, BaroCloseCode.slowConsumer);
  attacker.socket.resume();
  attacker.socket.destroy();
});
