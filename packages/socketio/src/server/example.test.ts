/** examples/socketio-server.mjs run as a user runs it (its own process, its flags), with the official socket.io-client. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { HttpProxy } from '@baro/testing';
import { rawRequest, sidOf } from '../test-support/http.js';
import { Clients, TRANSPORT_MODES, nextEvent } from '../test-support/socketio.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

let child: ChildProcess;
let port = 0;

before(async () => {
  const args = ['examples/socketio-server.mjs', '--port', '0', '--ping-interval', '700', '--ping-timeout', '600', '--max-payload', '5000', '--connect-timeout', '300'];
  child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  const deadline = setTimeout(() => child.kill(), 10_000);
  for await (const chunk of child.stdout!) {
    output += String(chunk);
    const match = /http:\/\/127\.0\.0\.1:(\d+)\/socket\.io\//.exec(output);
    if (match) {
      port = Number(match[1]);
      break;
    }
  }
  clearTimeout(deadline);
  assert.ok(port > 0, `the example printed its URL: ${output}`);
});

after(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
});

const normalise = (value: unknown): unknown =>
  value instanceof ArrayBuffer || Buffer.isBuffer(value) ? ['bytes', ...Buffer.from(value as ArrayBuffer)] : Array.isArray(value) ? value.map(normalise) : value;

describe('examples/socketio-server.mjs', { timeout: 30_000 }, () => {
  it('its timing flags reach the Engine.IO handshake; --connect-timeout closes a connection that joins no namespace', async () => {
    const handshake = await rawRequest(port, '/socket.io/?EIO=4&transport=polling');
    const open = JSON.parse(handshake.body.slice(1)) as Record<string, unknown>;
    assert.deepEqual({ pingInterval: open.pingInterval, pingTimeout: open.pingTimeout, maxPayload: open.maxPayload }, { pingInterval: 700, pingTimeout: 600, maxPayload: 5000 });
    const started = Date.now();
    const poll = await rawRequest(port, `/socket.io/?EIO=4&transport=polling&sid=${sidOf(handshake.body)}`, { timeout: 3000 });
    assert.equal(poll.body, '1', 'the waiting poll carries the close packet');
    assert.ok(Date.now() - started < 1000, `closed after ${Date.now() - started} ms`);
  });

  for (const [label, transports] of TRANSPORT_MODES) {
    it(`${label}: / and /custom send 'auth', echo 'message' as 'message-back', ack 'message-with-ack'`, async () => {
      const clients = new Clients(port, transports);
      try {
        for (const nsp of ['/', '/custom']) {
          const auth = { token: `t-${nsp}`, nested: { n: 1 } };
          const socket = clients.manager().socket(nsp, { auth });
          const [authBack] = await nextEvent<[unknown]>(socket, 'auth');
          assert.deepEqual(authBack, auth);
          const args = ['text ✓', 42, { a: [true, null] }, Buffer.from([1, 2, 3])];
          const back = nextEvent<unknown[]>(socket, 'message-back');
          socket.emit('message', ...args);
          assert.deepEqual(normalise(await back), normalise(args));
          const acked = await new Promise<unknown[]>((resolve) => socket.emit('message-with-ack', ...args, (...answer: unknown[]) => resolve(answer)));
          assert.deepEqual(normalise(acked), normalise(args));
          assert.deepEqual(normalise(await socket.timeout(2000).emitWithAck('message-with-ack', Buffer.from([9]))), normalise(Buffer.from([9])));
        }
      } finally {
        clients.closeAll();
      }
    });

    it(`${label}: a message over --max-payload ends the client's connection; the server goes on`, async () => {
      const clients = new Clients(port, transports);
      try {
        const socket = clients.manager().socket('/');
        await nextEvent(socket, 'auth');
        if (transports.length === 2 && socket.io.engine.transport.name !== 'websocket') await nextEvent(socket.io.engine, 'upgrade');
        const gone = nextEvent<[string]>(socket, 'disconnect');
        socket.emit('message', 'x'.repeat(6000));
        const [reason] = await gone;
        // WebSocket: closed with 1009. Polling: the POST is refused 413 and the session ends; the client
        // hears whichever comes first, the 413 ("transport error") or the close packet on its poll.
        if (transports.length === 1 && transports[0] === 'polling') assert.match(reason, /^transport (error|close)$/);
        else assert.equal(reason, 'transport close');
        const again = clients.manager().socket('/');
        await nextEvent(again, 'auth');
      } finally {
        clients.closeAll();
      }
    });
  }

  it('behind a proxy that refuses Upgrade, the client stays on polling and everything works', async () => {
    const proxy = await HttpProxy.start(port, { upgrade: 'refuse' });
    const clients = new Clients(proxy.port, ['polling', 'websocket']);
    try {
      const manager = clients.manager();
      const socket = manager.socket('/custom', { auth: { via: 'proxy' } });
      const upgradeError = nextEvent(manager.engine, 'upgradeError');
      assert.deepEqual(await nextEvent(socket, 'auth'), [{ via: 'proxy' }]);
      await upgradeError;
      const back = nextEvent<unknown[]>(socket, 'message-back');
      socket.emit('message', 'still here', Buffer.from([5]));
      assert.deepEqual(normalise(await back), normalise(['still here', Buffer.from([5])]));
      assert.equal(manager.engine.transport.name, 'polling');
    } finally {
      clients.closeAll();
      await proxy.close();
    }
  });
});
