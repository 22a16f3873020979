/**
 * Frames no client should send, from many connections at once: a message in more fragments than
 * `maxFragments` (100,000) allows, frames that declare more than `maxPayload` (64 MiB), and text
 * that is not UTF-8. Each is refused with its close code (1009, 1009, 1007) before the server
 * holds what the frame announces.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CloseCode } from '@baro/protocol';
import { measureAttack } from './support/attack.js';
import { websocketBystander } from './support/bystander.js';
import { clientFrame, flood, Opcode, rawUpgrade, type RawWebSocket } from './support/raw-websocket.js';
import { startTarget, type EchoTarget } from './support/target.js';
import { tinyFragments } from './support/payloads.js';

let target: EchoTarget;
before(async () => {
  target = await startTarget('websocket-echo');
});
after(() => target?.stop());

async function attackers(count: number): Promise<RawWebSocket[]> {
  const list: RawWebSocket[] = [];
  for (let i = 0; i < count; i++) {
    const attacker = await rawUpgrade(target.port);
    assert.equal(attacker.status, 101);
    list.push(attacker);
  }
  return list;
}

async function expectCloses(list: RawWebSocket[], code: number): Promise<void> {
  for (const attacker of list) {
    const close = await target.closeOf(attacker.localPort, 10_000);
    assert.equal(close.code, code, `closed with ${close.code}, expected ${code}`);
    attacker.socket.destroy();
  }
}

test('many tiny fragments: 10 connections past maxFragments are closed with 1009, < +100 MiB', { timeout: 60_000 }, async (t) => {
  const list = await attackers(10);
  // One text message of 1-byte fragments: a first frame, then continuations, never a final one.
  const { first, continuations: burst, frameBytes } = tinyFragments();
  await measureAttack(t, 'tiny fragments', target, { boundMiB: 100, bystander: () => websocketBystander(target.port) }, async (overBound) => {
    await Promise.all(
      list.map((attacker) => {
        attacker.socket.write(first);
        const port = attacker.localPort;
        return flood(attacker.socket, burst, { total: 120_000 * frameBytes, maxMs: 10_000, stopWhen: () => overBound() || target.closes.some((close) => close.remotePort === port) });
      }),
    );
  });
  await expectCloses(list, CloseCode.messageTooBig);
});

test('oversize frames: lengths past maxPayload (up to 2^62) are refused with 1009 from the header alone', { timeout: 60_000 }, async (t) => {
  const list = await attackers(50);
  await measureAttack(t, 'oversize frames', target, { boundMiB: 50, bystander: () => websocketBystander(target.port) }, async () => {
    list.forEach((attacker, i) => {
      const declared = i % 2 === 0 ? 64n * 1024n * 1024n + 1n : 2n ** 62n;
      // The header and a first 64 KiB: the server must not wait for (or reserve) the rest.
      attacker.socket.write(clientFrame(Opcode.binary, Buffer.alloc(64 * 1024), { declaredLength: declared }));
    });
    await expectCloses(list, CloseCode.messageTooBig);
  });
});

test('invalid UTF-8 in text (whole, across fragments, in a close reason) is refused with 1007', { timeout: 60_000 }, async (t) => {
  const list = await attackers(30);
  const invalid = [
    clientFrame(Opcode.text, Buffer.from([0x68, 0x69, 0xff, 0xfe])),
    // A valid lead byte in one fragment, an invalid continuation in the next.
    Buffer.concat([clientFrame(Opcode.text, Buffer.from([0xe2, 0x82]), { fin: false }), clientFrame(Opcode.continuation, Buffer.from([0x41]))]),
    clientFrame(Opcode.close, Buffer.from([0x03, 0xe8, 0xc3, 0x28])),
  ];
  await measureAttack(t, 'invalid UTF-8', target, { boundMiB: 50, bystander: () => websocketBystander(target.port) }, async () => {
    list.forEach((attacker, i) => attacker.socket.write(invalid[i % invalid.length]));
    await expectCloses(list, CloseCode.invalidPayload);
  });
});
