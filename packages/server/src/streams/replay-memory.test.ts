/**
 * Replay memory is per room, not per member: 5,000 real sessions (polling clients, which hold a
 * session each and cost no socket between requests) in one room, 1,000 broadcasts: the room's
 * history holds each broadcast once, the sessions hold nothing for it, and a sample of them, polling
 * again with their positions, gets every broadcast exactly once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { poll, posOf, startServer } from '../transports/test-support/http-client.js';
import type { Session } from '../session/session.js';
import { STREAM_PACKET_OVERHEAD_BYTES } from './stream-packet.js';

const SESSIONS = 5_000;
const BROADCASTS = 1_000;
const SAMPLE = 20;
const OPEN_CONCURRENCY = 50;

test(`${SESSIONS} sessions in a room, ${BROADCASTS} broadcasts: the history is held once`, { timeout: 120_000 }, async (t) => {
  const { server, base } = await startServer(t, { sessionsPerAddress: SESSIONS + 10, history: { count: BROADCASTS } });
  server.on('connection', (session: Session) => session.join('hall'));
  const opened: { sid: string; token: string; pos: string }[] = [];
  for (let next = 0; next < SESSIONS; next += OPEN_CONCURRENCY) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(OPEN_CONCURRENCY, SESSIONS - next) }, async () => {
        const answer = await poll(base, { wait: 0 }, { ms: 20_000 });
        assert.equal(answer.status, 200);
        const info = answer.packets[0][1];
        return { sid: info.sid as string, token: info.token as string, pos: posOf(info.streams) };
      }),
    );
    opened.push(...batch);
  }
  assert.equal(server.sessions.size, SESSIONS);
  assert.equal(await server.sessionsIn('hall').then((ids) => ids.length), SESSIONS);

  const payload = { text: 'the same for every member', n: 0 };
  for (let i = 1; i <= BROADCASTS; i++) server.to('hall').emit('news', { ...payload, n: i });

  const stats = server.stats();
  assert.equal(stats.historyEntries, BROADCASTS, 'each broadcast is one history entry');
  const entryBytes = Buffer.byteLength(`"news",${JSON.stringify({ ...payload, n: 1000 })}]`) + STREAM_PACKET_OVERHEAD_BYTES;
  assert.ok(stats.historyBytes <= BROADCASTS * entryBytes, `history bytes ${stats.historyBytes} are those of ${BROADCASTS} entries, whatever the members`);
  assert.equal(stats.replayPackets, 0, 'no session keeps a copy for replay');
  assert.equal(stats.queuedBytes, 0, 'no session queues them while its client is between requests');

  for (const client of opened.slice(0, SAMPLE)) {
    const answer = await poll(base, { wait: 0, sid: client.sid, token: client.token, seq: 0, pos: client.pos }, { ms: 20_000 });
    assert.equal(answer.status, 200);
    const got = answer.packets.filter((packet) => packet[0] === 'm' && packet[1] === 'hall').map((packet) => [packet[2], (packet[4] as { n: number }).n]);
    assert.equal(got.length, BROADCASTS);
    assert.ok(got.every(([offset, n], index) => offset === index + 1 && n === index + 1), 'every broadcast once, in order, at its offset');
  }
  assert.equal(server.stats().historyEntries, BROADCASTS);
});
