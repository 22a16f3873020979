/**
 * Issue 9, item 1: a peer sends 125-byte pings and never reads. Unpatched, every automatic pong
 * went to the socket unchecked: 400 MiB of pings grew the server by ~1 GiB in 5.5 s. Now every
 * byte written counts against `maxBufferedBytes`, and pongs wait while the socket is backed up, so
 * that only the newest ping is answered (RFC 6455 §5.5.3): a ping flood alone is no reason to close
 * (engineer A's choice), the server holds < +150 MiB, and when the peer reads at last it gets the
 * pong of its newest ping.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { measureAttack } from './support/attack.js';
import { websocketBystander } from './support/bystander.js';
import { MiB } from './support/memory.js';
import { pingBurst } from './support/payloads.js';
import { clientFrame, flood, Opcode, rawUpgrade } from './support/raw-websocket.js';
import { startTarget, type EchoTarget } from './support/target.js';
import { waitFor } from './support/wait.js';

const PINGS = pingBurst();

let target: EchoTarget;
before(async () => {
  target = await startTarget('websocket-echo');
});
after(() => target?.stop());

test('a ping flood from a peer that never reads: < +150 MiB, open, and the newest ping answered once it reads', { timeout: 60_000 }, async (t) => {
  let pongs = 0;
  const newest = Buffer.from('the newest ping');
  let newestAnswered = false;
  const attacker = await rawUpgrade(target.port, {
    onFrame: (frame) => {
      if (frame.opcode !== Opcode.pong) return;
      pongs++;
      if (frame.payload.equals(newest)) newestAnswered = true;
    },
  });
  assert.equal(attacker.status, 101);
  attacker.socket.pause(); // never reads: every pong stays with the server
  const closedByServer = (): boolean => target.closes.some((close) => close.remotePort === attacker.localPort);
  const sent = await measureAttack(t, 'ping flood', target, { boundMiB: 150, bystander: () => websocketBystander(target.port), describe: (bytes: number) => t.diagnostic(`ping flood: ${(bytes / MiB).toFixed(0)} MiB of pings written`) }, (overBound) =>
    flood(attacker.socket, PINGS, { total: 400 * MiB, maxMs: 8000, stopWhen: () => overBound() || closedByServer() }),
  );
  assert.equal(closedByServer(), false, `the server closed the flooding peer: ${JSON.stringify(target.closes)}`);
  attacker.socket.write(clientFrame(Opcode.ping, newest));
  attacker.socket.resume();
  await waitFor(() => newestAnswered, 30_000, 'the pong of the newest ping');
  const pings = sent / (PINGS.length / 8192);
  t.diagnostic(`ping flood: ${pongs} pongs for ${pings} pings`);
  assert.ok(pongs < pings / 10, `${pongs} pongs for ${pings} pings: the server answered pings it should have folded`);
  attacker.socket.destroy();
});
