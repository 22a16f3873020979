/**
 * One client interface over the three HTTP transports, so one suite runs against each: it opens a
 * session, processes packets as the protocol says (sequenced ones once, in order), answers
 * heartbeats, loses its carrier on demand and resumes with its `seq`.
 */
import { decodeBinaryPacket, encodePacket, StreamPositions, type TransportName } from '@baro/protocol';
import { WebSocket } from '../../websocket/client.js';
import { sleep, until, withTimeout } from '../../websocket/test-support/wait.js';
import { poll, send, SseStream, type HttpAnswer, type Packet } from './http-client.js';

export interface Driver {
  readonly transport: TransportName;
  readonly sid: string;
  readonly token: string;
  /** Highest server seq processed. */
  readonly seq: number;
  /** Positions in the streams (rooms, everyone), as the client keeps them. */
  readonly positions: StreamPositions;
  /** Packets processed: control packets as they came, sequenced ones once and in order. */
  readonly received: Packet[];
  /** Sequenced packets that arrived again after being processed (a resume should cause none). */
  readonly duplicates: number;
  /** Open packets seen, the first one included. */
  readonly opens: Packet[];
  open(headers?: Record<string, string>): Promise<Packet>;
  until(condition: (driver: Driver) => boolean, what: string, ms?: number): Promise<void>;
  /** Data of processed events named `name`. */
  events(name: string): unknown[];
  nextCseq(): number;
  send(packets: readonly Packet[]): Promise<HttpAnswer>;
  /** Loses the carrier without telling the server: SSE and long-polling abort, polling loses a response. */
  drop(): Promise<void>;
  /** Attaches again with `seq`. */
  resume(): Promise<void>;
  stop(): void;
}

abstract class BaseDriver implements Driver {
  abstract readonly transport: TransportName;
  sid = '';
  token = '';
  seq = 0;
  readonly positions = new StreamPositions();
  duplicates = 0;
  readonly received: Packet[] = [];
  readonly opens: Packet[] = [];
  readonly base: string;
  #cseq = 0;

  constructor(base: string) {
    this.base = base;
  }

  abstract open(headers?: Record<string, string>): Promise<Packet>;
  abstract drop(): Promise<void>;
  abstract resume(): Promise<void>;
  abstract stop(): void;

  /** Hook for drivers that pull packets in on demand. */
  protected pull(): void {}

  /** A failure of a background loop, reported by the next `until`. */
  failure: Error | null = null;

  async until(condition: (driver: Driver) => boolean, what: string, ms = 5000): Promise<void> {
    await until(
      () => {
        if (this.failure) throw this.failure;
        this.pull();
        return condition(this);
      },
      ms,
      `${what} (${this.transport}; seq ${this.seq}, last packets ${JSON.stringify(this.received.slice(-3)).slice(0, 300)})`,
    );
  }

  /** Data of processed events named `name`: the session's own (`e`) and broadcasts (`m`). */
  events(name: string): unknown[] {
    return this.received.flatMap((packet) => (packet[0] === 'e' && packet[2] === name ? [packet[3]] : packet[0] === 'm' && packet[3] === name ? [packet[4]] : []));
  }

  /** `&pos=…` for an attach, when the client is in any stream. */
  protected posParam(): string {
    return this.positions.size > 0 ? `&pos=${encodeURIComponent(this.positions.encode())}` : '';
  }

  nextCseq(): number {
    return ++this.#cseq;
  }

  send(packets: readonly Packet[]): Promise<HttpAnswer> {
    return send(this.base, { sid: this.sid, token: this.token }, packets);
  }

  protected process(packets: readonly Packet[]): void {
    for (const packet of packets) {
      if (packet[0] === 'e' || packet[0] === 'a') {
        if (packet[1] <= this.seq) {
          this.duplicates++;
          continue;
        }
        if (packet[1] !== this.seq + 1) throw new Error(`${this.transport}: gap, seq ${packet[1]} after ${this.seq}`);
        this.seq = packet[1];
      } else if (packet[0] === 'm') {
        if (!this.positions.accept(packet[1], packet[2])) {
          this.duplicates++;
          continue;
        }
      } else if (packet[0] === 'j') {
        this.positions.join(packet[1], packet[2], packet[3]);
      } else if (packet[0] === 'l') {
        this.positions.leave(packet[1]);
      } else if (packet[0] === 'o') {
        this.opens.push(packet);
        this.positions.clear();
        for (const [stream, [epoch, offset]] of Object.entries((packet[1].streams ?? {}) as Record<string, [string, number]>)) this.positions.join(stream, epoch, offset);
        this.sid = packet[1].sid;
        this.token = packet[1].token;
      } else if (packet[0] === 'h') {
        void this.send([['H', packet[1]]]).catch(() => {});
      }
      this.received.push(packet);
    }
  }
}

export class SseDriver extends BaseDriver {
  readonly transport = 'sse' as const;
  readonly useLastEventId: boolean;
  #stream: SseStream | null = null;
  #taken = 0;

  constructor(base: string, options: { useLastEventId?: boolean } = {}) {
    super(base);
    this.useLastEventId = options.useLastEventId ?? false;
  }

  get stream(): SseStream | null {
    return this.#stream;
  }

  async open(headers: Record<string, string> = {}): Promise<Packet> {
    await this.#connect(`${this.base}/sse`, headers);
    await this.until(() => this.opens.length > 0, 'the open packet');
    return this.opens[0];
  }

  protected override pull(): void {
    const stream = this.#stream;
    if (!stream) return;
    const events = stream.events.slice(this.#taken);
    this.#taken += events.length;
    this.process(events.map((event) => JSON.parse(event.data) as Packet));
  }

  async drop(): Promise<void> {
    const stream = this.#stream;
    if (!stream) return;
    this.pull();
    this.#stream = null;
    stream.close();
    await withTimeout(new Promise<void>((resolve) => void stream.until((s) => s.ended, 3000).then(resolve, resolve)), 3000, 'the SSE stream to end');
  }

  async resume(): Promise<void> {
    const opens = this.opens.length;
    if (this.useLastEventId) {
      await this.#connect(`${this.base}/sse?sid=${this.sid}&token=${this.token}${this.posParam()}`, this.seq > 0 ? { 'Last-Event-ID': String(this.seq) } : {});
    } else {
      await this.#connect(`${this.base}/sse?sid=${this.sid}&token=${this.token}&seq=${this.seq}${this.posParam()}`);
    }
    await this.until(() => this.opens.length > opens, 'the open packet of the resumed stream');
  }

  stop(): void {
    this.#stream?.close();
    this.#stream = null;
  }

  async #connect(url: string, headers: Record<string, string> = {}): Promise<void> {
    const stream = await SseStream.open(url, headers);
    if (stream.status !== 200) throw new Error(`SSE answered ${stream.status}`);
    this.#stream = stream;
    this.#taken = 0;
  }
}

export class PollingDriver extends BaseDriver {
  readonly transport: 'long-polling' | 'polling';
  readonly interval: number;
  /** Answers thrown away on purpose (lost responses). */
  lost = 0;
  /** Packets those lost answers held. */
  lostPackets = 0;
  #running = false;
  #loop: Promise<void> | null = null;
  #controller: AbortController | null = null;
  #loseNext = false;
  #stopAfterLoss = false;

  constructor(base: string, wait: 0 | 1, options: { interval?: number } = {}) {
    super(base);
    this.transport = wait === 1 ? 'long-polling' : 'polling';
    this.interval = options.interval ?? 20;
  }

  get wait(): 0 | 1 {
    return this.transport === 'long-polling' ? 1 : 0;
  }

  async open(headers: Record<string, string> = {}): Promise<Packet> {
    const answer = await poll(this.base, { wait: this.wait }, { headers });
    if (answer.status !== 200) throw new Error(`open answered ${answer.status}: ${answer.text}`);
    this.process(answer.packets);
    if (this.opens.length === 0) throw new Error(`no open packet in ${answer.text}`);
    this.#start();
    return this.opens[0];
  }

  async drop(): Promise<void> {
    if (this.transport === 'long-polling') {
      // Abort the waiting request: the server sees its socket close.
      this.#running = false;
      this.#controller?.abort();
    } else {
      // Throw away the next answer, as if the response got lost on the way.
      this.#loseNext = true;
      this.#stopAfterLoss = true;
    }
    await withTimeout(this.#loop ?? Promise.resolve(), 3000, 'the poll loop to stop');
  }

  async resume(): Promise<void> {
    this.#start();
  }

  /** The next answer is thrown away, and polling goes on (the next request carries the old seq). */
  loseNextAnswer(): void {
    this.#loseNext = true;
  }

  stop(): void {
    this.#running = false;
    this.#controller?.abort();
  }

  /** The loop ended by itself (after `["n"]` or a close packet). */
  get running(): boolean {
    return this.#running;
  }

  #start(): void {
    this.#running = true;
    this.#loop = this.#run().catch((error: unknown) => {
      this.#running = false;
      this.failure = error instanceof Error ? error : new Error(String(error));
    });
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const controller = new AbortController();
      this.#controller = controller;
      let answer: HttpAnswer;
      try {
        answer = await poll(
          this.base,
          { wait: this.wait, sid: this.sid, token: this.token, seq: this.seq, pos: this.positions.size > 0 ? this.positions.encode() : undefined },
          { signal: controller.signal, ms: 30_000 },
        );
      } catch {
        if (!this.#running) return;
        await sleep(this.interval);
        continue;
      }
      if (answer.status !== 200) throw new Error(`poll answered ${answer.status}: ${answer.text}`);
      if (this.#loseNext) {
        this.#loseNext = false;
        this.lost++;
        this.lostPackets += answer.packets.length;
        if (this.#stopAfterLoss) {
          this.#stopAfterLoss = false;
          this.#running = false;
          return;
        }
        continue;
      }
      this.process(answer.packets);
      if (answer.packets.some((packet) => packet[0] === 'n' || packet[0] === 'c')) {
        this.#running = false;
        return;
      }
      if (this.wait === 0) await sleep(this.interval);
    }
  }
}

/**
 * The WebSocket transport under the same interface: one socket carries both ways, so `send`
 * writes the packets on it and answers with the receipt the server pushes back.
 */
export class WebSocketDriver extends BaseDriver {
  readonly transport = 'websocket' as const;
  #socket: WebSocket | null = null;

  async open(): Promise<Packet> {
    await this.#connect(`${this.#wsBase()}/ws`);
    await this.until(() => this.opens.length > 0, 'the open packet');
    return this.opens[0];
  }

  async drop(): Promise<void> {
    const socket = this.#socket;
    if (!socket) return;
    this.#socket = null;
    const closed = new Promise<void>((resolve) => socket.addEventListener('close', () => resolve()));
    socket.close(1000, 'dropped by the test');
    await withTimeout(closed, 3000, 'the WebSocket to close');
  }

  async resume(): Promise<void> {
    const opens = this.opens.length;
    await this.#connect(`${this.#wsBase()}/ws?sid=${this.sid}&token=${this.token}&seq=${this.seq}${this.posParam()}`);
    await this.until(() => this.opens.length > opens, 'the open packet of the resumed socket');
  }

  stop(): void {
    this.#socket?.close(1000, 'test over');
    this.#socket = null;
  }

  override async send(packets: readonly Packet[]): Promise<HttpAnswer> {
    const socket = this.#socket;
    if (!socket) throw new Error('no WebSocket to send on');
    const from = this.received.length;
    for (const packet of packets) socket.send(JSON.stringify(packet));
    const sequenced = packets.filter((packet) => packet[0] === 'e' || packet[0] === 'a').map((packet) => packet[1] as number);
    if (sequenced.length === 0) return { status: 0, headers: new Headers(), text: '', packets: [] };
    const last = Math.max(...sequenced);
    let receipt: Packet | undefined;
    await this.until(() => (receipt = this.received.slice(from).find((packet) => packet[0] === 'r' && packet[1] >= last)) !== undefined, `the receipt of cseq ${last}`);
    return { status: 0, headers: new Headers(), text: '', packets: [receipt!] };
  }

  #wsBase(): string {
    return this.base.replace(/^http/, 'ws');
  }

  async #connect(url: string): Promise<void> {
    const socket = new WebSocket(url, 'baro.v1');
    socket.binaryType = 'nodebuffer';
    socket.addEventListener('message', (event) => {
      const data = (event as MessageEvent).data as string | Buffer;
      if (typeof data === 'string') return this.process([JSON.parse(data) as Packet]);
      // The binary form: as text it would be the same packet with {"$b": base64} for its bytes.
      const decoded = decodeBinaryPacket(data, 'toClient');
      if (!decoded.ok) throw new Error(`bad binary packet: ${decoded.error}`);
      this.process([JSON.parse(encodePacket(decoded.packet)) as Packet]);
    });
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        socket.addEventListener('open', () => resolve());
        socket.addEventListener('error', () => reject(new Error(`the WebSocket to ${url} failed`)));
      }),
      3000,
      'the WebSocket to open',
    );
    this.#socket = socket;
  }
}
