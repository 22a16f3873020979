/**
 * A bare-hands client for the HTTP transports, for tests: an SSE reader on Node's fetch streaming
 * body, polls and POSTs, and a server per test that is closed afterwards. Every wait is bounded.
 */
import { BaroServer, type BaroServerOptions } from '../../baro-server.js';
import { withTimeout } from '../../websocket/test-support/wait.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Packet = any[];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyServer = BaroServer<any, any>;

export interface Harness {
  server: AnyServer;
  port: number;
  /** `http://127.0.0.1:<port><path>` */
  base: string;
}

/** A BaroServer on 127.0.0.1, port 0, closed after the test `t`, pass or fail. */
export async function startServer(t: { after: (fn: () => void | Promise<void>) => void }, options: BaroServerOptions = {}): Promise<Harness> {
  const server = new BaroServer({ port: 0, ...options });
  server.on('error', () => {});
  t.after(() => withTimeout(server.close({ timeout: 200 }), 3000, 'the server to close').catch(() => {}));
  await server.ready;
  const port = server.address().port;
  return { server, port, base: `http://127.0.0.1:${port}${options.path ?? '/baro'}` };
}

export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

export interface SseEvent {
  id: string | undefined;
  data: string;
}

/** An event stream read with fetch: events parsed as the EventSource spec says, packets from their data. */
export class SseStream {
  readonly status: number;
  readonly headers: Headers;
  readonly events: SseEvent[] = [];
  comments = 0;
  /** The stream ended (by the server or an abort). */
  ended = false;
  readonly #controller: AbortController;
  #waiters: (() => void)[] = [];
  #buffer = '';
  #data: string[] = [];
  #id: string | undefined;
  #sawData = false;

  private constructor(response: Response, controller: AbortController) {
    this.status = response.status;
    this.headers = response.headers;
    this.#controller = controller;
    void this.#pump(response);
  }

  static async open(url: string, headers: Record<string, string> = {}, t?: { after: (fn: () => void | Promise<void>) => void }): Promise<SseStream> {
    const controller = new AbortController();
    const response = await withTimeout(fetch(url, { headers: { Accept: 'text/event-stream', ...headers }, signal: controller.signal }), 3000, `the SSE response from ${url}`);
    const stream = new SseStream(response, controller);
    t?.after(() => stream.close());
    return stream;
  }

  get packets(): Packet[] {
    return this.events.map((event) => JSON.parse(event.data) as Packet);
  }

  /** The id of the last event that had one (what a browser sends as Last-Event-ID). */
  get lastEventId(): string | undefined {
    return this.events.findLast((event) => event.id !== undefined)?.id;
  }

  close(): void {
    this.#controller.abort();
  }

  /** Waits until `condition` holds over what has arrived. */
  async until(condition: (stream: SseStream) => boolean, ms = 3000, what = 'a condition on the SSE stream'): Promise<void> {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          try {
            if (condition(this)) return resolve();
          } catch (error) {
            return reject(error);
          }
          if (this.ended && !condition(this)) return reject(new Error(`the SSE stream ended before ${what}; packets: ${JSON.stringify(this.packets).slice(0, 500)}`));
          this.#waiters.push(check);
        };
        check();
      }),
      ms,
      what,
    );
  }

  /** The first packet of a type at or after index `from`. */
  async packet(type: string, ms = 3000, from = 0): Promise<Packet> {
    let found: Packet | undefined;
    await this.until(() => (found = this.packets.slice(from).find((packet) => packet[0] === type)) !== undefined, ms, `a "${type}" packet on the SSE stream`);
    return found!;
  }

  async #pump(response: Response): Promise<void> {
    const decoder = new TextDecoder();
    try {
      if (!response.body) return;
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        this.#feed(decoder.decode(chunk, { stream: true }));
      }
    } catch {
      // Aborted or reset: `ended` says so.
    } finally {
      this.ended = true;
      this.#wake();
    }
  }

  #feed(text: string): void {
    this.#buffer += text;
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.#buffer);
      if (!match) break;
      // A lone CR at the very end may be the first half of CRLF: wait for more.
      if (match[0] === '\r' && match.index === this.#buffer.length - 1) break;
      const line = this.#buffer.slice(0, match.index);
      this.#buffer = this.#buffer.slice(match.index + match[0].length);
      this.#line(line);
    }
    this.#wake();
  }

  #line(line: string): void {
    if (line === '') {
      if (this.#sawData) this.events.push({ id: this.#id, data: this.#data.join('\n') });
      this.#data = [];
      this.#id = undefined;
      this.#sawData = false;
      return;
    }
    if (line.startsWith(':')) {
      this.comments++;
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') {
      this.#data.push(value);
      this.#sawData = true;
    } else if (field === 'id') this.#id = value;
    else throw new Error(`unexpected SSE field ${JSON.stringify(field)}`);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter();
  }
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  packets: Packet[];
}

async function answerOf(response: Response): Promise<HttpAnswer> {
  const text = await response.text();
  const ndjson = (response.headers.get('content-type') ?? '').startsWith('application/x-ndjson');
  const packets = ndjson ? text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Packet) : [];
  return { status: response.status, headers: response.headers, text, packets };
}

/** One GET on `<base>/poll`. `signal` lets a test abandon it. */
export function poll(base: string, params: Record<string, string | number | undefined>, init: { headers?: Record<string, string>; signal?: AbortSignal; ms?: number } = {}): Promise<HttpAnswer> {
  return withTimeout(
    fetch(`${base}/poll${query(params)}`, { headers: init.headers, signal: init.signal }).then(answerOf),
    init.ms ?? 3000,
    `the answer to GET ${base}/poll${query(params)}`,
  );
}

/** One POST of packets on `<base>/send`. */
export function send(
  base: string,
  params: Record<string, string | number | undefined>,
  packets: readonly Packet[] | string,
  init: { headers?: Record<string, string>; ms?: number } = {},
): Promise<HttpAnswer> {
  const body = typeof packets === 'string' ? packets : packets.map((packet) => JSON.stringify(packet)).join('\n');
  return withTimeout(
    fetch(`${base}/send${query(params)}`, { method: 'POST', headers: { 'Content-Type': 'application/x-ndjson', ...init.headers }, body }).then(answerOf),
    init.ms ?? 3000,
    `the answer to POST ${base}/send`,
  );
}

/** Sequenced packets of a list, in order: `e` and `a` with their seq at index 1. */
export function sequenced(packets: readonly Packet[]): Packet[] {
  return packets.filter((packet) => packet[0] === 'e' || packet[0] === 'a');
}

/** A little client-side session for polling: keeps seq and cseq as the protocol says. */
export class PollingClient {
  sid = '';
  token = '';
  /** Highest server seq processed. */
  seq = 0;
  #cseq = 0;
  readonly received: Packet[] = [];
  readonly base: string;
  readonly wait: 0 | 1;

  constructor(base: string, wait: 0 | 1) {
    this.base = base;
    this.wait = wait;
  }

  /** Opens the session; returns the open packet. */
  async open(headers: Record<string, string> = {}): Promise<Packet> {
    const answer = await poll(this.base, { wait: this.wait }, { headers });
    if (answer.status !== 200) throw new Error(`open failed: ${answer.status} ${answer.text}`);
    const open = answer.packets[0];
    if (open?.[0] !== 'o') throw new Error(`expected an open packet, got ${answer.text}`);
    this.sid = open[1].sid;
    this.token = open[1].token;
    this.#process(answer.packets.slice(1));
    return open;
  }

  /** One poll; processes what it brings (dropping duplicates) and returns its packets. */
  async poll(options: { signal?: AbortSignal; ms?: number; seq?: number } = {}): Promise<HttpAnswer> {
    const answer = await poll(this.base, { wait: this.wait, sid: this.sid, token: this.token, seq: options.seq ?? this.seq }, options);
    if (answer.status === 200) this.#process(answer.packets);
    return answer;
  }

  nextCseq(): number {
    return ++this.#cseq;
  }

  send(packets: readonly Packet[]): Promise<HttpAnswer> {
    return send(this.base, { sid: this.sid, token: this.token }, packets);
  }

  /** Events processed, by name. */
  events(name: string): Packet[] {
    return this.received.filter((packet) => packet[0] === 'e' && packet[2] === name);
  }

  #process(packets: readonly Packet[]): void {
    for (const packet of packets) {
      if (packet[0] === 'e' || packet[0] === 'a') {
        if (packet[1] <= this.seq) continue;
        if (packet[1] !== this.seq + 1) throw new Error(`gap: got seq ${packet[1]} after ${this.seq}`);
        this.seq = packet[1];
      }
      this.received.push(packet);
    }
  }
}

/** The `pos` a client sends for the positions an open packet gave it (`info.streams`). */
export function posOf(streams: unknown): string {
  return Object.values((streams ?? {}) as Record<string, [string, number]>)
    .map(([epoch, offset]) => `${epoch}.${offset}`)
    .join(',');
}
