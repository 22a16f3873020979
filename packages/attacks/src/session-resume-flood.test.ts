/**
 * Issue 9, item 3 (resumes): a resume with `seq=0` re-sends the whole replay buffer; 300 of them at
 * once held 171 MiB unpatched. Attaches that replay are rate-limited (`resumesPerMinute` 12, burst
 * 5): the rest are refused 429 with Retry-After, and the server stays within +150 MiB.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { measureAttack } from './support/attack.js';
import { sessionBystander } from './support/bystander.js';
import { http, packetsIn } from './support/raw-http.js';
import { startTarget, type EchoTarget } from './support/target.js';
import { waitFor } from './support/wait.js';

const RESUMES = 300;
const ECHOES = 4;
const ECHO_BYTES = 900 * 1024;

let target: EchoTarget;
before(async () => {
  target = await startTarget('baro-echo', { sessionsPerAddress: 1000 });
});
after(() => target?.stop());

test('300 resumes of a full replay buffer at once: 429 past the resume rate, < +150 MiB', { timeout: 90_000 }, async (t) => {
  const opened = await http(`${target.url}/baro/poll?wait=0`);
  assert.equal(opened.status, 200);
  const { sid, token } = packetsIn(opened.body).find((packet) => packet[0] === 'o')![1] as { sid: string; token: string };
  // Fill the replay buffer: ~3.5 MiB of answers the client never receipts (under the 4 MiB queue cap).
  const payload = 'x'.repeat(ECHO_BYTES);
  for (let i = 1; i <= ECHOES; i++) {
    const sent = await http(`${target.url}/baro/send?sid=${sid}&token=${token}`, { method: 'POST', headers: { 'Content-Type': 'application/x-ndjson' }, body: JSON.stringify(['e', i, 'echo', payload, i]) });
    assert.equal(sent.status, 200, `echo ${i}: ${sent.status} ${sent.body}`);
  }
  const head = `GET /baro/poll?wait=0&sid=${sid}&token=${token}&seq=0 HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\n\r\n`;
  const statuses: number[] = [];
  let newSessions = 0;
  const sockets: Socket[] = [];
  await measureAttack(t, 'resume flood', target, { boundMiB: 150, bystander: () => sessionBystander(target.url) }, async (overBound) => {
    // One request per connection; none reads its answer until all were sent.
    for (let i = 0; i < RESUMES; i++) {
      const socket = connect({ host: '127.0.0.1', port: target.port });
      socket.on('error', () => {});
      socket.write(head);
      socket.pause();
      sockets.push(socket);
    }
    await waitFor(() => overBound(), 3000, 'growth').catch(() => {}); // let the server answer what it will
    for (const socket of sockets) {
      let text = '';
      let counted = false;
      socket.on('data', (chunk: Buffer) => {
        if (counted) return;
        text += chunk.toString('latin1', 0, 2048);
        const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
        const body = text.indexOf('\r\n\r\n');
        if (!status || body < 0 || text.length < body + 8) return;
        counted = true;
        // A 200 that opens a session ("o") means the old one was gone: not a replay.
        if (status === '200' && text.includes('["o",')) newSessions++;
        statuses.push(Number(status));
        socket.destroy();
      });
      socket.resume();
    }
    await waitFor(() => statuses.length === RESUMES || overBound(), 30_000, 'every resume is answered');
  });
  for (const socket of sockets) socket.destroy();
  const ok = statuses.filter((status) => status === 200).length;
  const limited = statuses.filter((status) => status === 429).length;
  t.diagnostic(`resume flood: ${ok} answered 200 (${newSessions} of them a new session), ${limited} refused (429) of ${RESUMES}`);
  assert.equal(newSessions, 0, 'the session under attack was lost');
  assert.ok(ok <= 6, `${ok} resumes replayed the buffer (the burst is 5)`);
  assert.equal(ok + limited, RESUMES);
});
