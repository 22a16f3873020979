/**
 * Issue 9, items 4–6: who gets a session.
 * - 300 polls pipelined in one TCP write with `sessionsPerAddress: 5` make at most 5 sessions (the
 *   slot is reserved before any await); the rest are answered 429.
 * - A foreign `Origin` is refused 403 on the WebSocket as on SSE and polling, by `BaroServer` and by
 *   a bare `WebSocketServer` (default: same origin as the Host); two `Host` headers are refused 400.
 * - A resume the server cannot honour opens a new session that keeps the admission's context.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { measureAttack } from './support/attack.js';
import { pollingBystander } from './support/bystander.js';
import { http, packetsIn, pipelined } from './support/raw-http.js';
import { rawUpgrade } from './support/raw-websocket.js';
import { startTarget, type EchoTarget } from './support/target.js';

describe('the per-address limit under pipelining', () => {
  let target: EchoTarget;
  before(async () => {
    target = await startTarget('baro-echo', { sessionsPerAddress: 5 });
  });
  after(() => target?.stop());

  test('300 pipelined polls from one address make at most 5 sessions, the rest get 429', { timeout: 60_000 }, async (t) => {
    const head = `GET /baro/poll?wait=0 HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\n\r\n`;
    const describe = (statuses: number[]): void =>
      t.diagnostic(`pipelined polls: ${statuses.filter((s) => s === 200).length} answered 200, ${statuses.filter((s) => s === 429).length} answered 429`);
    const statuses = await measureAttack(t, 'pipelined polls', target, { boundMiB: 50, bystander: () => pollingBystander(target.url), describe }, () => pipelined(target.port, head, 300));
    const attackerSessions = statuses.filter((status) => status === 200).length;
    assert.ok(attackerSessions <= 5, `${attackerSessions} sessions were opened from one address`);
    assert.ok(statuses.every((status) => status === 200 || status === 429), `statuses: ${[...new Set(statuses)].join(', ')}`);
  });
});

describe('origin and Host', () => {
  let baro: EchoTarget;
  let bare: EchoTarget;
  before(async () => {
    [baro, bare] = await Promise.all([startTarget('baro-echo'), startTarget('websocket-echo')]);
  });
  after(() => Promise.all([baro?.stop(), bare?.stop()]));

  const evil = { Origin: 'https://evil.example' };

  test('a foreign Origin gets 403 on every transport, and on a bare WebSocketServer', async () => {
    const upgrade = await rawUpgrade(baro.port, { path: '/baro/ws', headers: { ...evil, 'Sec-WebSocket-Protocol': 'baro.v1' } });
    assert.equal(upgrade.status, 403, `BaroServer /baro/ws: ${upgrade.status}`);
    upgrade.socket.destroy();
    for (const path of ['/baro/sse', '/baro/poll?wait=0', '/baro/poll?wait=1']) {
      const answer = await http(`${baro.url}${path}`, { headers: evil, timeoutMs: 5000 });
      assert.equal(answer.status, 403, `${path}: ${answer.status}`);
    }
    const bareUpgrade = await rawUpgrade(bare.port, { headers: evil });
    assert.equal(bareUpgrade.status, 403, `WebSocketServer: ${bareUpgrade.status}`);
    bareUpgrade.socket.destroy();
  });

  test('the same origin as the Host, or no Origin, is let in', async () => {
    for (const headers of [{ Origin: baro.url }, {}] as Record<string, string>[]) {
      const upgrade = await rawUpgrade(baro.port, { path: '/baro/ws', headers: { ...headers, 'Sec-WebSocket-Protocol': 'baro.v1' } });
      assert.equal(upgrade.status, 101);
      upgrade.socket.destroy();
    }
    const bareUpgrade = await rawUpgrade(bare.port, { headers: { Origin: bare.url } });
    assert.equal(bareUpgrade.status, 101);
    bareUpgrade.socket.destroy();
  });

  test('two Host headers get 400', async () => {
    const twoHosts = `127.0.0.1:${baro.port}\r\nHost: evil.example`;
    const upgrade = await rawUpgrade(baro.port, { path: '/baro/ws', headers: { Host: twoHosts, 'Sec-WebSocket-Protocol': 'baro.v1' } });
    assert.equal(upgrade.status, 400, `/baro/ws: ${upgrade.status}`);
    upgrade.socket.destroy();
    const bareUpgrade = await rawUpgrade(bare.port, { headers: { Host: `127.0.0.1:${bare.port}\r\nHost: evil.example` } });
    assert.equal(bareUpgrade.status, 400, `WebSocketServer: ${bareUpgrade.status}`);
    bareUpgrade.socket.destroy();
  });
});

describe('a resume the server cannot honour', () => {
  let target: EchoTarget;
  before(async () => {
    target = await startTarget('baro-echo', { authenticateQuery: 'user' });
  });
  after(() => target?.stop());

  async function whoami(sid: string, token: string, user: string, seq: number): Promise<unknown> {
    const sent = await http(`${target.url}/baro/send?sid=${sid}&token=${token}&user=${user}`, { method: 'POST', headers: { 'Content-Type': 'application/x-ndjson' }, body: JSON.stringify(['e', seq, 'whoami', null, seq]) });
    assert.equal(sent.status, 200, `send: ${sent.status} ${sent.body}`);
    const polled = await http(`${target.url}/baro/poll?wait=1&sid=${sid}&token=${token}&user=${user}&seq=0`);
    const answer = packetsIn(polled.body).find((packet) => packet[0] === 'a' && packet[2] === seq);
    assert.ok(answer, `an answer in ${polled.body}`);
    return answer[3];
  }

  test('opens a new session that keeps the authenticated context', async () => {
    const opened = await http(`${target.url}/baro/poll?wait=0&user=ana`);
    assert.equal(opened.status, 200);
    const first = packetsIn(opened.body).find((packet) => packet[0] === 'o')![1] as { sid: string; token: string };
    assert.deepEqual(await whoami(first.sid, first.token, 'ana', 1), { user: 'ana' });
    // seq beyond anything the server sent: it cannot resume, so it opens a fresh session.
    const resumed = await http(`${target.url}/baro/poll?wait=0&user=ana&sid=${first.sid}&token=${first.token}&seq=999999`);
    assert.equal(resumed.status, 200);
    const info = packetsIn(resumed.body).find((packet) => packet[0] === 'o')![1] as { sid: string; token: string; resumed: boolean };
    assert.equal(info.resumed, false);
    assert.deepEqual(await whoami(info.sid, info.token, 'ana', 1), { user: 'ana' });
  });
});
