import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runPeerToPeer } from './p2p.js';
import { peerTable } from './report.js';

// Two Chromium pages, one second of messages each way, direct then relayed.
test('peer to peer: direct costs the server next to nothing per message, relayed carries every message', { timeout: 90_000 }, async () => {
  const [direct, relayed] = await runPeerToPeer({ peers: 2, duration: 1, rate: 20 });
  console.log(`\n${peerTable([direct!, relayed!])}`);
  for (const result of [direct!, relayed!]) {
    assert.equal(result.delivered, result.sent, `${result.mode}: delivered ${result.delivered} of ${result.sent}`);
    assert.equal(result.sent, 40);
    assert.ok(result.inOrder, `${result.mode}: out of order`);
  }
  assert.deepEqual(direct!.paths, ['direct']);
  assert.deepEqual(relayed!.paths, ['relay']);
  assert.equal(direct!.relayedBytes, 0);
  assert.ok(direct!.signallingBytes > 0);
  assert.ok(direct!.bytesPerMessage < 10, `direct: ${direct!.bytesPerMessage} B per message`);
  assert.ok(relayed!.bytesPerMessage > 100, `relayed: ${relayed!.bytesPerMessage} B per message`);
});
