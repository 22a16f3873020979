/**
 * The bystanders the attacks use, each in a child process of its own (bystander-process.ts): the
 * attacker's work in the test process (building, writing and parsing floods) must not delay the
 * bystander's timers and reads, or its round trips would measure the attacker, not the server.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TransportName } from '@baro/client';
import type { BystanderReport, BystanderSpec } from './bystander-loops.js';
import { within } from './wait.js';

export { BYSTANDER_BOUND_MS, BYSTANDER_LIMIT_MS, type BystanderReport } from './bystander-loops.js';

/** A bystander running in its child process, driven from the test. */
export interface SeparateBystander {
  /** Resolves after at least `count` more round trips completed (bounded). */
  roundTripsDone(count: number, timeoutMs?: number): Promise<void>;
  /** Waits for `count` round trips, reports them and forgets them: the same conditions, no attack. */
  baseline(count: number): Promise<BystanderReport>;
  stop(): Promise<BystanderReport>;
}

const START_MS = 15_000;
const ANSWER_MS = 30_000;

type Reply = { type: 'ready' } | { type: 'failed'; message: string } | { type: 'answer'; id: number; value?: unknown; error?: string };

async function inChild(spec: BystanderSpec): Promise<SeparateBystander> {
  const script = fileURLToPath(new URL('./bystander-process.js', import.meta.url));
  const child: ChildProcess = fork(script, [JSON.stringify(spec)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (reply: Reply) => {
      if (reply.type === 'ready') resolve();
      else if (reply.type === 'failed') reject(new Error(reply.message));
      else {
        const entry = waiting.get(reply.id);
        waiting.delete(reply.id);
        if (reply.error !== undefined) entry?.reject(new Error(reply.error));
        else entry?.resolve(reply.value);
      }
    });
    child.once('exit', (code) => {
      reject(new Error(`the bystander process exited with ${code}`));
      for (const entry of waiting.values()) entry.reject(new Error(`the bystander process exited with ${code}`));
      waiting.clear();
    });
  });
  try {
    await within(ready, START_MS, 'the bystander starts');
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const ask = (what: object, timeoutMs = ANSWER_MS): Promise<unknown> => {
    const id = nextId++;
    const answered = new Promise<unknown>((resolve, reject) => waiting.set(id, { resolve, reject }));
    child.send({ id, ...what });
    return within(answered, timeoutMs, `the bystander answers ${JSON.stringify(what)}`);
  };
  return {
    roundTripsDone: async (count, timeoutMs = 10_000) => void (await ask({ ask: 'done', count, timeoutMs }, timeoutMs + 1000)),
    baseline: async (count) => (await ask({ ask: 'baseline', count })) as BystanderReport,
    async stop() {
      try {
        return (await ask({ ask: 'stop' })) as BystanderReport;
      } finally {
        if (child.connected) child.disconnect();
      }
    },
  };
}

export const websocketBystander = (port: number, path?: string): Promise<SeparateBystander> => inChild({ kind: 'websocket', port, ...(path ? { path } : {}) });
export const sessionBystander = (url: string, transport?: TransportName): Promise<SeparateBystander> => inChild({ kind: 'session', url, ...(transport ? { transport } : {}) });
export const httpBystander = (url: string, path: string, localAddress?: string): Promise<SeparateBystander> => inChild({ kind: 'http', url, path, ...(localAddress ? { localAddress } : {}) });
export const pollingBystander = (url: string, localAddress?: string): Promise<SeparateBystander> => inChild({ kind: 'polling', url, ...(localAddress ? { localAddress } : {}) });
export const engineioBystander = (port: number): Promise<SeparateBystander> => inChild({ kind: 'engineio', port });
