/**
 * SockJS (issue 13) under the attacks issue 9 closed for baro's own protocol: peers that make the
 * echo server write and never read what it writes. Over `websocket` the connection stops reading a
 * peer whose outbound bytes pass the high-water mark (baro's WebSocket core); over `xhr_streaming`
 * a response carries at most `response_limit`, and what waits without a receiving connection is
 * capped by `maxBufferedBytes` (the session then closes). Each attack: 20 peers, < +150 MiB.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { measureAttack } from './support/attack.js';
import { websocketBystander } from './support/bystander.js';
import { MiB } from './support/memory.js';
import { http } from './support/raw-http.js';
import { clientFrame, flood, Opcode, rawUpgrade } from './support/raw-websocket.js';
import { startTarget, type EchoTarget } from './support/target.js';
import { waitFor } from './support/wait.js';

const PEERS = 20;
/** One SockJS message of 64 KiB: the client sends JSON arrays of strings. */
const MESSAGE = `["${'x'.repeat(64 * 1024)}"]`;

let target: EchoTarget;
before(async () => {
  target = await startTarget('sockjs-echo');
});
after(() => target?.stop());

const sessionPath = (transport: string): string => `/echo/000/${randomUUID()}/${transport}`;

test('SockJS websocket: 20 peers send echoes and never read: the server stops reading them, < +150 MiB', { timeout: 60_000 }, async (t) => {
  const peers = await Promise.all(Array.from({ length: PEERS }, () => rawUpgrade(target.port, { path: sessionPath('websocket') })));
  for (const peer of peers) assert.equal(peer.status, 101);
  for (const peer of peers) peer.socket.pause();
  const frame = clientFrame(Opcode.text, MESSAGE);
  const sent = await measureAttack(t, 'sockjs websocket echo flood', target, { boundMiB: 150, bystander: () => websocketBystander(target.port, '/echo/websocket'), describe: (bytes: number) => t.diagnostic(`sockjs websocket echo flood: ${(bytes / MiB).toFixed(0)} MiB sent by ${PEERS} peers that never read`) }, async (overBound) => {
    const written = await Promise.all(peers.map((peer) => flood(peer.socket, frame, { total: 64 * MiB, maxMs: 6000, stopWhen: overBound })));
    return written.reduce((sum, bytes) => sum + bytes, 0);
  });
  for (const peer of peers) peer.socket.destroy();
  assert.ok(sent > PEERS * MiB, `the peers got ${sent} bytes out: too few to prove anything`);
});

test('SockJS xhr_streaming: 20 receivers that never read, their sessions fed echoes by xhr_send: < +150 MiB', { timeout: 60_000 }, async (t) => {
  const receivers: Socket[] = [];
  const paths: string[] = [];
  for (let i = 0; i < PEERS; i++) {
    const path = sessionPath('xhr_streaming');
    paths.push(path.slice(0, -'xhr_streaming'.length));
    const socket = connect({ host: '127.0.0.1', port: target.port });
    socket.on('error', () => {});
    socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\nContent-Length: 0\r\n\r\n`);
    socket.pause(); // never reads what the stream carries
    receivers.push(socket);
  }
  let accepted = 0;
  let refused = 0;
  const endedBefore = target.closes.length;
  await measureAttack(t, 'sockjs xhr_streaming echo flood', target, { boundMiB: 150, bystander: () => websocketBystander(target.port, '/echo/websocket'), describe: () => t.diagnostic(`sockjs xhr_streaming echo flood: ${accepted} sends accepted, ${refused} refused (session gone)`) }, async (overBound) => {
    const deadline = Date.now() + 6000;
    await Promise.all(
      paths.map(async (base) => {
        // Each sender goes on until its session is gone (404), the bound is passed or time is up.
        for (let i = 0; i < 400 && Date.now() < deadline && !overBound(); i++) {
          const answer = await http(`${target.url}${base}xhr_send`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: MESSAGE, timeoutMs: 5000 }).catch(() => null);
          if (answer?.status === 204) accepted++;
          else {
            refused++;
            return;
          }
        }
      }),
    );
  });
  assert.ok(accepted >= PEERS, `${accepted} sends were accepted: too few to prove anything`);
  // What waits for a receiver that does not read is capped: a session past maxBufferedBytes is
  // closed (later sends are dropped, or refused once it is gone) and ends after disconnect_delay
  // (5 s), though its receivers' sockets are still open.
  await waitFor(() => target.closes.length - endedBefore >= PEERS, 10_000, 'every flooded session ended').catch(() => {});
  for (const socket of receivers) socket.destroy();
  // (The bystander's session ends meanwhile too: at least the flooded ones.)
  assert.ok(target.closes.length - endedBefore >= PEERS, `${target.closes.length - endedBefore} sessions ended, of ${PEERS} flooded`);
});

test('SockJS: 150 sessions from one address, each left a 0.9 MB echo with no receiver: 100 admitted (503 past them), < +150 MiB', { timeout: 60_000 }, async (t) => {
  const SESSIONS = 150;
  const message = `["${'x'.repeat(900 * 1024)}"]`;
  const statuses: number[] = [];
  let echoed = 0;
  await measureAttack(t, 'sockjs sessions x buffers', target, { boundMiB: 150, bystander: () => websocketBystander(target.port, '/echo/websocket'), describe: () => t.diagnostic(`sockjs sessions x buffers: ${statuses.filter((s) => s === 200).length} sessions opened, ${statuses.filter((s) => s === 503).length} refused 503, ${echoed} echoes left waiting`) }, async (overBound) => {
    for (let i = 0; i < SESSIONS && !overBound(); i++) {
      // xhr polling: the first request opens the session ("o") and ends; nobody polls again.
      const base = sessionPath('xhr').slice(0, -'xhr'.length);
      const opened = await http(`${target.url}${base}xhr`, { method: 'POST', timeoutMs: 5000 });
      statuses.push(opened.status);
      if (opened.status !== 200) continue;
      const sent = await http(`${target.url}${base}xhr_send`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: message, timeoutMs: 5000 });
      if (sent.status === 204) echoed++;
    }
  });
  // The bystander's raw WebSocket is a session from this address too.
  const opened = statuses.filter((status) => status === 200).length;
  assert.ok(opened >= 95 && opened <= 100, `${opened} sessions opened`);
  assert.equal(statuses.filter((status) => status === 503).length, SESSIONS - opened);
  assert.equal(echoed, opened);
});
