/**
 * What `npm start` runs: the CLI as a child process on a fresh database, its printed links used as
 * a newcomer would, a clean stop on Ctrl-C, and a second start on the same database.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { joinAs, quizClient, TestHost } from '../test-support/quiz-clients.js';

const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));

interface Started {
  child: ChildProcess;
  url: string;
  hostPassword: string;
  joinCode: string;
  output: () => string;
}

/** Starts the CLI and resolves once it has printed its links (or fails with what it printed). */
function startCli(args: string[]): Promise<Started> {
  const env = { ...process.env };
  delete env.QUIZ_HOST_PASSWORD;
  const child = spawn(process.execPath, [CLI, '--host', '127.0.0.1', '--port', '0', ...args], { env });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail('no links printed within 15 s'), 15_000);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${why}; the CLI printed:\n${out}`));
    };
    const exited = (code: number | null) => fail(`the CLI exited with ${code}`);
    const printed = () => {
      const url = /baro live quiz on (http:\/\/\S+)/.exec(out)?.[1];
      const password = /host: +\S+#password=(\S+)/.exec(out)?.[1];
      // The last line of the links: a database without a session to play prints no join code.
      if (!url || !password || !/ data: /.test(out)) return;
      const code = /\(join code ([A-Z0-9]+)\)/.exec(out)?.[1] ?? '';
      clearTimeout(timer);
      child.off('exit', exited);
      child.stdout!.off('data', printed);
      resolve({ child, url, hostPassword: decodeURIComponent(password), joinCode: code, output: () => out });
    };
    child.on('exit', exited);
    child.stdout!.on('data', printed);
  });
}

/** Runs the CLI until it exits by itself (as it does on bad input), with what it wrote to stderr. */
async function runToExit(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stderr };
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGINT');
  });
}

test('the CLI prints working host and player links, stops cleanly on Ctrl-C, and starts again on the same database', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baro-quiz-cli-'));
  const db = join(dir, 'quiz.db');
  try {
    const first = await startCli(['--db', db]);
    // Listening on 127.0.0.1 only: the players' link points there, not to a LAN address nobody answers on.
    assert.match(first.output(), /players: http:\/\/127\.0\.0\.1:\d+\/join\/[A-Z0-9]{6}/);
    const page = await fetch(`${first.url}/join/${first.joinCode}`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<div id="app">/);
    assert.equal((await fetch(`${first.url}/api/join/${first.joinCode}`)).status, 200);
    const asHost = { authorization: `Bearer ${first.hostPassword}` };
    assert.equal((await fetch(`${first.url}/api/auth`, { headers: asHost })).status, 204);
    assert.equal((await fetch(`${first.url}/api/auth`, { headers: { authorization: 'Bearer wrong' } })).status, 401);

    const { player } = await joinAs(first.url, first.joinCode, 'Ana');
    player.client.close();
    assert.equal(await stop(first.child), 0, first.output());

    // Same database: the same password and join code, the player kept, no second demo session.
    const second = await startCli(['--db', db]);
    try {
      assert.equal(second.hostPassword, first.hostPassword);
      assert.equal(second.joinCode, first.joinCode);
      const live = (await (await fetch(`${second.url}/api/live`, { headers: asHost })).json()) as { id: string; code: string; playerCount: number }[];
      assert.deepEqual(
        live.map(({ code, playerCount }) => ({ code, playerCount })),
        [{ code: first.joinCode, playerCount: 1 }],
      );
      const host = new TestHost(quizClient(second.url));
      await host.hello(live[0].id, first.hostPassword);
      await host.command({ command: 'finish' });
      host.client.close();
    } finally {
      assert.equal(await stop(second.child), 0, second.output());
    }

    // Finished: a restart prints no players' link to a quiz that is over.
    const third = await startCli(['--db', db]);
    try {
      assert.equal(third.joinCode, '');
      assert.doesNotMatch(third.output(), /players:/);
    } finally {
      assert.equal(await stop(third.child), 0, third.output());
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the CLI refuses a bad option with a message naming it, and exits 2, before touching the database', { timeout: 60_000 }, async () => {
  const db = join(tmpdir(), `baro-never-created-${process.pid}.db`);
  for (const [args, message] of [
    [['--port', 'eighty'], /^--port: expected a whole number from 0 to 65535, got "eighty"/],
    [['--max-players', '0'], /^--max-players: expected a whole number from 1/],
    [['--sessions-per-address', '1.5'], /^--sessions-per-address: expected a whole number/],
    [['--joins-per-minute', '0'], /^--joins-per-minute: expected a whole number from 1/],
    [['--request-timeout-ms', '10'], /^--request-timeout-ms: expected a whole number from 1000/],
    [['--prot', '80'], /^Unknown option '--prot'.*\nUsage: npm start/s],
  ] as const) {
    const { code, stderr } = await runToExit([...args, '--db', db]);
    assert.equal(code, 2, args.join(' '));
    assert.match(stderr, message);
    assert.equal(existsSync(db), false);
  }
});

test('the CLI reports a server that cannot start (a taken port, an unknown transport, a short host password) in one line and exits 1', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baro-quiz-cli-'));
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = blocker.address() as AddressInfo;
    for (const [args, message] of [
      [['--port', String(port)], /^the quiz could not start: .*EADDRINUSE/],
      [['--port', '0', '--transports', 'websocket,longpolling'], /^the quiz could not start: unknown transport "longpolling": expected some of websocket, sse, long-polling, polling$/m],
    ] as const) {
      const { code, stderr } = await runToExit(['--host', '127.0.0.1', ...args, '--db', join(dir, 'quiz.db')]);
      assert.equal(code, 1, args.join(' '));
      assert.match(stderr, message);
      assert.equal(stderr.trim().split('\n').length, 1, stderr);
    }
    const short = await runToExit(['--host', '127.0.0.1', '--port', '0', '--db', join(dir, 'quiz.db')], { ...process.env, QUIZ_HOST_PASSWORD: 'eight-ch' });
    assert.equal(short.code, 1);
    assert.match(short.stderr, /^the quiz could not start: the host password needs at least 16 characters \(QUIZ_HOST_PASSWORD, or <db>\.host-password\)$/m);
  } finally {
    blocker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
