/**
 * The official sockjs-client 1.6.1, in Node (where it runs websocket, xhr-streaming and
 * xhr-polling), against examples/sockjs-server.mjs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startExample, type RunningExample } from './test-support/example.js';

interface SockJSClient {
  transport?: string;
  onopen: (() => void) | null;
  onmessage: ((event: { data: string }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  send(message: string): void;
  close(code?: number, reason?: string): void;
}
const require = createRequire(import.meta.url);
const SockJS = require('sockjs-client') as new (url: string, _reserved: null, options: { transports: string[] }) => SockJSClient;

let example: RunningExample;
before(async () => {
  example = await startExample();
});
after(async () => {
  await example.stop();
});

interface Outcome {
  transport: string | undefined;
  received: string[];
  close: [number, string];
}

/** Connects, sends `messages` once open, closes after as many replies, and reports what happened. */
function converse(path: string, transport: string, messages: readonly string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const client = new SockJS(example.origin + path, null, { transports: [transport] });
    const received: string[] = [];
    const timer = setTimeout(() => {
      client.close();
      reject(new Error(`${transport} ${path}: no close within 15 s; got ${received.length} messages`));
    }, 15_000);
    let openedOver: string | undefined;
    client.onopen = () => {
      openedOver = client.transport;
      messages.forEach((message) => client.send(message));
    };
    client.onmessage = (event) => {
      received.push(event.data);
      if (received.length === messages.length) client.close();
    };
    client.onclose = (event) => {
      clearTimeout(timer);
      resolve({ transport: openedOver, received, close: [event.code, event.reason] });
    };
  });
}

/** Characters sockjs-node escapes (and a few that only JSON escapes), in one message each. */
const UNICODE = ['\u0000\u001f', '\u200c\u200f', '\u2028\u2029', '\u2060\u206f', '\ufeff', '\ufff0\uffff', 'héllo wörld 😀', '"\\\n\t', '\ud800 lone'];
const LARGE = Array.from({ length: 3 }, (_, i) => String(i).repeat(10_000));

for (const transport of ['websocket', 'xhr-streaming', 'xhr-polling']) {
  describe(`sockjs-client in Node over ${transport}`, () => {
    test('echo, unicode that must be escaped, messages larger than response_limit', async () => {
      const messages = ['hello', ...UNICODE, ...LARGE];
      const outcome = await converse('/echo', transport, messages);
      assert.equal(outcome.transport, transport);
      assert.deepEqual(outcome.received, messages);
      assert.deepEqual(outcome.close, [1000, 'Normal closure']);
    });
    test('/close: the server closes with 3000 "Go away!"', async () => {
      const outcome = await converse('/close', transport, []);
      assert.deepEqual(outcome.close, [3000, 'Go away!']);
    });
  });
}

test('cookie_needed_echo works; disabled_websocket_echo refuses WebSocket and takes xhr-streaming', async () => {
  assert.deepEqual((await converse('/cookie_needed_echo', 'xhr-streaming', ['a'])).received, ['a']);
  assert.deepEqual((await converse('/disabled_websocket_echo', 'xhr-streaming', ['b'])).received, ['b']);
  const refused = await converse('/disabled_websocket_echo', 'websocket', ['c']);
  assert.deepEqual(refused.received, []);
  assert.equal(refused.close[0], 2000);
});
