/**
 * The attacks' bytes, shared by the tests and bench/soak.mjs: built once, written many times.
 */
import { constants, deflateRawSync } from 'node:zlib';
import { clientFrame, Opcode } from './raw-websocket.js';

/** 8,192 masked 125-byte pings in one buffer (~1 MiB). */
export function pingBurst(): Buffer {
  const ping = clientFrame(Opcode.ping, Buffer.alloc(125, 0x70));
  return Buffer.concat(Array.from({ length: 8192 }, () => ping));
}

/** One permessage-deflate message of zeros (RFC 7692: sync-flushed, without the trailing 00 00 ff ff). */
export function inflationBomb(inflatedBytes: number, opcode: number = Opcode.binary): Buffer {
  const compressed = deflateRawSync(Buffer.alloc(inflatedBytes), { level: 9, finishFlush: constants.Z_SYNC_FLUSH });
  return clientFrame(opcode, compressed.subarray(0, compressed.length - 4), { rsv1: true });
}

/** `count` session events from `firstSeq` on, each asking for an answer: half with a reserved name, half echoes. */
export function refusedEvents(firstSeq: number, count: number): Buffer {
  return Buffer.concat(
    Array.from({ length: count }, (_, i) => {
      const seq = firstSeq + i;
      return clientFrame(Opcode.text, JSON.stringify(['e', seq, i % 2 === 0 ? 'disconnect' : 'echo', '바로', seq]));
    }),
  );
}

/** A message that never ends: its first 1-byte fragment, and a burst of 1-byte continuations. */
export function tinyFragments(burst = 10_000): { first: Buffer; continuations: Buffer; frameBytes: number } {
  const continuation = clientFrame(Opcode.continuation, 'x', { fin: false });
  return { first: clientFrame(Opcode.text, 'x', { fin: false }), continuations: Buffer.concat(Array.from({ length: burst }, () => continuation)), frameBytes: continuation.length };
}
