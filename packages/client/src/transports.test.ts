/**
 * One suite, every transport: the client forced onto each transport alone (`transports: [name]`)
 * against an in-test server speaking the documented packets. Events both ways, acks both ways,
 * binary payloads, and reconnect + resume after the connections are destroyed with nothing lost,
 * repeated or reordered.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TransportName } from '@baro/protocol';
import { AckError } from './types.js';
import { FakeServer } from './test-support/fake-server.js';
import { clientFor, closeClients, type ServerToClient } from './test-support/app.js';
import { nextState, sleep, waitFor } from './test-support/wait.js';

const TRANSPORTS: TransportName[] = ['websocket', 'sse', 'long-polling', 'polling'];
const TEST_TIMEOUT = 20_000;

for (const transport of TRANSPORTS) {
  describe(`transport ${transport} alone`, { timeout: TEST_TIMEOUT }, () => {
    let server: FakeServer;
    before(async () => {
      server = await new FakeServer().listen();
      server.onEvent = (session, name, data) => {
        if (name === 'echo') return data;
        if (name === 'fail') throw new Error('rate_limited');
        if (name === 'hello') session.emit('news', `hello, ${String(data)}`);
        return null;
      };
    });
    afterEach(closeClients);
    after(() => server.close());

    test('opens, and carries events both ways', async () => {
      const client = clientFor(server, { transports: [transport] });
      const news: string[] = [];
      client.on('news', (text) => news.push(text));
      const open = await nextState(client, 'open');
      assert.equal(open.transport, transport);
      assert.equal(client.transport, transport);
      assert.equal(open.resumed, false);
      assert.equal(client.sessionId, server.session.sid);
      client.emit('hello', 'baro');
      await waitFor(() => news.length === 1, 'the answer to hello');
      assert.deepEqual(news, ['hello, baro']);
      server.session.emit('news', 'second');
      await waitFor(() => news.length === 2, 'a server event');
      assert.deepEqual(news, ['hello, baro', 'second']);
      assert.deepEqual(server.session.received, [{ name: 'hello', data: 'baro' }]);
      assert.deepEqual(server.session.transports, [transport]);
      client.close();
    });

    test('acks both ways, and an error answer rejects', async () => {
      const client = clientFor(server, { transports: [transport] });
      client.on('confirm', (question, ack) => ack({ yes: question === 'ok?' }));
      await nextState(client, 'open');
      assert.deepEqual(await client.emitWithAck('echo', { a: [1, 'two', null] }), { a: [1, 'two', null] });
      await assert.rejects(client.emitWithAck('fail', null), (error: AckError) => error instanceof AckError && error.reason === 'error' && error.message === 'rate_limited');
      assert.deepEqual(await server.session.emitWithAck('confirm', 'ok?'), { yes: true });
      assert.deepEqual(await server.session.emitWithAck('confirm', 'no?'), { yes: false });
      client.close();
    });

    test('binary payloads at any depth, both ways', async () => {
      const client = clientFor(server, { transports: [transport] });
      const blobs: ServerToClient['blob'][] = [];
      client.on('blob', (blob) => blobs.push(blob));
      await nextState(client, 'open');
      const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) % 256);
      const echoed = (await client.emitWithAck('echo', { bytes, list: [new Uint8Array([1, 2]), new Uint8Array(0)] })) as { bytes: Uint8Array; list: Uint8Array[] };
      assert.ok(echoed.bytes instanceof Uint8Array);
      assert.deepEqual([...echoed.bytes], [...bytes]);
      assert.deepEqual(echoed.list.map((item) => [...item]), [[1, 2], []]);
      server.session.emit('blob', { name: 'x', bytes: new Uint8Array([255, 0, 128]), nested: [new Uint8Array([9])] });
      await waitFor(() => blobs.length === 1, 'the binary event');
      assert.deepEqual([...blobs[0].bytes], [255, 0, 128]);
      assert.deepEqual([...blobs[0].nested[0]], [9]);
      assert.equal(blobs[0].name, 'x');
      client.close();
    });

    test('resumes after the connections are destroyed: nothing lost, repeated or reordered', async () => {
      const client = clientFor(server, { transports: [transport] });
      const got: number[] = [];
      client.on('n', (n) => got.push(n));
      await nextState(client, 'open');
      const session = server.session;
      const N = 60;
      let sent = 0;
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < N / 3; i++) {
          sent++;
          session.emit('n', sent);
          client.emit('n', sent);
          if (i % 7 === 0) await sleep(1);
        }
        // A polling client may be between requests when the connections go: then it notices nothing.
        const reopened = nextState(client, 'open');
        reopened.catch(() => {});
        server.dropAll();
        // Sent while the transport is down: the server buffers, the client queues.
        session.emit('n', ++sent);
        client.emit('n', sent);
        await Promise.race([reopened, sleep(300)]);
        await waitFor(() => client.state === 'open', 'the client open again');
      }
      await waitFor(() => got.length >= sent && session.received.length >= sent, `${sent} events each way`, 10_000);
      await sleep(50);
      const expected = Array.from({ length: sent }, (_, i) => i + 1);
      assert.deepEqual(got, expected);
      assert.deepEqual(session.received.map((event) => event.data), expected);
      assert.equal(server.opened.at(-1), session, 'one session throughout');
      client.close();
    });
  });
}
