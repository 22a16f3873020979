/** examples/engineio-server.mjs run as a user runs it (its own process, its flags), with the official client. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { Socket as EngineClient } from 'engine.io-client';
import { rawRequest, waitFor } from '../test-support/http.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

test('examples/engineio-server.mjs: its flags reach the handshake; it echoes text and binary on every transport', { timeout: 20_000 }, async () => {
  const args = ['examples/engineio-server.mjs', '--port', '0', '--ping-interval', '700', '--ping-timeout', '600', '--max-payload', '5000'];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const killer = setTimeout(() => child.kill(), 15_000);
  try {
    let output = '';
    let port = 0;
    for await (const chunk of child.stdout) {
      output += String(chunk);
      const match = /http:\/\/127\.0\.0\.1:(\d+)\/engine\.io\//.exec(output);
      if (match) {
        port = Number(match[1]);
        break;
      }
    }
    assert.ok(port > 0, `the example printed its URL: ${output}`);

    const handshake = await rawRequest(port, '/engine.io/?EIO=4&transport=polling');
    const open = JSON.parse(handshake.body.slice(1)) as Record<string, unknown>;
    assert.deepEqual({ pingInterval: open.pingInterval, pingTimeout: open.pingTimeout, maxPayload: open.maxPayload }, { pingInterval: 700, pingTimeout: 600, maxPayload: 5000 });

    for (const transports of [['polling'], ['websocket'], ['polling', 'websocket']]) {
      const client = new EngineClient(`http://127.0.0.1:${port}`, { transports });
      await waitFor(client, 'open');
      const echoes: unknown[] = [];
      const done = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${echoes.length} of 2 echoes in 5 s`)), 5000);
        client.on('message', (data) => {
          echoes.push(typeof data === 'string' ? data : [...Buffer.from(data as ArrayBuffer)]);
          if (echoes.length === 2) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      client.send('hello 😀');
      client.send(Buffer.from([1, 2, 3]));
      await done;
      assert.deepEqual(echoes, ['hello 😀', [1, 2, 3]], transports.join('+'));
      client.close();
    }
  } finally {
    clearTimeout(killer);
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }
});
