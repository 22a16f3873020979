/**
 * The examples are what users copy first: run them as a user would (their own process, their CLI)
 * and talk to them with real clients.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { connect } from '@baro/client';
import { WebSocket } from 'baro';
import { launchChromium, WEBRTC_ARGS } from '@baro/testing';

const root = fileURLToPath(new URL('../../../', import.meta.url));

async function start(script: string, args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [script, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const timer = setTimeout(() => child.kill(), 10_000);
  let output = '';
  for await (const chunk of child.stdout!) {
    output += String(chunk);
    const match = /(ws|http):\/\/[\d.]+:\d+/.exec(output);
    if (match) {
      clearTimeout(timer);
      return { child, url: match[0] };
    }
  }
  throw new Error(`${script} did not start: ${output}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

test('examples/echo-server.mjs echoes text and binary and broadcasts "broadcast:" messages', { timeout: 20_000 }, async () => {
  const { child, url } = await start('examples/echo-server.mjs', ['--port', '0']);
  try {
    const open = (socket: WebSocket) => new Promise((resolve, reject) => ((socket.onopen = resolve), (socket.onerror = reject)));
    const [a, b] = [new WebSocket(url), new WebSocket(url)];
    for (const socket of [a, b]) socket.binaryType = 'nodebuffer';
    await Promise.all([open(a), open(b)]);
    const next = (socket: WebSocket) => new Promise<unknown>((resolve) => socket.addEventListener('message', (event) => resolve((event as MessageEvent).data), { once: true }));
    let reply = next(a);
    a.send('hello');
    assert.equal(await reply, 'hello');
    reply = next(a);
    a.send(Uint8Array.of(1, 2, 3));
    assert.deepEqual([...((await reply) as Buffer)], [1, 2, 3]);
    const both = [next(a), next(b)];
    a.send('broadcast:to all');
    assert.deepEqual(await Promise.all(both), ['to all', 'to all']);
    a.close();
    b.close();
  } finally {
    await stop(child);
  }
});

test('examples/chat-server.mjs serves its page and relays messages to the room', { timeout: 20_000 }, async () => {
  const { child, url } = await start('examples/chat-server.mjs', ['--port', '0']);
  try {
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /baro-client\.js/);
    const script = await fetch(`${url}/baro-client.js`);
    assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
    const [ana, bo] = [connect(url, { WebSocket }), connect(url, { WebSocket, transports: ['sse'] })];
    const heard = new Promise<unknown>((resolve) => bo.on('message', resolve));
    await new Promise<void>((resolve) => bo.onState((event) => event.type === 'open' && resolve()));
    await new Promise<void>((resolve) => (ana.state === 'open' ? resolve() : ana.onState((event) => event.type === 'open' && resolve())));
    ana.emit('message', 'hi from ana');
    const message = (await heard) as { from: string; text: string };
    assert.equal(message.text, 'hi from ana');
    assert.match(message.from, /^guest-/);
    ana.close();
    bo.close();
  } finally {
    await stop(child);
  }
});

test('examples/whiteboard-server.mjs: two tabs draw to each other over a direct path, shown on the page', { timeout: 60_000 }, async () => {
  const { child, url } = await start('examples/whiteboard-server.mjs', ['--port', '0']);
  const browser = await launchChromium({ args: WEBRTC_ARGS });
  try {
    const tabs = [];
    for (let i = 0; i < 2; i++) {
      const page = await (await browser.newContext()).newPage();
      await page.goto(url);
      tabs.push(page);
    }
    // Each tab lists the other as a peer on the direct path.
    for (const page of tabs) await page.locator('#peers li.direct').waitFor({ timeout: 20_000 });
    assert.match((await tabs[0].locator('#peers li').textContent()) ?? '', /: direct$/);
    await tabs[0].evaluate(() => (window as never as { whiteboard: { line(segment: unknown): void } }).whiteboard.line({ from: [10, 10], to: [200, 150], color: 'red' }));
    await tabs[1].waitForFunction(() => (window as never as { whiteboard: { strokes: number } }).whiteboard.strokes === 1, undefined, { timeout: 10_000 });
    const stats = (await (await fetch(`${url}/stats`)).json()) as { relayedBytes: number; signallingBytes: number };
    assert.equal(stats.relayedBytes, 0, 'the stroke went direct');
    assert.ok(stats.signallingBytes > 0);
  } finally {
    await browser.close();
    await stop(child);
  }
});
