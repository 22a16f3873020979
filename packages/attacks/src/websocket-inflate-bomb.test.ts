/**
 * Issue 9, item 2: with permessage-deflate, 40 connections each send one ~32 KiB message that
 * inflates to 32 MiB. The per-message limit alone let the server hold 1.4 GiB. The server must keep
 * the inflated bytes in flight bounded: with deflate `maxPayload` is 4 MiB unless set (past it:
 * 1009, too big), and a process-wide budget of inflated bytes in flight (32 MiB) closes the
 * connection holding the most with 1013 (try again later). The server stays within +150 MiB.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CloseCode } from '@baro/protocol';
import { measureAttack } from './support/attack.js';
import { websocketBystander } from './support/bystander.js';
import { MiB } from './support/memory.js';
import { inflationBomb } from './support/payloads.js';
import { rawUpgrade, type RawWebSocket } from './support/raw-websocket.js';
import { startTarget, type EchoTarget } from './support/target.js';
import { waitFor } from './support/wait.js';

const CONNECTIONS = 40;
const INFLATED = 32 * MiB;

let target: EchoTarget;
before(async () => {
  target = await startTarget('websocket-echo', { perMessageDeflate: true });
});
after(() => target?.stop());

test('40 inflation bombs at once are refused with 1009 or 1013, the server holding < +150 MiB', { timeout: 60_000 }, async (t) => {
  const frame = inflationBomb(INFLATED);
  t.diagnostic(`inflation bomb: ${frame.length} bytes on the wire inflate to ${INFLATED / MiB} MiB`);
  const attackers: RawWebSocket[] = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    const attacker = await rawUpgrade(target.port, { headers: { 'Sec-WebSocket-Extensions': 'permessage-deflate' } });
    assert.equal(attacker.status, 101);
    assert.match(attacker.responseHead, /permessage-deflate/i);
    attackers.push(attacker);
  }
  const ports = attackers.map((attacker) => attacker.localPort);
  await measureAttack(t, 'inflation bomb', target, { boundMiB: 150, bystander: () => websocketBystander(target.port) }, async (overBound) => {
    for (const attacker of attackers) attacker.socket.write(frame);
    // Each attacker is answered: closed (the fix) or its 32 MiB echoed back (unpatched).
    const settled = (): boolean => ports.every((port) => target.closes.some((close) => close.remotePort === port));
    await waitFor(() => settled() || overBound(), 20_000, 'every bomb is answered').catch(() => {});
  });
  for (const port of ports) {
    const close = await target.closeOf(port, 5000);
    assert.ok(close.code === CloseCode.messageTooBig || close.code === CloseCode.tryAgainLater, `the bomb from port ${port} was closed with ${close.code}`);
  }
  for (const attacker of attackers) attacker.socket.destroy();
});
