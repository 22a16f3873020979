/** ClockSync against the real server's ClockResponder, on each transport, with a skewed client clock. */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BaroServer, ClockResponder, type Session } from 'baro';
import type { TransportName } from '@baro/protocol';
import { clientFor, closeClients } from '../test-support/app.js';
import { ClockSync } from './clock-sync.js';

let http: Server;
let baro: BaroServer;
let responder: ClockResponder;
let url = '';
const sessions: Session[] = [];

before(async () => {
  http = createServer();
  baro = new BaroServer({ server: http });
  responder = new ClockResponder(baro);
  baro.on('connection', (session) => sessions.push(session));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterEach(closeClients);
after(async () => {
  await baro.close();
  http.closeAllConnections();
  await new Promise((resolve) => http.close(resolve));
});

/** Resolves with the first estimate made of at least `samples` exchanges. */
function settled(sync: ClockSync, samples: number, timeoutMs = 5000) {
  return new Promise<NonNullable<ClockSync['estimate']>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fewer than ${samples} samples within ${timeoutMs} ms`)), timeoutMs);
    const stop = sync.onChange((estimate) => {
      if (estimate.samples < samples) return;
      clearTimeout(timer);
      stop();
      resolve(estimate);
    });
  });
}

const SKEW = -73_456.25;
for (const transport of ['websocket', 'sse', 'long-polling', 'polling'] as TransportName[]) {
  test(`${transport}: a client clock ${SKEW} ms off is found within its stated uncertainty, and the server hears the estimate`, { timeout: 15_000 }, async () => {
    const client = clientFor({ url }, { transports: [transport] });
    const sync = new ClockSync(client, { now: () => Date.now() + SKEW, burstSpacingMs: 10, intervalMs: 50 });
    try {
      const estimate = await settled(sync, 8);
      const error = Math.abs(estimate.offsetMs + SKEW);
      // Date.now has 1 ms steps on both ends of the exchange.
      assert.ok(error <= estimate.uncertaintyMs + 1, `off by ${error} ms, uncertainty ${estimate.uncertaintyMs} ms`);
      assert.ok(Math.abs(sync.serverNow()! - Date.now()) <= estimate.uncertaintyMs + 2);
      const session = sessions.find((s) => s.id === client.sessionId)!;
      await settled(sync, 9);
      const report = responder.report(session);
      assert.ok(report && Math.abs(report.offsetMs + SKEW) <= report.uncertaintyMs + 1, `the server heard ${JSON.stringify(report)}`);
    } finally {
      sync.close();
    }
  });
}

test('a reconnect starts a new burst from scratch (the path changed)', { timeout: 15_000 }, async () => {
  const client = clientFor({ url }, { transports: ['websocket'] });
  const sync = new ClockSync(client, { burst: 3, burstSpacingMs: 5, intervalMs: 60_000 });
  try {
    await settled(sync, 3);
    for (const session of sessions) if (session.id === client.sessionId) session.disconnect(4000, 'go away');
    const fresh = await new Promise<number>((resolve) => {
      const stop = sync.onChange((estimate) => {
        stop();
        resolve(estimate.samples);
      });
    });
    assert.equal(fresh, 1, 'the first sample of the new session stands alone');
  } finally {
    sync.close();
  }
});

test('the responder ignores reports that are not numbers, and answers them anyway', { timeout: 15_000 }, async () => {
  const client = clientFor({ url }, { transports: ['websocket'] });
  const reply = (await client.emitWithAck('baro:clock' as never, { t: 1, offset: 'x', uncertainty: -1 } as never)) as unknown as { t: number };
  assert.ok(Math.abs(reply.t - Date.now()) < 1000);
  const session = sessions.find((s) => s.id === client.sessionId)!;
  assert.equal(responder.report(session), undefined);
});
