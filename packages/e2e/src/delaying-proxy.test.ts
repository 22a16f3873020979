/** DelayingProxy: each direction held for its delay (+ jitter), bytes in order, ends passed on. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { DelayingProxy } from '@baro/testing';

test('a round trip through a 40 ms link takes 80 ms or more; jittered chunks arrive whole and in order', { timeout: 15_000 }, async () => {
  const echo = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  const proxy = await DelayingProxy.start((echo.address() as AddressInfo).port, { delayMs: 40, jitterMs: 15 });
  const socket: Socket = connect(proxy.port, '127.0.0.1');
  try {
    await new Promise((resolve) => socket.once('connect', resolve));
    let received = '';
    const arrived = (length: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${received.length} of ${length} bytes came back`)), 5000);
        const check = (): void => {
          if (received.length < length) return;
          clearTimeout(timer);
          socket.off('data', onData);
          resolve();
        };
        const onData = (chunk: Buffer): void => {
          received += chunk.toString();
          check();
        };
        socket.on('data', onData);
      });
    const sentAt = performance.now();
    const first = arrived(1);
    socket.write('x');
    await first;
    const rtt = performance.now() - sentAt;
    assert.ok(rtt >= 79, `round trip ${rtt.toFixed(1)} ms`);
    // 200 chunks written apart, each with its own jitter: the stream comes back exactly as sent.
    const expected = 'x' + Array.from({ length: 200 }, (_, i) => `<${i}>`).join('');
    const all = arrived(expected.length);
    for (let i = 0; i < 200; i++) {
      socket.write(`<${i}>`);
      if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await all;
    assert.equal(received, expected);
  } finally {
    socket.destroy();
    await proxy.close();
    await new Promise((resolve) => echo.close(resolve));
  }
});
