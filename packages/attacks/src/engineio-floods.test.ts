/**
 * Engine.IO (issue 12) under the attacks issue 9 closed for baro's own protocol: peers that make
 * the echo server write and never take what it writes. Over long-polling the echoes wait for a GET
 * that never comes, up to `maxBufferedBytes` per session (then it is closed); over WebSocket the
 * connection stops reading a peer whose outbound bytes pass the high-water mark. 20 peers each.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { measureAttack } from './support/attack.js';
import { engineioBystander } from './support/bystander.js';
import { MiB } from './support/memory.js';
import { http } from './support/raw-http.js';
import { clientFrame, flood, Opcode, rawUpgrade } from './support/raw-websocket.js';
import { startTarget, type EchoTarget } from './support/target.js';

const PEERS = 20;
const POLLING = '/engine.io/?EIO=4&transport=polling';

let target: EchoTarget;
before(async () => {
  target = await startTarget('engineio-echo');
});
after(() => target?.stop());

const bystander = () => engineioBystander(target.port);

test('Engine.IO polling: 20 sessions POST echoes and never GET them: each closed at its buffer cap, < +150 MiB', { timeout: 60_000 }, async (t) => {
  const sids: string[] = [];
  for (let i = 0; i < PEERS; i++) {
    const opened = await http(`${target.url}${POLLING}`);
    assert.equal(opened.status, 200, opened.body);
    sids.push((JSON.parse(opened.body.slice(1)) as { sid: string }).sid);
  }
  const message = `4${'x'.repeat(900_000)}`;
  let accepted = 0;
  let refused = 0;
  await measureAttack(t, 'engine.io polling echo flood', target, { boundMiB: 150, bystander, describe: () => t.diagnostic(`engine.io polling echo flood: ${accepted} POSTs of 0.9 MB accepted, ${refused} sessions refused further POSTs`) }, async (overBound) => {
    const deadline = Date.now() + 8000;
    await Promise.all(
      sids.map(async (sid) => {
        for (let i = 0; i < 200 && Date.now() < deadline && !overBound(); i++) {
          const answer = await http(`${target.url}${POLLING}&sid=${sid}`, { method: 'POST', headers: { 'Content-Type': 'text/plain;charset=UTF-8' }, body: message, timeoutMs: 5000 }).catch(() => null);
          if (answer?.status === 200) accepted++;
          else {
            refused++;
            return;
          }
        }
      }),
    );
  });
  assert.ok(accepted >= PEERS, `${accepted} POSTs were accepted: too few to prove anything`);
  assert.equal(refused, PEERS, `${refused} of ${PEERS} sessions were closed by their buffer cap`);
});

test('Engine.IO websocket: 20 peers send echoes and never read: the server stops reading them, < +150 MiB', { timeout: 60_000 }, async (t) => {
  const peers = await Promise.all(Array.from({ length: PEERS }, () => rawUpgrade(target.port, { path: '/engine.io/?EIO=4&transport=websocket' })));
  for (const peer of peers) assert.equal(peer.status, 101);
  for (const peer of peers) peer.socket.pause();
  const frame = clientFrame(Opcode.text, `4${'x'.repeat(64 * 1024)}`);
  const sent = await measureAttack(t, 'engine.io websocket echo flood', target, { boundMiB: 150, bystander, describe: (bytes: number) => t.diagnostic(`engine.io websocket echo flood: ${(bytes / MiB).toFixed(0)} MiB sent by ${PEERS} peers that never read`) }, async (overBound) => {
    const written = await Promise.all(peers.map((peer) => flood(peer.socket, frame, { total: 64 * MiB, maxMs: 6000, stopWhen: overBound })));
    return written.reduce((sum, bytes) => sum + bytes, 0);
  });
  for (const peer of peers) peer.socket.destroy();
  assert.ok(sent > PEERS * MiB, `the peers got ${sent} bytes out: too few to prove anything`);
});
