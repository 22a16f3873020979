import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../../../', import.meta.url));

export interface RunningExample {
  child: ChildProcess;
  origin: string;
  stop(): Promise<void>;
}

/** Runs examples/sockjs-server.mjs as a user would, on a free port. */
export async function startExample(extraArgs: readonly string[] = []): Promise<RunningExample> {
  const child = spawn(process.execPath, ['examples/sockjs-server.mjs', '--port', '0', ...extraArgs], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const timer = setTimeout(() => child.kill(), 10_000);
  let output = '';
  for await (const chunk of child.stdout!) {
    output += String(chunk);
    const match = /http:\/\/[\d.]+:\d+/.exec(output);
    if (match) {
      clearTimeout(timer);
      return {
        child,
        origin: match[0],
        stop: async () => {
          if (child.exitCode !== null) return;
          child.kill('SIGTERM');
          await once(child, 'exit');
        },
      };
    }
  }
  clearTimeout(timer);
  throw new Error(`examples/sockjs-server.mjs did not start: ${output}`);
}
