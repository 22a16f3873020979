/**
 * Issue 9, item 3: events with reserved names, or over the rate limit, each asking for an ack, from
 * 100 sessions that read but never send receipts. Unpatched, every refusal got a sequenced ack kept
 * for replay (12,000 acks in 0.1 s for one session; +353 MiB in 7 s). Refused events must cost
 * tokens too: a session gets at most about twice its rate (`eventsPerSecond` 200, `eventBurst` 400)
 * in answers, and the server stays within +150 MiB. And a session whose unreceipted replay reaches
 * its cap (`replayBytes`, 8 MiB counted in UTF-8 bytes: Korean text is 3 bytes a character) is
 * closed with 4001 instead of being kept (unpatched: counted in UTF-16 units, never closed).
 */
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { BaroCloseCode, DEFAULT_SESSION_LIMITS } from 'baro';
import { measureAttack } from './support/attack.js';
import { sessionBystander } from './support/bystander.js';
import { refusedEvents } from './support/payloads.js';
import { clientFrame, flood, Opcode, rawUpgrade, type RawWebSocket } from './support/raw-websocket.js';
import { startTarget, type EchoTarget } from './support/target.js';
import { pause, waitFor } from './support/wait.js';

const SESSIONS = 100;
const ATTACK_MS = 5000;
const BATCH = 500;

// Each attack gets a server of its own: what one leaves behind is not the next one's baseline.
let target: EchoTarget;
beforeEach(async () => {
  target = await startTarget('baro-echo', { sessionsPerAddress: 1000 });
});
afterEach(() => target?.stop());

test('refused events from 100 sessions that never receipt: answers bounded by the rate, < +150 MiB', { timeout: 90_000 }, async (t) => {
  const answers = new Map<RawWebSocket, number>();
  const attackers: RawWebSocket[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    let count = 0;
    const attacker = await rawUpgrade(target.port, {
      path: '/baro/ws',
      headers: { 'Sec-WebSocket-Protocol': 'baro.v1' },
      onFrame: (frame) => {
        if (frame.opcode === Opcode.text && frame.payload.subarray(0, 5).toString() === '["a",') answers.set(attacker, ++count);
      },
    });
    assert.equal(attacker.status, 101);
    attackers.push(attacker);
  }
  let started = Date.now(); // reset when the attack starts, after the bystander's baseline
  const { eventsPerSecond, eventBurst } = DEFAULT_SESSION_LIMITS;
  // Accepted events and answered refusals each take from a budget of the same rate and burst.
  const allowed = (): number => 2 * (eventBurst + eventsPerSecond * ((Date.now() - started) / 1000 + 1));
  const most = (): number => Math.max(...attackers.map((attacker) => answers.get(attacker) ?? 0));
  const describe = (): void => t.diagnostic(`refused acks: at most ${most()} answers to one session in ${((Date.now() - started) / 1000).toFixed(1)} s (allowed ${Math.round(allowed())})`);
  await measureAttack(t, 'refused acks', target, { boundMiB: 150, bystander: () => sessionBystander(target.url), describe }, async (overBound) => {
    started = Date.now();
    let seq = 1;
    while (Date.now() - started < ATTACK_MS && !overBound()) {
      const bytes = refusedEvents(seq, BATCH);
      seq += BATCH;
      await Promise.all(attackers.map((attacker) => flood(attacker.socket, bytes, { total: bytes.length, maxMs: 1000 })));
      await pause(5);
    }
  });
  assert.ok(most() <= allowed(), `a session got ${most()} answers, more than ${Math.round(allowed())}`);
  for (const attacker of attackers) attacker.socket.destroy();
});

test('sessions that never receipt echoes of Korean text are closed 4001 at their replay cap, < +150 MiB', { timeout: 90_000 }, async (t) => {
  const SESSIONS_AT_CAP = 10;
  const text = '바'.repeat(21_000); // ~63 KB of UTF-8, 21,000 UTF-16 units
  const closedWith = new Map<RawWebSocket, number>();
  const attackers: RawWebSocket[] = [];
  for (let i = 0; i < SESSIONS_AT_CAP; i++) {
    const attacker: RawWebSocket = await rawUpgrade(target.port, {
      path: '/baro/ws',
      headers: { 'Sec-WebSocket-Protocol': 'baro.v1' },
      onFrame: (frame) => {
        const head = frame.payload.subarray(0, 12).toString();
        const code = frame.opcode === Opcode.close && frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : /^\["c",(\d+)/.exec(head)?.[1];
        if (code !== undefined && !closedWith.has(attacker)) closedWith.set(attacker, Number(code));
      },
    });
    attackers.push(attacker);
  }
  await measureAttack(t, 'replay cap', target, { boundMiB: 150, bystander: () => sessionBystander(target.url), describe: () => t.diagnostic(`replay cap: ${closedWith.size} of ${SESSIONS_AT_CAP} sessions closed (${[...new Set(closedWith.values())].join(', ') || 'none'})`) }, async (overBound) => {
    const started = Date.now();
    // 100 echoes a second per session (under the rate): 8 MiB of UTF-8 in about 1.3 s.
    for (let seq = 1; Date.now() - started < 6000 && closedWith.size < SESSIONS_AT_CAP && !overBound(); seq += 10) {
      const batch = Buffer.concat(Array.from({ length: 10 }, (_, i) => clientFrame(Opcode.text, JSON.stringify(['e', seq + i, 'echo', text, seq + i]))));
      for (const attacker of attackers) if (!closedWith.has(attacker)) attacker.socket.write(batch);
      await pause(100);
    }
    await waitFor(() => closedWith.size === SESSIONS_AT_CAP || overBound(), 5000, 'every session is closed').catch(() => {});
  });
  for (const attacker of attackers) attacker.socket.destroy();
  assert.equal(closedWith.size, SESSIONS_AT_CAP, `${closedWith.size} of ${SESSIONS_AT_CAP} sessions were closed`);
  assert.deepEqual([...new Set(closedWith.values())], [BaroCloseCode.slowConsumer]);
});
