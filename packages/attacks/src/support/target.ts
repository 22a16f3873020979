/**
 * A server under attack runs in a child process of its own, so its RSS is its own: a target script
 * (targets/) forked with IPC, or the quiz started exactly as `npm start` starts it (its CLI) on a
 * temporary SQLite file. Every start and stop is bounded in time.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TargetReport } from '../targets/ipc.js';
import { readMemory, type Memory } from './memory.js';
import { waitFor, within } from './wait.js';

const START_MS = 20_000;
const STOP_MS = 5_000;
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

export interface Target {
  readonly pid: number;
  readonly port: number;
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** Connection closes the server reported, in order. */
  readonly closes: { code: number; reason: string; remotePort?: number }[];
  memory(): Memory;
  /** Whether the process is still running (an attack must not crash it). */
  alive(): boolean;
  stop(): Promise<void>;
}

export interface EchoTarget extends Target {
  query(what: string): Promise<unknown>;
  /** Resolves with the close the server reported for the connection from this local port. */
  closeOf(remotePort: number, timeoutMs: number): Promise<{ code: number; reason: string }>;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_MS);
  return exited.finally(() => clearTimeout(timer));
}

/** Forks `targets/<kind>.js` with its options and waits until it listens. */
export async function startTarget(kind: 'websocket-echo' | 'baro-echo' | 'sockjs-echo' | 'engineio-echo', options: object = {}): Promise<EchoTarget> {
  const script = fileURLToPath(new URL(`../targets/${kind}.js`, import.meta.url));
  const child = fork(script, [JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const closes: { code: number; reason: string; remotePort?: number }[] = [];
  const answers = new Map<number, (value: unknown) => void>();
  let port = 0;
  child.on('message', (report: TargetReport) => {
    if (report.type === 'ready') port = report.port;
    else if (report.type === 'close') closes.push(report);
    else if (report.type === 'answer') answers.get(report.id)?.(report.value);
  });
  const exitedEarly = new Promise<never>((_resolve, reject) => child.once('exit', (code) => port === 0 && reject(new Error(`${kind} exited with ${code} before listening`))));
  await within(Promise.race([waitFor(() => port !== 0, START_MS, `${kind} listens`), exitedEarly]), START_MS + 100, `${kind} starts`);
  let nextId = 1;
  const pid = child.pid!;
  return {
    pid,
    port,
    url: `http://127.0.0.1:${port}`,
    closes,
    memory: () => readMemory(pid),
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: () => stopChild(child),
    query(what) {
      const id = nextId++;
      child.send({ type: 'query', id, query: what });
      return within(new Promise((resolve) => answers.set(id, resolve)), 5000, `query ${what}`);
    },
    async closeOf(remotePort, timeoutMs) {
      await waitFor(() => closes.some((close) => close.remotePort === remotePort), timeoutMs, `the server closes the connection from port ${remotePort}`);
      return closes.find((close) => close.remotePort === remotePort)!;
    },
  };
}

export const QUIZ_PASSWORD = 'attack-suite-host-password-0123456789';

export interface QuizTarget extends Target {
  /** The demo's live session join code. */
  readonly code: string;
  readonly password: string;
}

/** The quiz as `npm start` runs it (`node apps/quiz/dist/cli.js`), on a temporary database. */
export async function startQuiz(extraArgs: readonly string[] = []): Promise<QuizTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'baro-attack-quiz-'));
  const cli = join(repoRoot, 'apps/quiz/dist/cli.js');
  const child = spawn(process.execPath, [cli, '--port', '0', '--host', '127.0.0.1', '--db', join(dir, 'quiz.db'), ...extraArgs], {
    env: { ...process.env, QUIZ_HOST_PASSWORD: QUIZ_PASSWORD },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const parsed = (): { url: string; code: string } | null => {
    const url = /baro live quiz on (http:\/\/\S+)/.exec(output)?.[1];
    const code = /join code (\w+)/.exec(output)?.[1];
    return url && code ? { url: url.replace(/\/$/, ''), code } : null;
  };
  try {
    await waitFor(() => parsed() !== null || child.exitCode !== null, START_MS, 'the quiz starts');
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const started = parsed();
  if (!started) throw new Error(`the quiz did not start: ${output}`);
  const pid = child.pid!;
  return {
    pid,
    port: Number(new URL(started.url).port),
    url: started.url,
    code: started.code,
    password: QUIZ_PASSWORD,
    closes: [],
    memory: () => readMemory(pid),
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
