/**
 * Each transport forced on its own (`transports: [name]`), in Node (baro's WebSocket class, Node's
 * fetch) and in real Chromium (the client's minified ESM bundle imported by a page the test
 * serves): events both ways, acks both ways, byte arrays both ways, and rooms reaching only their
 * members. The server is a real `BaroServer` on 127.0.0.1; the page comes from the same origin.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TransportName } from '@baro/protocol';
import { launchChromium } from '@baro/testing';
import type { Browser, Page } from 'playwright-core';
import { App } from './support/app.js';
import { prepareClientBundle } from './support/bundle.js';
import { bytes, nodeDriver, openKitPage, RemoteClient, type KitDriver } from './support/drivers.js';
import type { Plain, PlainClientOptions } from './support/kit.js';
import { range, sleep, waitFor } from './support/wait.js';

const TRANSPORTS: TransportName[] = ['websocket', 'sse', 'long-polling', 'polling'];
const TEST_TIMEOUT = 20_000;

/** Deterministic bytes with every value 0..255 represented. */
const pattern = (length: number): number[] => Array.from({ length }, (_, i) => (i * 31 + (i >> 8)) % 256);

let app: App;
let browser: Browser;
let page: Page;
let pageErrors: string[] = [];
const drivers: Record<'node' | 'chromium', KitDriver> = {} as never;

before(async () => {
  await prepareClientBundle();
  app = await App.start();
  drivers.node = nodeDriver(app.url);
  browser = await launchChromium();
  const opened = await openKitPage(browser, app.url);
  page = opened.page;
  pageErrors = opened.errors;
  drivers.chromium = opened.driver;
});

after(async () => {
  await Promise.allSettled([drivers.node?.call('closeAll'), drivers.chromium?.call('closeAll')]);
  await browser?.close();
  await app?.close();
});

for (const where of ['node', 'chromium'] as const) {
  for (const transport of TRANSPORTS) {
    describe(`${where}: ${transport} alone`, () => {
      const options: PlainClientOptions = { transports: [transport], openTimeout: 3000, pollInterval: 20, reconnect: { initialDelay: 50, maxDelay: 200 } };
      let serial = 0;
      const open = async (): Promise<RemoteClient> => RemoteClient.open(drivers[where], `${where}-${transport}-${++serial}`, options);

      afterEach(async () => {
        await drivers[where].call('closeAll');
        if (where === 'chromium') assert.deepEqual(pageErrors.splice(0), [], 'errors in the page');
      });

      test('opens on that transport and carries events both ways, in order', { timeout: TEST_TIMEOUT }, async () => {
        const client = await open();
        const info = await client.opened();
        assert.equal(info.transport, transport);
        assert.deepEqual(info.states.map((event) => event.type), ['connecting', 'open'], 'no fallback, no reconnect');
        const session = app.session(info.sid);
        assert.equal(session.transport, transport, 'the server carries the session on the same transport');

        assert.equal(await client.emit('hello', 'baro'), true);
        await client.waitCount('news', 1);
        assert.deepEqual(app.received(session, 'hello'), ['baro']);
        session.emit('news', 'pushed');
        await client.waitCount('news', 2);
        assert.deepEqual(await client.received('news'), ['hello, baro', 'pushed']);

        // Fifty each way, interleaved: each side sees its fifty once and in order.
        for (const n of range(50)) {
          session.emit('n', n);
          await client.emit('n', n);
        }
        await client.waitCount('n', 50);
        await waitFor(() => app.received(session, 'n').length >= 50, '50 "n" events at the server', { detail: () => app.received(session, 'n').length });
        assert.deepEqual(await client.received('n'), range(50));
        assert.deepEqual(app.received(session, 'n'), range(50));
        assert.equal((await client.info()).transport, transport);
      });

      test('acks both ways; an event the server refuses rejects with its error', { timeout: TEST_TIMEOUT }, async () => {
        const client = await open();
        const { sid } = await client.opened();
        const session = app.session(sid);
        assert.deepEqual(await client.emitWithAck('echo', { list: [1, 'two', null, { deep: true }] }), { ok: true, value: { list: [1, 'two', null, { deep: true }] } });
        assert.deepEqual(await session.emitWithAck('confirm', 'ok?', { timeout: 5000 }), { yes: true, echo: 'ok?' });
        assert.deepEqual(await session.emitWithAck('confirm', 'no', { timeout: 5000 }), { yes: false, echo: 'no' });
        const refused = await client.emitWithAck('disconnect', null);
        assert.equal(refused.ok, false);
        assert.equal(!refused.ok && refused.reason, 'error');
        assert.match(!refused.ok ? refused.error : '', /reserved/);
        // Several in flight at once are matched to their own answers.
        const answers = await Promise.all(range(5).map((n) => client.emitWithAck('echo', { n })));
        assert.deepEqual(answers, range(5).map((n) => ({ ok: true, value: { n } })));
      });

      test('byte arrays both ways, at any depth, empty and over 64 KiB', { timeout: TEST_TIMEOUT }, async () => {
        const client = await open();
        const { sid } = await client.opened();
        const session = app.session(sid);
        const payload: Plain = { bytes: bytes(pattern(1000)), nested: [[bytes([7])], bytes([])], text: 'with bytes' };
        assert.deepEqual(await client.emitWithAck('echo', payload), { ok: true, value: payload }, 'the echo comes back with Uint8Arrays in place');

        const big = pattern(70_000);
        await client.emit('bin', { bytes: bytes(big), tag: 'big' });
        await waitFor(() => app.received(session, 'bin').length === 1, 'the binary event at the server');
        const got = app.received(session, 'bin')[0] as { bytes: unknown; tag: string };
        assert.ok(got.bytes instanceof Uint8Array, `the server got ${Object.prototype.toString.call(got.bytes)}, not a Uint8Array`);
        assert.equal(got.bytes.length, big.length);
        assert.ok(Buffer.from(got.bytes).equals(Buffer.from(big)), 'the server got the same bytes');
        assert.equal(got.tag, 'big');

        session.emit('blob', { name: 'b', bytes: new Uint8Array([1, 2, 3]), nested: [new Uint8Array(0), [new Uint8Array([255])]] });
        session.emit('blob', { name: 'big', bytes: Uint8Array.from(big) });
        await client.waitCount('blob', 2);
        const blobs = await client.received('blob');
        assert.deepEqual(blobs[0], { name: 'b', bytes: bytes([1, 2, 3]), nested: [bytes([]), [bytes([255])]] });
        assert.deepEqual(blobs[1], { name: 'big', bytes: bytes(big) });
      });

      test('a room broadcast reaches its members only', { timeout: TEST_TIMEOUT }, async () => {
        const [member, other, second] = [await open(), await open(), await open()];
        const infos = [await member.opened(), await other.opened(), await second.opened()];
        // A room of its own: sessions of earlier tests may still be ending on the shared server.
        const room = `r-${infos[0].sid}`;
        assert.deepEqual(await member.emitWithAck('join', room), { ok: true, value: true });
        assert.deepEqual(await second.emitWithAck('join', room), { ok: true, value: true });
        assert.deepEqual((await app.baro.sessionsIn(room)).sort(), [infos[0].sid, infos[2].sid].sort());
        app.baro.to(room).emit('room', { text: 'for r', bytes: new Uint8Array([9]) });
        app.baro.except(room).emit('room', 'not for r');
        // Each session gets its packets in order: once the marker is in, any room event sent before it is too.
        for (const info of infos) app.session(info.sid).emit('marker', 'after');
        for (const client of [member, other, second]) await client.waitCount('marker', 1);
        assert.deepEqual(await member.received('room'), [{ text: 'for r', bytes: bytes([9]) }]);
        assert.deepEqual(await second.received('room'), [{ text: 'for r', bytes: bytes([9]) }]);
        assert.deepEqual(await other.received('room'), ['not for r'], 'the non-member got only the broadcast that excluded the room');
      });
    });
  }
}


/**
 * The client reads SSE with fetch streaming, not `EventSource`; but docs/protocol.md promises that
 * the browser's own `EventSource` resumes correctly by itself: its automatic reconnect sends
 * `Last-Event-ID`, which the server takes as `seq`. With the session in the URL (no `seq` there),
 * a server that ignored the header would replay from 0 and the page would see duplicates.
 */
describe("chromium: the browser's own EventSource", () => {
  interface EsLog {
    packets: { id: string; packet: [string, ...unknown[]] }[];
    errors: number;
    opens: number;
  }
  const log = (): Promise<EsLog> => page.evaluate(() => (window as unknown as { es: EsLog }).es);
  const events = (entries: EsLog['packets']) => entries.filter((entry) => entry.packet[0] === 'e');

  test('resumes after a cut with Last-Event-ID: every event once, in order', { timeout: TEST_TIMEOUT }, async () => {
    const { sid, token } = await page.evaluate(async () => {
      // A first stream opens the session (its open packet has the id and the token), then goes.
      const opening = new EventSource('/baro/sse');
      const info = await new Promise<{ sid: string; token: string }>((resolve, reject) => {
        setTimeout(() => reject(new Error('no open packet within 5 s')), 5000);
        opening.onmessage = (event) => {
          const packet = JSON.parse(event.data as string) as [string, { sid: string; token: string }];
          if (packet[0] === 'o') resolve(packet[1]);
        };
      });
      opening.close();
      return info;
    });
    const session = app.session(sid);
    await page.evaluate(
      ([sid_, token_]) => {
        const es = { packets: [] as unknown[], errors: 0, opens: 0 };
        (window as unknown as { es: typeof es }).es = es;
        const source = new EventSource(`/baro/sse?sid=${encodeURIComponent(sid_)}&token=${encodeURIComponent(token_)}`);
        (window as unknown as { esSource: EventSource }).esSource = source;
        source.onopen = () => es.opens++;
        source.onerror = () => es.errors++;
        source.onmessage = (event) => es.packets.push({ id: event.lastEventId, packet: JSON.parse(event.data as string) });
      },
      [sid, token] as [string, string],
    );
    let seen: EsLog | undefined;
    const waitLog = (what: string, predicate: (entry: EsLog) => boolean, timeout = 5000) =>
      waitFor(async () => predicate((seen = await log())), what, { timeout, every: 25, detail: () => seen && { ...seen, packets: seen.packets.length } });

    await waitLog('the attached stream to open', (entry) => entry.packets.some((p) => p.packet[0] === 'o'));
    for (const n of range(50)) session.emit('n', n);
    await waitLog('50 events', (entry) => events(entry.packets).length >= 50);

    app.dropAll();
    await waitLog('the stream to notice the cut', (entry) => entry.errors >= 1);
    for (const n of range(50)) session.emit('n', 50 + n);
    // EventSource waits its own reconnection time (about 3 s in Chromium) before coming back.
    await waitLog('the browser to reconnect by itself', (entry) => entry.opens >= 2, 10_000);
    for (const n of range(50)) session.emit('n', 100 + n);
    await waitLog('150 events', (entry) => events(entry.packets).length >= 150);
    await sleep(100);
    const final = await log();
    await page.evaluate(() => (window as unknown as { esSource: EventSource }).esSource.close());

    const got = events(final.packets);
    assert.deepEqual(got.map((entry) => entry.packet[3]), range(150), 'each event once, in order');
    assert.deepEqual(got.map((entry) => Number(entry.id)), got.map((entry) => entry.packet[1]), 'each event carries its seq as its id');
    const opens = final.packets.filter((entry) => entry.packet[0] === 'o').map((entry) => entry.packet[1] as { sid: string; resumed: boolean });
    assert.equal(opens.length, 2, 'one open packet per stream');
    assert.deepEqual(opens.map((info) => [info.sid, info.resumed]), [[sid, true], [sid, true]], 'both streams attached to the same session');
  });
});
