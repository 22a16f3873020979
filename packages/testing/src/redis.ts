/**
 * A real `redis-server` for tests: on a free port of 127.0.0.1, in a temp dir, with no
 * persistence (so a restart loses everything, as a fresh node would). It never touches a Redis on
 * the standard port, and every wait is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Shuts it down (SIGTERM) and removes its dir. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash: clients see their connections drop. It can be `restart()`ed. */
  kill(): Promise<void>;
  /** Kills it and starts a fresh, empty one on the same port. */
  restart(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 5000;
const EXIT_TIMEOUT_MS = 3000;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function launch(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`redis-server did not start within ${STARTUP_TIMEOUT_MS} ms:\n${output}`)), STARTUP_TIMEOUT_MS);
    child.once('error', (error) => fail(new Error(`cannot run redis-server (is it installed?): ${error.message}`)));
    child.once('exit', (code) => fail(new Error(`redis-server exited with ${code}:\n${output}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.stdout!.removeAllListeners('data').resume();
        child.stderr!.resume();
        resolve(child);
      }
    });
  });
}

async function ended(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

export async function startRedis(): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'baro-redis-'));
  const port = await freePort();
  let child = await launch(port, dir);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      await ended(child, 'SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
    async kill() {
      await ended(child, 'SIGKILL');
    },
    async restart() {
      await ended(child, 'SIGKILL');
      child = await launch(port, dir);
    },
  };
}
