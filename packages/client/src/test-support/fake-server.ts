/**
 * A small in-test server speaking the session protocol (docs/protocol.md) on every transport, with
 * switches for the failures the client must survive: a refused WebSocket upgrade, a buffering SSE
 * proxy, a silent (dead) downstream, dropped connections, forgotten sessions. It is deliberately
 * simple (unbounded buffers, no limits), just faithful on the wire.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocketConnection } from 'baro';
import {
  decodeBinaryPacket,
  decodePacket,
  decodePacketLines,
  encodeBinaryPacket,
  encodePacket,
  hasBinaryPayload,
  InboundSequence,
  type Packet,
  type SequencedPacket,
  type TransportName,
} from '@baro/protocol';

export interface FakeServerOptions {
  /** Answer 403 to WebSocket upgrades. */
  refuseWebSocket?: boolean;
  /** SSE: send the response headers, then hold everything (a buffering proxy). */
  bufferSse?: boolean;
  /** Heartbeat interval announced and used on streaming transports, ms. Default 25 000. */
  heartbeat?: number;
  /** How long a long-poll is held with nothing to send, ms. Default 25 000. */
  pollTimeout?: number;
}

type Downstream =
  | { kind: 'websocket'; conn: WebSocketConnection }
  | { kind: 'sse'; res: ServerResponse }
  | { kind: 'long-polling' | 'polling'; res: ServerResponse | null; timer?: NodeJS.Timeout };

/** What the app does with a client event; the returned value (awaited) answers it when asked. */
export type EventHandlerFn = (session: FakeSession, name: string, data: unknown) => unknown;

export class FakeSession {
  readonly sid = randomBytes(8).toString('hex');
  readonly token = randomBytes(12).toString('hex');
  /** Last server sequence number given out. */
  seq = 0;
  /** Sequenced packets not yet receipted by the client. */
  buffer: SequencedPacket[] = [];
  /** Unsequenced packets waiting for the next poll. */
  control: Packet[] = [];
  readonly inbound = new InboundSequence();
  /** Client events in the order they were processed (each once). */
  readonly received: { name: string; data: unknown }[] = [];
  /** Every packet that arrived, duplicates included. */
  readonly arrived: Packet[] = [];
  down: Downstream | null = null;
  /** Transports that carried this session, in order. */
  readonly transports: TransportName[] = [];
  /** Deliver nothing on the current downstream (a dead network that keeps the connection). */
  mute = false;
  closedByClient: { code: number; reason: string } | null = null;
  readonly #acks = new Map<number, (value: unknown) => void>();
  #ackId = 0;
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(readonly server: FakeServer) {}

  emit(name: string, data: unknown): void {
    this.#sequenced({ type: 'event', seq: ++this.seq, name, data });
  }

  emitWithAck(name: string, data: unknown): Promise<unknown> {
    const ackId = ++this.#ackId;
    return new Promise((resolve) => {
      this.#acks.set(ackId, resolve);
      this.#sequenced({ type: 'event', seq: ++this.seq, name, data, ackId });
    });
  }

  answer(ackId: number, data: unknown, error?: string): void {
    this.#sequenced(error === undefined ? { type: 'ack', seq: ++this.seq, ackId, data } : { type: 'ack', seq: ++this.seq, ackId, data: null, error });
  }

  /** Sends an unsequenced packet (close, notice, ping…). */
  send(packet: Packet): void {
    if (this.down?.kind === 'websocket' || this.down?.kind === 'sse') this.#write([packet]);
    else {
      this.control.push(packet);
      this.#flushPoll();
    }
  }

  #sequenced(packet: SequencedPacket): void {
    this.buffer.push(packet);
    if (this.down?.kind === 'websocket' || this.down?.kind === 'sse') this.#write([packet]);
    else this.#flushPoll();
  }

  #write(packets: Packet[]): void {
    const down = this.down;
    if (!down || this.mute) return;
    for (const packet of packets) {
      if (down.kind === 'websocket') down.conn.send(hasBinaryPayload(packet) ? encodeBinaryPacket(packet as SequencedPacket) : encodePacket(packet));
      else if (down.kind === 'sse') {
        const id = packet.type === 'event' || packet.type === 'ack' ? `id: ${packet.seq}\n` : '';
        down.res.write(`${id}data: ${encodePacket(packet)}\n\n`);
      }
    }
  }

  /** Answers a held long-poll when there is something for it. */
  #flushPoll(): void {
    const down = this.down;
    if (!down || (down.kind !== 'long-polling' && down.kind !== 'polling') || !down.res || this.mute) return;
    if (this.control.length === 0 && this.buffer.length === 0) return;
    this.#answerPoll(down, down.res);
  }

  #answerPoll(down: Extract<Downstream, { res: ServerResponse | null; kind: 'long-polling' | 'polling' }>, res: ServerResponse): void {
    clearTimeout(down.timer);
    down.res = null;
    const packets = [...this.control, ...this.buffer];
    this.control = [];
    res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end(packets.map((p) => `${encodePacket(p)}\n`).join(''));
  }

  /** A transport attaches (or the session opens): replace the old one, send open, replay after `seq`. */
  attach(kind: TransportName, seq: number, resumed: boolean): { open: Packet; replay: SequencedPacket[] } {
    this.detach('replaced');
    this.acknowledge(seq);
    this.mute = false;
    this.transports.push(kind);
    const info = {
      sid: this.sid,
      token: this.token,
      transport: kind,
      heartbeat: this.server.heartbeat,
      resumeWindow: 120_000,
      maxPayload: 1 << 20,
      resumed,
      cseq: this.inbound.last,
    };
    return { open: { type: 'open', info }, replay: this.buffer.filter((p) => p.seq > seq) };
  }

  startStream(down: Downstream & { kind: 'websocket' | 'sse' }, open: Packet, replay: SequencedPacket[]): void {
    this.down = down;
    this.#write([open, ...replay]);
    clearInterval(this.#heartbeat);
    this.#heartbeat = setInterval(() => this.#write([{ type: 'ping', t: Date.now() }]), this.server.heartbeat);
  }

  /** Ends the current downstream: a replaced long-poll gets ["n"]. */
  detach(why: 'replaced' | 'gone'): void {
    const down = this.down;
    this.down = null;
    clearInterval(this.#heartbeat);
    if (!down) return;
    if (down.kind === 'websocket') down.conn.close(1000, why);
    else if (down.kind === 'sse') down.res.end();
    else if (down.res) {
      clearTimeout(down.timer);
      down.res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end(why === 'replaced' ? '["n"]\n' : '');
    }
  }

  acknowledge(seq: number): void {
    this.buffer = this.buffer.filter((p) => p.seq > seq);
  }

  /** Handles packets from the client; returns what goes back in a POST response. */
  receive(packets: Packet[]): Packet[] {
    const reply: Packet[] = [];
    for (const packet of packets) {
      this.arrived.push(packet);
      switch (packet.type) {
        case 'event':
          if (this.inbound.accept(packet.seq) !== 'next') break;
          this.received.push({ name: packet.name, data: packet.data });
          void this.#handle(packet);
          break;
        case 'ack':
          if (this.inbound.accept(packet.seq) !== 'next') break;
          this.#acks.get(packet.ackId)?.(packet.data);
          this.#acks.delete(packet.ackId);
          break;
        case 'receipt':
          this.acknowledge(packet.seq);
          break;
        case 'ping':
          reply.push({ type: 'pong', t: packet.t });
          break;
        case 'close':
          this.closedByClient = { code: packet.code, reason: packet.reason };
          this.detach('gone');
          this.server.sessions.delete(this.sid);
          break;
      }
    }
    reply.push({ type: 'receipt', seq: this.inbound.last });
    return reply;
  }

  async #handle(packet: Extract<Packet, { type: 'event' }>): Promise<void> {
    try {
      const result = await this.server.onEvent(this, packet.name, packet.data);
      if (packet.ackId !== undefined) this.answer(packet.ackId, result ?? null);
    } catch (error) {
      if (packet.ackId !== undefined) this.answer(packet.ackId, null, (error as Error).message);
    }
  }

  /** A poll request: answered at once with what is queued, or (long-polling) held until there is some. */
  pollRequest(kind: 'long-polling' | 'polling', seq: number, res: ServerResponse, open: Packet | null): void {
    const old = this.down;
    // A second poll ends the first.
    if (old && (old.kind === 'long-polling' || old.kind === 'polling') && old.res) this.#answerPoll(old, old.res);
    const down: Extract<Downstream, { res: ServerResponse | null }> = { kind, res: null };
    this.down = down;
    if (open) this.control.unshift(open);
    this.acknowledge(seq);
    down.res = res;
    res.on('close', () => {
      if (down.res === res) {
        clearTimeout(down.timer);
        down.res = null;
      }
    });
    const waitable = kind === 'long-polling' && this.control.length === 0 && this.buffer.length === 0;
    if (!waitable || this.mute) {
      if (!this.mute) this.#answerPoll(down, res);
      return;
    }
    down.timer = setTimeout(() => this.#answerPoll(down, res), this.server.pollTimeout);
  }

  dispose(): void {
    clearInterval(this.#heartbeat);
  }
}

export class FakeServer {
  readonly http: Server;
  readonly wss: WebSocketServer;
  readonly sessions = new Map<string, FakeSession>();
  /** Every session ever opened, in order. */
  readonly opened: FakeSession[] = [];
  readonly sockets = new Set<Socket>();
  /** Requests seen, as `METHOD /path?query`. */
  readonly requests: string[] = [];
  heartbeat: number;
  pollTimeout: number;
  onEvent: EventHandlerFn = () => null;
  url = '';

  constructor(readonly options: FakeServerOptions = {}) {
    this.heartbeat = options.heartbeat ?? 25_000;
    this.pollTimeout = options.pollTimeout ?? 25_000;
    this.http = createServer((req, res) => this.#request(req, res));
    this.http.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.wss = new WebSocketServer({
      server: this.http,
      path: '/baro/ws',
      protocols: ['baro.v1'],
      authenticate: () => (options.refuseWebSocket ? { ok: false, status: 403, reason: 'websocket blocked' } : true),
    });
    this.wss.on('connection', (conn, req) => this.#websocket(conn, req));
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.http.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
    return this;
  }

  /** The one session (most tests have one client). */
  get session(): FakeSession {
    const last = this.opened.at(-1);
    if (!last) throw new Error('no session yet');
    return last;
  }

  /** Destroys every connection: WebSockets, event streams, polls and POSTs in flight. */
  dropAll(): void {
    for (const conn of this.wss.clients) conn.terminate();
    for (const socket of this.sockets) socket.destroy();
  }

  /** Forgets a session, as if it expired: the client's next attach gets `resumed: false`. */
  forget(session: FakeSession): void {
    session.detach('gone');
    session.dispose();
    this.sessions.delete(session.sid);
  }

  async close(): Promise<void> {
    for (const session of this.sessions.values()) session.dispose();
    for (const session of this.opened) session.dispose();
    this.dropAll();
    await this.wss.close({ timeout: 100 });
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  /** Opens or attaches per the query; null after answering 403. */
  #session(query: URLSearchParams, kind: TransportName, reject: (status: number) => void): { session: FakeSession; open: Packet; replay: SequencedPacket[] } | null {
    const sid = query.get('sid');
    const token = query.get('token') ?? '';
    const seq = Number(query.get('seq') ?? 0);
    if (sid !== null) {
      const existing = this.sessions.get(sid);
      if (existing && existing.token !== token) {
        reject(403);
        return null;
      }
      if (!token) {
        reject(403);
        return null;
      }
      if (existing) return { session: existing, ...existing.attach(kind, seq, true) };
    }
    const session = new FakeSession(this);
    this.sessions.set(session.sid, session);
    this.opened.push(session);
    return { session, ...session.attach(kind, 0, false) };
  }

  #websocket(conn: WebSocketConnection, req: IncomingMessage): void {
    const query = new URL(req.url ?? '/', 'http://x').searchParams;
    const found = this.#session(query, 'websocket', () => conn.close(4403, 'forbidden'));
    if (!found) return;
    const { session } = found;
    session.startStream({ kind: 'websocket', conn }, found.open, found.replay);
    conn.on('message', (data, isBinary) => {
      const result = isBinary ? decodeBinaryPacket(new Uint8Array(data), 'toServer') : decodePacket(data.toString('utf8'), 'toServer');
      if (!result.ok) return conn.close(1002, result.error);
      const reply = session.receive([result.packet]);
      if (session.down?.kind === 'websocket' && session.down.conn === conn) for (const packet of reply) conn.send(encodePacket(packet));
    });
    conn.on('close', () => {
      if (session.down?.kind === 'websocket' && session.down.conn === conn) session.detach('gone');
    });
  }

  #request(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const query = url.searchParams;
    const reject = (status: number): void => void res.writeHead(status).end();
    if (req.method === 'GET' && url.pathname === '/baro/sse') {
      const head = { 'content-type': 'text/event-stream', 'cache-control': 'no-store' };
      // A buffering proxy: the headers pass, the events are held.
      if (this.options.bufferSse) return void res.writeHead(200, head).flushHeaders();
      const found = this.#session(query, 'sse', reject);
      if (!found) return;
      res.writeHead(200, head).flushHeaders();
      const { session } = found;
      session.startStream({ kind: 'sse', res }, found.open, found.replay);
      res.on('close', () => {
        if (session.down?.kind === 'sse' && session.down.res === res) session.detach('gone');
      });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/baro/poll') {
      const kind = query.get('wait') === '1' ? 'long-polling' : 'polling';
      const sid = query.get('sid');
      const existing = sid === null ? undefined : this.sessions.get(sid);
      // The next request of the session's poll transport continues it: no open packet. Anything
      // else (a new session, another transport before) attaches and gets one.
      if (existing && existing.token === query.get('token') && (existing.down?.kind === 'long-polling' || existing.down?.kind === 'polling')) {
        existing.pollRequest(kind, Number(query.get('seq') ?? 0), res, null);
        return;
      }
      const found = this.#session(query, kind, reject);
      if (!found) return;
      found.session.pollRequest(kind, Number(query.get('seq') ?? 0), res, found.open);
      return;
    }
    if (req.method === 'POST' && url.pathname === '/baro/send') {
      const session = this.sessions.get(query.get('sid') ?? '');
      if (!session || session.token !== query.get('token')) {
        req.resume();
        return reject(403);
      }
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const result = decodePacketLines(Buffer.concat(chunks).toString('utf8'), 'toServer');
        if (!result.ok) return reject(400);
        const reply = session.receive(result.packets);
        res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end(reply.map((p) => `${encodePacket(p)}\n`).join(''));
      });
      return;
    }
    reject(404);
  }
}
