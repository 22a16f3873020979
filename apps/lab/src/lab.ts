import { fork, type ChildProcess } from 'node:child_process';
import { connect, type BaroClient, type WebSocketConstructor } from '@baro/client';
import { WebSocket } from 'baro';
import { summarize, type LatencySummary } from './stats.js';
import { VARIANTS, wallClock, type FromServer, type ServerPlan, type ToServer, type Variant, type WorkloadName } from './shared.js';

export interface WorkloadOptions {
  workload: WorkloadName;
  clients: number;
  /** Seconds of sending (quiz and chat; the burst is as long as it takes, bounded by `timeout`). */
  duration: number;
  /** Quiz only: ms between two questions. Default 2000. */
  interval?: number;
  /** Seconds a run may take past its sending before it is cut off. */
  timeout?: number;
}

/** Defaults: the quiz is the brief's 100 clients × 60 s; chat and burst are smaller so a full lab stays near 15 minutes. */
export const WORKLOAD_DEFAULTS: Record<WorkloadName, { clients: number; duration: number }> = {
  quiz: { clients: 100, duration: 60 },
  chat: { clients: 20, duration: 20 },
  burst: { clients: 20, duration: 0 },
};

export interface RunResult {
  workload: WorkloadName;
  variant: string;
  transport: string;
  clients: number;
  durationMs: number;
  /** Messages the server broadcast (each goes to every client) and the deliveries expected from them. */
  emitted: number;
  expectedDown: number;
  deliveredDown: number;
  /** Client → server chat messages sent and handled. */
  sentUp: number;
  deliveredUp: number;
  /** Every message delivered, each direction counted: the denominator of the per-message figures. */
  delivered: number;
  /** Each client saw the server's messages in order, none missing or repeated. */
  inOrder: boolean;
  bytesDown: number;
  bytesUp: number;
  bytesDownPerMessage: number;
  bytesUpPerMessage: number;
  bytesPerMessage: number;
  connections: number;
  requests: number;
  requestsPerMessage: number;
  /** Poll responses (long or short) seen by the clients, and those that carried no event. */
  pollResponses: number;
  emptyResponses: number;
  latency: LatencySummary;
  upstreamLatency: LatencySummary;
  cpuMs: number;
  cpuMsPer1000: number;
}

function plan(options: WorkloadOptions): ServerPlan {
  switch (options.workload) {
    case 'quiz':
      return {
        messages: Math.max(1, Math.floor((options.duration * 1000) / (options.interval ?? 2000))),
        intervalMs: options.interval ?? 2000,
        event: 'question',
        body: { id: 'q', text: 'Which HTTP status switches protocols?', choices: ['101', '200', '204', '426'], ends: 15 },
      };
    case 'chat':
      return { messages: Math.max(1, Math.floor(options.duration * 10)), intervalMs: 100, event: 'chat', body: { from: 'server', text: 'hello from the other side' } };
    case 'burst':
      return { messages: 1000, intervalMs: 0, event: 'tick', body: { price: 101.25, symbol: 'BARO' } };
  }
}

/** A WebSocket class that also compresses what the client sends, however small. */
const DeflatingWebSocket = class extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols, { perMessageDeflate: { threshold: 0 } });
  }
} as unknown as WebSocketConstructor;

/** The lab's server in a child process of its own (its CPU alone), driven over IPC. */
export class ServerChild {
  readonly child: ChildProcess;
  readonly #waiters: Array<{ type: FromServer['type']; resolve: (message: FromServer) => void }> = [];

  constructor(variant: Variant) {
    this.child = fork(new URL('./server-process.js', import.meta.url), [JSON.stringify(variant)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (message: FromServer) => {
      const index = this.#waiters.findIndex((waiter) => waiter.type === message.type);
      if (index >= 0) this.#waiters.splice(index, 1)[0]!.resolve(message);
    });
  }

  next<T extends FromServer['type']>(type: T, timeoutMs = 30_000): Promise<Extract<FromServer, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`lab server: no ${type} within ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.push({ type, resolve: (message) => (clearTimeout(timer), resolve(message as Extract<FromServer, { type: T }>)) });
    });
  }

  send(message: ToServer): void {
    this.child.send(message);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.send({ type: 'exit' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One workload over one transport: a fresh server child, fresh clients, counters from zero. */
export async function runVariant(variant: Variant, options: WorkloadOptions): Promise<RunResult> {
  const serverPlan = plan(options);
  const server = new ServerChild(variant);
  const clients: BaroClient[] = [];
  const timers: NodeJS.Timeout[] = [];
  try {
    const { port } = await server.next('ready');
    const url = `http://127.0.0.1:${port}`;
    const latencies: number[] = [];
    const received: number[] = [];
    let inOrder = true;
    let pollResponses = 0;
    let emptyResponses = 0;
    // Counts poll answers that carried no event, by reading a copy of each poll response.
    const countingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (String(input).includes('/poll?')) {
        const text = await response.clone().text();
        pollResponses++;
        if (!text.includes('["e",')) emptyResponses++;
      }
      return response;
    };

    for (let index = 0; index < options.clients; index++) {
      received.push(0);
      const client = connect(url, {
        transports: [variant.transport],
        pollInterval: variant.pollInterval,
        WebSocket: variant.deflate ? DeflatingWebSocket : (WebSocket as unknown as WebSocketConstructor),
        fetch: countingFetch,
        reconnect: false,
      });
      client.on(serverPlan.event, (data) => {
        const now = wallClock();
        const { i, t } = data as { i: number; t: number };
        if (i !== received[index]) inOrder = false;
        received[index]!++;
        latencies.push(now - t);
      });
      clients.push(client);
    }
    const openBy = Date.now() + 20_000;
    while (clients.some((client) => client.state !== 'open')) {
      if (clients.some((client) => client.state === 'closed')) throw new Error(`${variant.label}: a client closed while connecting`);
      if (Date.now() > openBy) throw new Error(`${variant.label}: clients not open after 20 s`);
      await sleep(20);
    }

    const started = Date.now();
    server.send({ type: 'run', plan: serverPlan });
    let sentUp = 0;
    if (options.workload === 'chat') {
      // Each client sends 10 messages a second, spread over the 100 ms so they don't all go at once.
      clients.forEach((client, index) => {
        const offset = (index * 100) / clients.length;
        timers.push(
          setTimeout(() => {
            const send = (): void => {
              if (sentUp >= serverPlan.messages * clients.length) return;
              if (client.emit('chat', { from: `c${index}`, text: 'hi, everyone', t: wallClock() })) sentUp++;
            };
            send();
            timers.push(setInterval(send, 100));
          }, offset),
        );
      });
    }
    const expectedDown = serverPlan.messages * clients.length;
    const totalDelivered = (): number => received.reduce((sum, count) => sum + count, 0);
    const sendingMs = serverPlan.intervalMs * (serverPlan.messages - 1);
    const deadline = started + sendingMs + (options.timeout ?? 20) * 1000;
    await server.next('emitted', sendingMs + 30_000);
    let report: Extract<FromServer, { type: 'report' }>;
    for (;;) {
      server.send({ type: 'report' });
      report = await server.next('report');
      const upDone = options.workload !== 'chat' || report.upstreamReceived >= serverPlan.messages * clients.length;
      if ((totalDelivered() >= expectedDown && upDone) || Date.now() > deadline) break;
      await sleep(50);
    }
    const durationMs = Date.now() - started;
    for (const timer of timers) clearInterval(timer);

    const deliveredDown = totalDelivered();
    const deliveredUp = report.upstreamReceived;
    const delivered = deliveredDown + deliveredUp;
    const { bytesRead, bytesWritten, requests, connections } = report.wire;
    const per = (value: number): number => (delivered > 0 ? value / delivered : Number.NaN);
    return {
      workload: options.workload,
      variant: variant.label,
      transport: variant.transport,
      clients: clients.length,
      durationMs,
      emitted: serverPlan.messages,
      expectedDown,
      deliveredDown,
      sentUp,
      deliveredUp,
      delivered,
      inOrder,
      bytesDown: bytesWritten,
      bytesUp: bytesRead,
      bytesDownPerMessage: per(bytesWritten),
      bytesUpPerMessage: per(bytesRead),
      bytesPerMessage: per(bytesRead + bytesWritten),
      connections,
      requests,
      requestsPerMessage: per(requests),
      pollResponses,
      emptyResponses,
      latency: summarize(latencies),
      upstreamLatency: summarize(report.upstreamLatencies),
      cpuMs: report.cpuMicros / 1000,
      cpuMsPer1000: delivered > 0 ? (report.cpuMicros / 1000 / delivered) * 1000 : Number.NaN,
    };
  } finally {
    for (const timer of timers) clearInterval(timer);
    for (const client of clients) client.close();
    await server.stop();
  }
}

export interface LabOptions extends WorkloadOptions {
  variants?: readonly Variant[];
  log?: (line: string) => void;
}

export async function runWorkload(options: LabOptions): Promise<RunResult[]> {
  const results: RunResult[] = [];
  for (const variant of options.variants ?? VARIANTS) {
    options.log?.(`  ${options.workload}: ${variant.label} (${options.clients} clients)…`);
    results.push(await runVariant(variant, options));
  }
  return results;
}
