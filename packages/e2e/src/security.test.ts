/**
 * Security end to end, over real sockets:
 * - a session id is no credential: another session's id without its token (none, the requester's
 *   own token, a forged one, in the query or the X-Baro-Token header) is refused 403 on every
 *   endpoint, exactly as an unknown id is, and the victim's session is untouched;
 * - POST bodies are bounded: N bytes accepted, N+1 refused 413 (declared or streamed);
 * - a disallowed Origin is refused 403 on the WebSocket and on every HTTP transport (and a real
 *   Chromium page from such an origin never gets a session);
 * - reconnect storms: `server.close()` tells every session when to come back (`retryAfterMs`,
 *   jittered by the server); each client, whatever its transport, makes no attempt before that
 *   delay plus its own jittered backoff (measured on its wire), so the returns spread out.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BaroServer, type Session } from 'baro';
import type { TransportName } from '@baro/protocol';
import { launchChromium, servePage } from '@baro/testing';
import type { Browser } from 'playwright-core';
import { App, pageHtml } from './support/app.js';
import { clientBundle, prepareClientBundle } from './support/bundle.js';
import { nodeDriver, openKitPage, RemoteClient } from './support/drivers.js';
import type { ClientInfo } from './support/kit.js';
import { packetsIn, rawHttp, rawUpgrade, type RawAnswer } from './support/raw-http.js';
import { wireRecorder, type WireRecorder } from './support/recorder.js';
import { sleep, waitFor } from './support/wait.js';

const TEST_TIMEOUT = 30_000;
const MAX_BODY = 1024;

/** Opens a session by a raw poll request; returns its id and token (the "attacker's" own session). */
async function rawSession(base: string, headers: Record<string, string> = {}): Promise<{ sid: string; token: string }> {
  const answer = await rawHttp(`${base}/baro/poll?wait=0`, { headers });
  assert.equal(answer.status, 200, `a session opens: ${answer.status} ${answer.body}`);
  const open = packetsIn(answer.body).find((packet) => packet[0] === 'o');
  assert.ok(open, `an open packet in ${JSON.stringify(answer.body)}`);
  const { sid, token } = open[1] as { sid: string; token: string };
  return { sid, token };
}

const post = (base: string, query: string, body: string, headers: Record<string, string> = {}): Promise<RawAnswer> =>
  rawHttp(`${base}/baro/send?${query}`, { method: 'POST', headers: { 'Content-Type': 'application/x-ndjson', ...headers }, body });

describe('a session id without its token', () => {
  let app: App;
  let victim: RemoteClient;
  let victimSession: Session;
  let attacker: { sid: string; token: string };

  before(async () => {
    app = await App.start();
    victim = await RemoteClient.open(nodeDriver(app.url), 'victim', { transports: ['websocket'], reconnect: false });
    const { sid } = await victim.opened();
    victimSession = app.session(sid);
    attacker = await rawSession(app.url);
  });
  after(async () => {
    await victim?.close();
    await app?.close();
  });

  test('is refused 403 on /baro/ws, /baro/sse, /baro/poll and POST /baro/send, as an unknown id is', { timeout: TEST_TIMEOUT }, async () => {
    const sid = victimSession.id;
    const forged = 'A'.repeat(victimSession.token.length);
    const credentials: { name: string; query: string; headers: Record<string, string> }[] = [
      { name: 'no token', query: `sid=${sid}`, headers: {} },
      { name: "the attacker's own token", query: `sid=${sid}&token=${attacker.token}`, headers: {} },
      { name: "the attacker's token in X-Baro-Token", query: `sid=${sid}`, headers: { 'X-Baro-Token': attacker.token } },
      { name: 'a forged token of the right length', query: `sid=${sid}&token=${forged}`, headers: {} },
      { name: 'an empty token', query: `sid=${sid}&token=`, headers: {} },
    ];
    const sessionsBefore = app.baro.sessions.size;
    const endpoints: { name: string; send: (query: string, headers: Record<string, string>) => Promise<{ status: number; body: string }> }[] = [
      { name: 'GET /baro/ws (upgrade)', send: async (query, headers) => ({ ...(await rawUpgrade(`${app.url}/baro/ws?${query}`, headers)), body: '' }) },
      { name: 'GET /baro/sse', send: (query, headers) => rawHttp(`${app.url}/baro/sse?${query}`, { headers }) },
      { name: 'GET /baro/poll?wait=0', send: (query, headers) => rawHttp(`${app.url}/baro/poll?wait=0&${query}`, { headers }) },
      { name: 'GET /baro/poll?wait=1', send: (query, headers) => rawHttp(`${app.url}/baro/poll?wait=1&${query}`, { headers }) },
      { name: 'POST /baro/send', send: (query, headers) => post(app.url, query, '["e",1,"note","injected"]\n', headers) },
    ];
    const failures: string[] = [];
    for (const endpoint of endpoints) {
      // What a stranger learns about an id that does not exist: the victim's must look the same.
      const unknown = await endpoint.send('sid=NoSuchSession0000000', {});
      if (unknown.status !== 403) failures.push(`${endpoint.name} with an unknown sid and no token: ${unknown.status}, expected 403`);
      for (const credential of credentials) {
        const answer = await endpoint.send(credential.query, credential.headers);
        if (answer.status !== 403) failures.push(`${endpoint.name} with ${credential.name}: ${answer.status} ${JSON.stringify(answer.body.slice(0, 120))}, expected 403`);
        else if (answer.body !== unknown.body) failures.push(`${endpoint.name} with ${credential.name}: body ${JSON.stringify(answer.body)} differs from an unknown sid's ${JSON.stringify(unknown.body)}`);
      }
    }
    assert.deepEqual(failures, []);

    // The victim noticed nothing: same session, same transport, nothing injected, still talking.
    assert.equal(app.baro.sessions.size, sessionsBefore, 'no refused request opened a session');
    assert.equal(app.session(victimSession.id), victimSession);
    assert.equal(victimSession.transport, 'websocket');
    assert.deepEqual(app.received(victimSession, 'note'), [], 'the injected event was never handled');
    assert.equal((await victim.info()).transport, 'websocket');
    await victim.emit('hello', 'still here');
    await victim.waitCount('news', 1);
    assert.deepEqual(await victim.received('news'), ['hello, still here']);
  });

  test('with its token the same requests are accepted (the refusals above are about the token)', { timeout: TEST_TIMEOUT }, async () => {
    const own = `sid=${attacker.sid}&token=${attacker.token}`;
    const session = app.session(attacker.sid);
    const answer = await post(app.url, own, '["e",1,"note","mine"]\n');
    assert.equal(answer.status, 200);
    assert.deepEqual(packetsIn(answer.body), [['r', 1]]);
    assert.deepEqual(app.received(session, 'note'), ['mine']);
    const viaHeader = await post(app.url, `sid=${attacker.sid}`, '["e",2,"note","header"]\n', { 'X-Baro-Token': attacker.token });
    assert.equal(viaHeader.status, 200);
    assert.deepEqual(app.received(session, 'note'), ['mine', 'header']);
    const poll = await rawHttp(`${app.url}/baro/poll?wait=0&${own}&seq=0`);
    assert.equal(poll.status, 200);
    const upgrade = await rawUpgrade(`${app.url}/baro/ws?${own}&seq=0`);
    assert.equal(upgrade.status, 101, upgrade.head);
  });
});

describe('POST body limit', () => {
  let app: App;
  let own: string;
  let session: Session;
  let cseq = 0;

  before(async () => {
    app = await App.start({ http: { maxBodyBytes: MAX_BODY } });
    const { sid, token } = await rawSession(app.url);
    own = `sid=${sid}&token=${token}`;
    session = app.session(sid);
  });
  after(() => app?.close());

  /** An event packet line of exactly `size` bytes (newline included). */
  const packetOfSize = (size: number, seq: number): string => {
    const bare = `["e",${seq},"note",""]\n`;
    return `["e",${seq},"note","${'x'.repeat(size - bare.length)}"]\n`;
  };

  test(`${MAX_BODY} bytes are accepted, ${MAX_BODY + 1} refused with 413 (declared length)`, { timeout: TEST_TIMEOUT }, async () => {
    const exact = packetOfSize(MAX_BODY, ++cseq);
    assert.equal(Buffer.byteLength(exact), MAX_BODY);
    const accepted = await post(app.url, own, exact);
    assert.equal(accepted.status, 200, accepted.body);
    assert.equal(app.received(session, 'note').length, 1);

    const over = packetOfSize(MAX_BODY + 1, ++cseq);
    const refused = await post(app.url, own, over);
    assert.equal(refused.status, 413, refused.body);
    assert.equal(app.received(session, 'note').length, 1, 'the oversize body was not handled');
    cseq--;
  });

  test(`a streamed (chunked) body past ${MAX_BODY} bytes is refused with 413`, { timeout: TEST_TIMEOUT }, async () => {
    const over = Buffer.from(packetOfSize(4 * MAX_BODY, cseq + 1));
    const chunks = [over.subarray(0, 600), over.subarray(600, 1200), over.subarray(1200)];
    const refused = await rawHttp(`${app.url}/baro/send?${own}`, { method: 'POST', headers: { 'Content-Type': 'application/x-ndjson' }, body: { chunks } });
    assert.equal(refused.status, 413, refused.body);
    assert.equal(app.received(session, 'note').length, 1);
    // The session still works afterwards.
    const next = await post(app.url, own, packetOfSize(100, ++cseq));
    assert.equal(next.status, 200, next.body);
    assert.equal(app.received(session, 'note').length, 2);
  });

  test('a huge declared Content-Length is refused with 413 before any body is sent', { timeout: TEST_TIMEOUT }, async () => {
    const refused = await rawHttp(`${app.url}/baro/send?${own}`, { method: 'POST', headers: { 'Content-Type': 'application/x-ndjson', 'Content-Length': String(1 << 30) } });
    assert.equal(refused.status, 413, refused.body);
  });
});

describe('Origin checks', () => {
  const GOOD = 'http://good.example';
  /** An opaque origin (a sandboxed frame, a file): never the server's own, never listed here. */
  const NULL_ORIGIN = 'null';
  const EVIL = 'http://evil.example';
  const allowed = new Set([GOOD]);
  let app: App;
  let browser: Browser | undefined;

  before(async () => {
    app = await App.start({ allowedOrigins: (origin) => allowed.has(origin) });
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  test('a disallowed Origin is refused 403 on the WebSocket and on SSE, polling and POST; an allowed one is not', { timeout: TEST_TIMEOUT }, async () => {
    const { sid, token } = await rawSession(app.url, { Origin: GOOD });
    const own = `sid=${sid}&token=${token}`;
    const sessionsBefore = app.baro.sessions.size;
    const failures: string[] = [];
    for (const origin of [EVIL, NULL_ORIGIN]) {
      const headers = { Origin: origin };
      const answers: [string, number][] = [
        ['GET /baro/ws (new session)', (await rawUpgrade(`${app.url}/baro/ws`, headers)).status],
        ['GET /baro/ws (its session)', (await rawUpgrade(`${app.url}/baro/ws?${own}`, headers)).status],
        ['GET /baro/sse', (await rawHttp(`${app.url}/baro/sse`, { headers })).status],
        ['GET /baro/poll?wait=1', (await rawHttp(`${app.url}/baro/poll?wait=1`, { headers })).status],
        ['GET /baro/poll?wait=0', (await rawHttp(`${app.url}/baro/poll?wait=0`, { headers })).status],
        ['POST /baro/send', (await post(app.url, own, '["e",1,"note","from elsewhere"]\n', headers)).status],
      ];
      for (const [what, status] of answers) if (status !== 403) failures.push(`${what} from ${origin}: ${status}, expected 403`);
    }
    assert.deepEqual(failures, []);
    assert.equal(app.baro.sessions.size, sessionsBefore, 'no refused request opened a session');
    assert.deepEqual(app.received(app.session(sid), 'note'), []);

    const good = { Origin: GOOD };
    assert.equal((await post(app.url, own, '["e",1,"note","from good"]\n', good)).status, 200);
    assert.deepEqual(app.received(app.session(sid), 'note'), ['from good']);
    assert.equal((await rawHttp(`${app.url}/baro/sse`, { headers: good })).status, 200);
    assert.equal((await rawHttp(`${app.url}/baro/poll?wait=0`, { headers: good })).status, 200);
    assert.equal((await rawUpgrade(`${app.url}/baro/ws`, good)).status, 101);
  });

  test('by default (no allowedOrigins) another site is refused 403 on every transport, the WebSocket included; the own origin is not', { timeout: TEST_TIMEOUT }, async () => {
    const plain = await App.start({});
    try {
      const own = { Origin: plain.url };
      const elsewhere = { Origin: EVIL };
      assert.equal((await rawUpgrade(`${plain.url}/baro/ws`, elsewhere)).status, 403);
      assert.equal((await rawHttp(`${plain.url}/baro/sse`, { headers: elsewhere })).status, 403);
      assert.equal((await rawHttp(`${plain.url}/baro/poll?wait=0`, { headers: elsewhere })).status, 403);
      assert.equal(plain.baro.sessions.size, 0);
      assert.equal((await rawUpgrade(`${plain.url}/baro/ws`, own)).status, 101);
      assert.equal((await rawHttp(`${plain.url}/baro/poll?wait=0`, { headers: own })).status, 200);
      // Non-browser clients send no Origin.
      assert.equal((await rawUpgrade(`${plain.url}/baro/ws`, {})).status, 101);
    } finally {
      await plain.close();
    }
  });

  test('Chromium: a page from a disallowed origin gets no session; once allowed, it does', { timeout: TEST_TIMEOUT }, async () => {
    await prepareClientBundle();
    browser = await launchChromium();
    // The page and the bundle come from another origin (another port) than the server.
    const elsewhere = await servePage(pageHtml(), {
      fallback: (request, response) => {
        if (request.url === '/baro-client.min.js') {
          response.writeHead(200, { 'Content-Type': 'text/javascript' });
          response.end(clientBundle());
        } else {
          response.writeHead(204);
          response.end();
        }
      },
    });
    try {
      const { driver } = await openKitPage(browser, elsewhere.url);
      const sessionsBefore = app.baro.sessions.size;
      const refused = await RemoteClient.open(driver, 'elsewhere', { openTimeout: 1500, reconnect: false }, app.url);
      let info = await refused.info();
      await waitFor(async () => (info = await refused.info()).state === 'closed', 'the client from a disallowed origin to give up', { timeout: 15_000, every: 50, detail: () => info });
      assert.ok(!info.states.some((event) => event.type === 'open'), `it never opened: ${JSON.stringify(info.states)}`);
      assert.equal(app.baro.sessions.size, sessionsBefore, 'the server opened no session for it');

      allowed.add(elsewhere.origin);
      const admitted = await RemoteClient.open(driver, 'admitted', { openTimeout: 1500, reconnect: false }, app.url);
      const opened = await admitted.opened({ timeout: 10_000 });
      assert.ok(opened.sid && app.baro.sessions.has(opened.sid));
      await driver.call('closeAll');
    } finally {
      allowed.delete(elsewhere.origin);
      await elsewhere.close();
    }
  });
});

describe('reconnect storms: server.close() and retryAfterMs', () => {
  const RETRY_AFTER = 1000;
  /** The clients' own backoff: the first delay is 100..200 ms (200 × (1 − 0.5 × random)). */
  const RECONNECT = { initialDelay: 200, maxDelay: 1000, factor: 2, jitter: 0.5 };
  const MIN_BACKOFF = RECONNECT.initialDelay * (1 - RECONNECT.jitter);
  const TRANSPORTS: TransportName[] = ['websocket', 'sse', 'long-polling', 'polling'];
  const PER_TRANSPORT = 3;

  interface Observed {
    transport: TransportName;
    client: RemoteClient;
    wire: WireRecorder;
    info: ClientInfo;
  }
  let closedAt = 0;
  let observed: Observed[] = [];
  let second: BaroServer | undefined;
  let straggling: string[] = [];

  const timeline = (entry: Observed): string =>
    `requests after close() at ${entry.wire.attempts.filter((at) => at > closedAt).slice(0, 4).map((at) => at - closedAt).join(', ')} ms; ` +
    `states since: ${entry.info.states.filter((e) => e.at >= closedAt).map((e) => `${e.type}${'delay' in e ? `(delay ${e.delay})` : ''}@${e.at - closedAt}ms`).join(' ')}`;

  // One storm for all: twelve clients, three per transport, on one server that shuts down; the
  // same port is served again at once, so that attempts land somewhere and succeed.
  before(async () => {
    const first = new BaroServer({ port: 0 });
    await first.ready;
    const { port } = first.address();
    const url = `http://127.0.0.1:${port}`;
    const clients: Omit<Observed, 'info'>[] = [];
    try {
      for (const transport of TRANSPORTS) {
        for (let i = 0; i < PER_TRANSPORT; i++) {
          const wire = wireRecorder();
          const driver = nodeDriver(url, { WebSocket: wire.WebSocket, fetch: wire.fetch });
          const client = await RemoteClient.open(driver, `${transport}-${i}`, { transports: [transport], pollInterval: 50, reconnect: RECONNECT, openTimeout: 3000 });
          clients.push({ transport, client, wire });
        }
      }
      for (const { client } of clients) await client.opened();
      assert.equal(first.sessions.size, clients.length);
      await sleep(200);

      closedAt = Date.now();
      await first.close({ retryAfterMs: RETRY_AFTER, timeout: 1000 });
      second = new BaroServer({ port });
      await second.ready;

      // Everyone back on the new server (or the bound passes: the tests then say who is missing).
      const back = async (client: RemoteClient): Promise<boolean> => {
        const info = await client.info();
        return info.state === 'open' && info.sid !== null && second!.sessions.has(info.sid);
      };
      const deadline = Date.now() + RETRY_AFTER * 1.5 + 8_000;
      while (Date.now() < deadline) {
        let all = true;
        for (const { client } of clients) all &&= await back(client);
        if (all) break;
        await sleep(50);
      }
      for (const entry of clients) {
        observed.push({ ...entry, info: await entry.client.info() });
        if (!(await back(entry.client))) straggling.push(entry.client.id);
      }
    } finally {
      await Promise.allSettled(clients.map(({ client }) => client.close()));
      await first.close();
    }
  });
  after(() => second?.close({ timeout: 200 }));

  for (const transport of TRANSPORTS) {
    test(`${transport} clients get the close packet and stay away for its retryAfterMs plus their jittered backoff`, () => {
      const failures: string[] = [];
      for (const entry of observed.filter((o) => o.transport === transport)) {
        const { client, wire, info } = entry;
        const close = wire.closes[0];
        if (!close) {
          failures.push(`${client.id}: no close packet reached the client; ${timeline(entry)}`);
          continue;
        }
        if (close.code !== 4003 || close.retryAfterMs === null || close.retryAfterMs < RETRY_AFTER * 0.5 || close.retryAfterMs > RETRY_AFTER * 1.5) {
          failures.push(`${client.id}: close packet ${JSON.stringify(close)}, expected code 4003 and retryAfterMs within ${RETRY_AFTER} × [0.5, 1.5]`);
          continue;
        }
        const reconnecting = info.states.find((event) => event.type === 'reconnecting' && event.at >= closedAt) as { delay: number; at: number } | undefined;
        const attempt = wire.attempts.find((at) => at > closedAt && at >= close.at);
        if (!reconnecting || attempt === undefined) {
          failures.push(`${client.id}: no reconnect scheduled or attempted after the close packet; ${timeline(entry)}`);
          continue;
        }
        const waited = attempt - close.at;
        if (waited < close.retryAfterMs + MIN_BACKOFF - 3) {
          failures.push(`${client.id}: came back ${waited} ms after the close packet, before its retryAfterMs ${close.retryAfterMs} + backoff ≥ ${MIN_BACKOFF}; ${timeline(entry)}`);
        }
        if (reconnecting.delay < close.retryAfterMs + MIN_BACKOFF || reconnecting.delay > close.retryAfterMs + RECONNECT.initialDelay) {
          failures.push(`${client.id}: scheduled its reconnect in ${reconnecting.delay} ms, expected retryAfterMs ${close.retryAfterMs} + backoff in [${MIN_BACKOFF}, ${RECONNECT.initialDelay}]`);
        }
        if (straggling.includes(client.id)) failures.push(`${client.id}: not back on the new server in time; ${timeline(entry)}`);
      }
      assert.equal(observed.filter((o) => o.transport === transport).length, PER_TRANSPORT);
      assert.deepEqual(failures, []);
    });
  }

  test('the returns are spread out over the retry window, and every client resynced on the new server', () => {
    assert.equal(observed.length, TRANSPORTS.length * PER_TRANSPORT);
    const returns = observed.map((entry) => entry.wire.attempts.find((at) => at > closedAt)).filter((at): at is number => at !== undefined);
    assert.equal(returns.length, observed.length, 'every client tried again');
    const spread = Math.max(...returns) - Math.min(...returns);
    assert.ok(spread >= 200, `the first attempts are spread out, not a storm: ${spread} ms between the first and the last`);
    assert.deepEqual(straggling, [], 'every client is back');
    for (const { client, info } of observed) {
      assert.ok(info.states.some((event) => event.type === 'resync' && event.at >= closedAt), `${client.id} resynced (the new server knows none of the old sessions)`);
    }
  });
});
