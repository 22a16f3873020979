import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePacket } from '@baro/protocol';
import { receiptOf } from './websocket-transport.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

test('receiptOf reads exactly what the decoder reads as a receipt, and leaves everything else to it', () => {
  for (const seq of [0, 1, 9, 10, 4711, 999_999_999_999_999]) {
    const text = `["r",${seq}]`;
    assert.equal(receiptOf(bytes(text)), seq, text);
    assert.deepEqual(decodePacket(text, 'toServer'), { ok: true, packet: { type: 'receipt', seq } });
  }
  const others = ['["r",]', '["r",01]', '["r",-1]', '["r",1.5]', '["r", 1]', '["r",1 ]', '["r",1', '["r",1e3]', '["r",1234567890123456]', '["e",1]', '["r"]', '["rr",1]', ''];
  for (const text of others) assert.equal(receiptOf(bytes(text)), -1, text);
});
