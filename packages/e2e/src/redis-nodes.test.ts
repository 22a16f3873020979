/**
 * Issue 11: any request of any session may land on any node, and a client resumes with nothing
 * lost or repeated even when the node it was on is killed. Three nodes (examples/session-echo-server.mjs
 * with --redis, each its own process) behind a round-robin balancer with no stickiness (every HTTP
 * request and every upgrade to the next node). Meanwhile
 * - 10,000 numbered broadcasts are published from another node (a RedisBroker in this process)
 *   → the client's handler sees 0..9,999 exactly once and in order;
 * - the client sends 1,000 `echo` events with acks → each is answered once, with its own payload;
 * - every 2 s the test SIGKILLs the node the client is on and starts it again on its port.
 * The client must never resync.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { connect } from '@baro/client';
import type { TransportName } from '@baro/protocol';
import { WebSocket } from 'baro';
import { RedisBroker } from '@baro/redis';
import { startRedis, type RedisServer } from '@baro/testing';
import { RoundRobinBalancer } from './support/round-robin-balancer.js';
import { sleep, waitFor } from './support/wait.js';

const EVENTS = 10_000;
const ECHOES = 1_000;
const KILL_EVERY_MS = 2000;
/** Publishing is paced over about this long, so that it spans several kills. */
const PUBLISH_MS = 12_000;
const DELIVERY_MS = 60_000;

const root = fileURLToPath(new URL('../../../', import.meta.url));

let redis: RedisServer;
before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis?.stop();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** One node: the example in its own process, on a fixed port so it can come back there. */
class Node {
  readonly port: number;
  #child: ChildProcess | null = null;

  constructor(port: number) {
    this.port = port;
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, ['examples/session-echo-server.mjs', '--port', String(this.port), '--redis', redis.url], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    let output = '';
    child.stderr!.on('data', (chunk: Buffer) => (output += String(chunk)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`node on ${this.port} did not start within 10 s: ${output}`)), 10_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        output += String(chunk);
        if (output.includes('session echo server on')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`node on ${this.port} exited with ${code}: ${output}`));
      });
    });
    child.removeAllListeners('exit');
  }

  async kill(): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

async function runAcrossNodes(transport: TransportName): Promise<void> {
  const nodes = [new Node(await freePort()), new Node(await freePort()), new Node(await freePort())];
  await Promise.all(nodes.map((node) => node.start()));
  const balancer = new RoundRobinBalancer(nodes.map((node) => node.port));
  const url = await balancer.listen();
  // Every node trims the shared streams by its own limits: the publisher keeps as much as the nodes do.
  const publisher = new RedisBroker({ url: redis.url, limits: { count: 10_000 } });
  const client = connect(url, { transports: [transport], WebSocket: WebSocket as never, ackTimeout: DELIVERY_MS, pollInterval: 50, reconnect: { initialDelay: 100, maxDelay: 500 } });
  const received: number[] = [];
  const resyncs: string[] = [];
  let kills = 0;
  let stopKilling = false;
  let killer: Promise<void> = Promise.resolve();
  try {
    client.on('broadcast', (n: unknown) => void received.push(n as number));
    client.onState((event) => {
      if (event.type === 'resync') resyncs.push(event.sid);
    });
    await waitFor(() => client.state === 'open', 'the client to open', { timeout: 10_000 });

    killer = (async () => {
      while (!stopKilling) {
        await sleep(KILL_EVERY_MS);
        if (stopKilling) break;
        const index = balancer.lastStreaming ?? 0;
        await nodes[index].kill();
        kills++;
        await nodes[index].start();
      }
    })();

    const echoes = (async () => {
      const answers: Promise<unknown>[] = [];
      for (let i = 0; i < ECHOES; i++) {
        answers.push(client.emitWithAck('echo', { i }));
        if (i % 10 === 9) await sleep(PUBLISH_MS / (ECHOES / 10));
      }
      return await Promise.all(answers);
    })();

    const batch = 100;
    for (let n = 0; n < EVENTS; n += batch) {
      for (let k = n; k < n + batch; k++) await publisher.publish('', { name: 'broadcast', data: k, size: 20 });
      await sleep(PUBLISH_MS / (EVENTS / batch));
    }
    const answers = await echoes;
    await waitFor(() => received.length >= EVENTS, `${EVENTS} broadcasts`, { timeout: DELIVERY_MS, every: 50, detail: () => ({ received: received.length, last: received.at(-1), kills, resyncs }) });
    stopKilling = true;
    await killer;

    assert.deepEqual(resyncs, [], 'the client never had to resync');
    assert.ok(kills >= 3, `nodes were killed (${kills})`);
    assert.equal(received.length, EVENTS);
    const outOfPlace = received.findIndex((n, i) => n !== i);
    assert.equal(outOfPlace, -1, `broadcast ${outOfPlace} is ${received[outOfPlace]}`);
    assert.deepEqual(answers, Array.from({ length: ECHOES }, (_, i) => ({ i })));
    console.log(`${transport}: ${EVENTS} broadcasts and ${ECHOES} echoes across ${kills} kills; requests per node ${balancer.forwarded.join('/')}`);
  } finally {
    stopKilling = true;
    // A node being started again finishes starting before everything is stopped.
    await killer.catch(() => {});
    client.close();
    await publisher.close();
    await balancer.close();
    await Promise.all(nodes.map((node) => node.kill()));
  }
}

for (const transport of ['websocket', 'long-polling', 'sse', 'polling'] as const) {
  test(`three nodes, no stickiness, the client's node SIGKILLed every 2 s (${transport}): ${EVENTS} broadcasts exactly once in order, ${ECHOES} echoes answered once`, { timeout: 150_000 }, async () => {
    await runAcrossNodes(transport);
  });
}

/** Three nodes behind the balancer, for the tests below. */
async function cluster(): Promise<{ nodes: Node[]; balancer: RoundRobinBalancer; url: string; close: () => Promise<void> }> {
  const nodes = [new Node(await freePort()), new Node(await freePort()), new Node(await freePort())];
  await Promise.all(nodes.map((node) => node.start()));
  const balancer = new RoundRobinBalancer(nodes.map((node) => node.port));
  const url = await balancer.listen();
  return {
    nodes,
    balancer,
    url,
    close: async () => {
      await balancer.close();
      await Promise.all(nodes.map((node) => node.kill()));
    },
  };
}

test('rooms across nodes: members on different transports and nodes get every message sent to the room, once and in order; a session outside it gets none', { timeout: 60_000 }, async () => {
  const { url, close } = await cluster();
  const options = { WebSocket: WebSocket as never, pollInterval: 50, reconnect: { initialDelay: 100, maxDelay: 500 } };
  const clients = [
    connect(url, { ...options, transports: ['websocket'] }),
    connect(url, { ...options, transports: ['long-polling'] }),
    connect(url, { ...options, transports: ['sse'] }),
  ];
  const outsider = connect(url, { ...options, transports: ['websocket'] });
  const heard: unknown[][] = clients.map(() => []);
  const outsiderHeard: unknown[] = [];
  try {
    clients.forEach((client, i) => client.on('room', (data: unknown) => void heard[i].push(data)));
    outsider.on('room', (data: unknown) => void outsiderHeard.push(data));
    for (const client of clients) assert.equal(await client.emitWithAck('join', 'red'), true);
    assert.equal(await outsider.emitWithAck('join', 'blue'), true);
    const COUNT = 300;
    for (let n = 0; n < COUNT; n++) {
      clients[n % 3].emit('room', { room: 'red', data: { from: n % 3, n } });
      if (n % 20 === 19) await sleep(20);
    }
    await waitFor(() => heard.every((list) => list.length >= COUNT), `${COUNT} room messages for every member`, { timeout: 30_000, every: 50, detail: () => heard.map((list) => list.length) });
    // Fences instead of a pause to show nothing more comes: what was sent before one arrives before it.
    const isFence = (data: unknown): boolean => (data as { fence?: boolean }).fence === true;
    clients[0].emit('room', { room: 'red', data: { fence: true } });
    await waitFor(() => heard.every((list) => list.some(isFence)), 'the red fence at every member', { timeout: 10_000, every: 20 });
    clients[0].emit('room', { room: 'blue', data: { fence: true } });
    await waitFor(() => outsiderHeard.some(isFence), 'the blue fence at the outsider', { timeout: 10_000, every: 20 });
    for (const list of heard) list.splice(list.findIndex(isFence), 1);
    outsiderHeard.splice(outsiderHeard.findIndex(isFence), 1);
    for (const [i, list] of heard.entries()) {
      assert.equal(list.length, COUNT, `member ${i} got each once`);
      // Each sender's messages arrive in the order it sent them.
      for (const from of [0, 1, 2]) {
        const mine = list.filter((data) => (data as { from: number }).from === from).map((data) => (data as { n: number }).n);
        assert.deepEqual(mine, [...mine].sort((a, b) => a - b), `member ${i}, sender ${from}`);
      }
    }
    assert.deepEqual(outsiderHeard, []);
  } finally {
    for (const client of [...clients, outsider]) client.close();
    await close();
  }
});

test('Redis killed mid-stream and started again 2 s later, empty: the client is told to resync (never a silent gap), then is served as before by the same nodes', { timeout: 90_000 }, async () => {
  const { url, close } = await cluster();
  const client = connect(url, { transports: ['websocket'], WebSocket: WebSocket as never, reconnect: { initialDelay: 100, maxDelay: 500 } });
  let publisher = new RedisBroker({ url: redis.url, limits: { count: 10_000 } });
  const received: number[] = [];
  const resyncs: string[] = [];
  try {
    client.on('broadcast', (n: unknown) => void received.push(n as number));
    client.onState((event) => {
      if (event.type === 'resync') resyncs.push(event.sid);
    });
    await waitFor(() => client.state === 'open', 'the client to open', { timeout: 10_000 });
    for (let n = 0; n < 100; n++) await publisher.publish('', { name: 'broadcast', data: n, size: 20 });
    await waitFor(() => received.length >= 100, 'the first 100 broadcasts', { timeout: 10_000, detail: () => received.length });
    assert.equal(await client.emitWithAck('echo', 'before'), 'before');

    await publisher.close();
    // Redis away for 2 s (the client's events wait, nothing hangs for good), then back empty.
    await redis.kill();
    const during = client.emitWithAck('echo', 'during');
    await sleep(2000);
    await redis.restart();
    publisher = new RedisBroker({ url: redis.url, limits: { count: 10_000 } });
    // Publish until the client has resynced and hears the new run of the stream (bounded).
    let n = 1000;
    await waitFor(
      async () => {
        await publisher.publish('', { name: 'broadcast', data: n++, size: 20 });
        return resyncs.length > 0 && received.some((seen) => seen >= 1000);
      },
      'a resync, then broadcasts again',
      { timeout: 60_000, every: 50, detail: () => ({ resyncs, last: received.at(-1), state: client.state }) },
    );
    assert.deepEqual(received.slice(0, 100), Array.from({ length: 100 }, (_, i) => i), 'before the restart: every one, in order');
    const after = received.slice(100);
    assert.deepEqual(after, [...after].sort((a, b) => a - b), 'after it: in order');
    assert.equal(new Set(after).size, after.length, 'after it: none twice');
    assert.equal(await client.emitWithAck('echo', 'after'), 'after', 'the nodes serve the new session without being restarted');
    assert.equal(await during, 'during', 'an event sent while Redis was away is answered after the resync');
  } finally {
    client.close();
    await publisher.close();
    await close();
  }
});

test('examples/session-cluster.mjs: workers of one machine share the port and the sessions; a worker killed is replaced and its clients resume', { timeout: 90_000 }, async () => {
  const primary = spawn(process.execPath, ['examples/session-cluster.mjs', '--port', '0', '--redis', redis.url, '--workers', '2'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  primary.stdout!.on('data', (chunk: Buffer) => (output += String(chunk)));
  primary.stderr!.on('data', (chunk: Buffer) => (output += String(chunk)));
  const workerPids = () => [...output.matchAll(/pid (\d+)/g)].map((match) => Number(match[1]));
  let client: { close(): void } | null = null;
  try {
    await waitFor(() => (output.match(/session echo server on/g) ?? []).length >= 2, 'two workers listening', { timeout: 20_000, detail: () => output });
    const url = /http:\/\/[\d.]+:\d+/.exec(output)![0];
    const echoing = connect(url, { transports: ['long-polling'], ackTimeout: 30_000, reconnect: { initialDelay: 100, maxDelay: 500 } });
    client = echoing;
    const answers: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) {
      answers.push(echoing.emitWithAck('echo', i));
      if (i === 100) {
        // One worker dies mid-run (the primary starts another): nothing is lost.
        const pid = workerPids()[0];
        process.kill(pid, 'SIGKILL');
      }
      if (i % 10 === 9) await sleep(20);
    }
    assert.deepEqual(await Promise.all(answers).catch((error: Error) => assert.fail(`${error.message}; output: ${output}`)), Array.from({ length: 200 }, (_, i) => i));
    await waitFor(() => output.includes('starting another'), 'the primary to replace the worker', { timeout: 10_000, detail: () => output });
  } finally {
    client?.close();
    const exited = new Promise((resolve) => primary.once('exit', resolve));
    primary.kill('SIGTERM');
    await Promise.race([exited, sleep(5000)]);
    if (primary.exitCode === null) primary.kill('SIGKILL');
    // The workers of a primary killed hard would be orphans: end them by their pids.
    for (const pid of workerPids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});
