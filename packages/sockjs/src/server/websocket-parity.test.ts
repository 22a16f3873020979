/**
 * WebSocket transports against the reference server and ours: RFC 6455 with SockJS framing and
 * raw, and the hixie-76 handshake with key3 arriving in a separate TCP write (as via haproxy).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'baro';
import { openRaw } from './test-support/http.js';
import { startOurs, startReference, type RunningServer } from './test-support/servers.js';

let ours: RunningServer;
let theirs: RunningServer;

before(async () => {
  [ours, theirs] = await Promise.all([startOurs(), startReference()]);
});
after(async () => {
  await Promise.all([ours.close(), theirs.close()]);
});

/**
 * Opens a WebSocket, sends `outgoing` (after the `o` frame on SockJS URLs, at once on raw ones),
 * and records everything until the close.
 */
function transcript(port: number, path: string, outgoing: readonly string[], closeAfter?: number): Promise<string[]> {
  const raw = path.endsWith('/websocket') && path.split('/').length === 3;
  return new Promise((resolve, reject) => {
    const events: string[] = [];
    const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`);
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`${path}: no close within 5 s; got ${JSON.stringify(events)}`));
    }, 5000);
    let received = 0;
    if (raw) socket.onopen = () => outgoing.forEach((message) => socket.send(message));
    socket.onmessage = (event) => {
      events.push(String(event.data));
      received++;
      if (received === 1 && !raw) for (const message of outgoing) socket.send(message);
      if (received === closeAfter) socket.close(1000);
    };
    socket.onclose = (event) => {
      clearTimeout(timer);
      events.push(`close ${event.code} ${event.reason}`);
      resolve(events);
    };
  });
}

async function bothSay(path: string, outgoing: readonly string[], closeAfter?: number): Promise<string[]> {
  const [mine, reference] = await Promise.all([transcript(ours.port, path, outgoing, closeAfter), transcript(theirs.port, path, outgoing, closeAfter)]);
  assert.deepEqual(mine, reference);
  return mine;
}

describe('SockJS framing over RFC 6455', () => {
  test('echo: arrays, a bare string, empty messages ignored; one frame per message', async () => {
    const events = await bothSay('/echo/000/abc/websocket', ['["a","b"]', '"c"', '', '["\\u2028"]'], 5);
    assert.deepEqual(events, ['o', 'a["a"]', 'a["b"]', 'a["c"]', 'a["\\u2028"]', 'close 1000 ']);
  });
  test('a closing session sends c[3000,"Go away!"] and closes the socket', async () => {
    assert.deepEqual(await bothSay('/close/000/abc/websocket', []), ['o', 'c[3000,"Go away!"]', 'close 1000 Normal closure']);
  });
  test('broken JSON closes the session', async () => {
    const events = await bothSay('/echo/000/abc/websocket', ['["a', '["b"]']);
    assert.deepEqual(events, ['o', 'close 3000 Broken framing.']);
  });
});

describe('raw WebSocket', () => {
  test('echo without framing; close codes reach the client', async () => {
    assert.deepEqual(await bothSay('/echo/websocket', ['hello', '["not framing"]'], 2), ['hello', '["not framing"]', 'close 1000 ']);
    const [mine, reference] = await Promise.all([transcript(ours.port, '/close/websocket', []), transcript(theirs.port, '/close/websocket', [])]);
    assert.deepEqual(mine, reference);
    assert.deepEqual(mine, ['close 3000 Go away!']);
  });
});

describe('hixie-76', () => {
  const head = (port: number, path: string) =>
    [`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Upgrade: WebSocket', 'Connection: Upgrade', 'Origin: http://example.com', 'Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5', 'Sec-WebSocket-Key2: 12998 5 Y3 1  .P00', '', ''].join('\r\n');

  /** Talks hixie-76 with key3 in a TCP write of its own, 100 ms after the head. */
  async function session(port: number, path: string): Promise<string[]> {
    const { socket, read } = await openRaw(port);
    socket.write(head(port, path));
    const headOnly = await read((bytes) => bytes.includes('\r\n\r\n'));
    const answeredEarly = headOnly.length - (headOnly.indexOf('\r\n\r\n') + 4);
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.write(Buffer.from('^n:ds[4U', 'latin1'));
    const headLength = headOnly.indexOf('\r\n\r\n') + 4;
    const opened = await read((bytes) => bytes.length >= headLength + 16 + 3);
    const signature = opened.subarray(headLength, headLength + 16).toString('latin1');
    socket.write(Buffer.concat([Buffer.from([0x00]), Buffer.from('["x","y"]'), Buffer.from([0xff])]));
    const echoed = await read((bytes) => bytes.subarray(headLength + 16).filter((byte) => byte === 0xff).length >= 3);
    socket.write(Buffer.from([0xff, 0x00]));
    await read(() => false, 2000).catch(() => undefined);
    const frames = echoed.subarray(headLength + 16).toString('latin1');
    socket.destroy();
    const headText = headOnly.subarray(0, headLength).toString('latin1').replace(/:\d+\//, ':PORT/');
    return [headText, `early body bytes ${answeredEarly}`, signature, frames];
  }

  test('handshake answered before key3, signature after it, SockJS frames both ways', async () => {
    const [mine, reference] = await Promise.all([session(ours.port, '/echo/000/abc/websocket'), session(theirs.port, '/echo/000/abc/websocket')]);
    assert.deepEqual(mine, reference);
    assert.equal(mine[2], "8jKS'y:G*Co,Wxa-");
    assert.equal(mine[3], '\x00o\xff\x00a["x"]\xff\x00a["y"]\xff');
  });
});
