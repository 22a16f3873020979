// Tiny argv parser shared by every bench script: `--key value`, `--key=value`, `--flag`.
export function parseArgs(argv = process.argv.slice(2)) {
  const out = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) { out._.push(a); continue; }
    const eq = a.indexOf('=');
    if (eq !== -1) { out[a.slice(2, eq)] = a.slice(eq + 1); continue; }
    const key = a.slice(2);
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) { out[key] = next; i++; }
    else out[key] = true;
  }
  return out;
}

export function intArg(args, key, dflt) {
  if (args[key] === undefined || args[key] === true) return dflt;
  const n = Number(args[key]);
  if (!Number.isFinite(n)) throw new Error(`--${key} must be a number, got ${args[key]}`);
  return n;
}

// Every bench server prints exactly one line like this once it listens, so the
// runner can record what it actually loaded (native addons, options).
export function announce(info) {
  process.stdout.write(`BENCH_INFO ${JSON.stringify(info)}\n`);
}

// Only loopback is ever used by the harness.
export const HOST = '127.0.0.1';

/**
 * The runner's memory probe: on SIGUSR2 a server (started with --expose-gc) collects garbage and
 * prints one `BENCH_MEM {...}` line, so per-session memory is measured on live objects only.
 */
export function answerMemoryProbes() {
  process.on('SIGUSR2', () => {
    for (let i = 0; i < 3; i++) globalThis.gc?.();
    const m = process.memoryUsage();
    process.stdout.write(`BENCH_MEM ${JSON.stringify({ gc: typeof globalThis.gc === 'function', heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss })}\n`);
  });
}
