// What a packet kept for replay really costs on the heap, beside what the session counts it as
// (UTF-8 bytes + PACKET_OVERHEAD_BYTES). Run after `npm run build`:
//   node --expose-gc bench/replay-cost.mjs [--count 100000]
import { Session, DEFAULT_SESSION_LIMITS } from 'baro';

const count = Number(process.argv[process.argv.indexOf('--count') + 1]) || 100_000;
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');

const host = { now: () => Date.now(), join() {}, leave() {}, ended() {}, handlerFailed() {} };
const carrier = { transport: 'websocket', streaming: true, duplex: true, writable: true, bufferedBytes: 0, write() {}, detach() {} };
const limits = { ...DEFAULT_SESSION_LIMITS, replayCount: count + 1, replayBytes: 2 ** 40, maxQueuedBytes: 2 ** 40, eventsPerSecond: 1e9, eventBurst: 1e9 };

function heap() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

async function measure(name, fill) {
  const session = new Session(host, { id: name, token: 't', remoteAddress: '127.0.0.1', limits });
  session.attach(carrier, 0, { announce: false, resumed: false });
  const before = heap();
  await fill(session);
  const after = heap();
  const real = (after - before) / session.replayCount;
  const counted = session.replayBytes / session.replayCount;
  console.log(`${name.padEnd(22)} ${String(session.replayCount).padStart(7)} packets  heap ${real.toFixed(0).padStart(5)} B each  counted ${counted.toFixed(0).padStart(5)} B each  (${(counted / real).toFixed(2)}×)`);
  session.close(1000, 'done');
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

await measure('acks (client floods)', async (session) => {
  session.on('q', (_data, ack) => ack?.(true));
  for (let i = 0; i < count; i += 1000) {
    session.receive(Array.from({ length: 1000 }, (_, j) => ({ type: 'event', seq: i + j + 1, name: 'q', data: null, ackId: i + j + 1 })));
    await tick();
  }
});
await measure('small events', async (session) => {
  for (let i = 0; i < count; i++) {
    session.emit('n', i);
    if (i % 1000 === 999) await tick();
  }
  await tick();
});
await measure('1 KB Korean events', async (session) => {
  for (let i = 0; i < count / 10; i++) {
    session.emit('k', `${i}${'바로'.repeat(170)}`);
    if (i % 1000 === 999) await tick();
  }
  await tick();
});
