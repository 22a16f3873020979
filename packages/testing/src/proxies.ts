/**
 * Proxies in front of the server, misbehaving the ways real networks do:
 * - `HttpProxy`: a reverse proxy (node:http) that may refuse WebSocket upgrades (403, or by
 *   dropping the connection) and may buffer responses, forwarding nothing of a body until it ended
 *   (what a buffering proxy does to an event stream);
 * - `CuttingProxy`: a TCP proxy (node:net) that destroys every connection it carries on demand or
 *   every N ms, whatever transport runs over them, and can go offline for a while (a Wi-Fi drop).
 * - `DelayingProxy`: a TCP proxy that holds every chunk for a one-way delay plus jitter, in both
 *   directions, in order (a long or wobbly link; this kernel has no `tc netem`).
 */
import { Agent, createServer as createHttpServer, request as httpRequest, type IncomingHttpHeaders, type Server as HttpServer } from 'node:http';
import { connect as netConnect, createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';

const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade'];

function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out = { ...headers };
  for (const name of HOP_BY_HOP) delete out[name];
  return out;
}

async function listen(server: HttpServer | NetServer): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

export interface HttpProxyOptions {
  /** What happens to `Upgrade` requests: forwarded, answered 403, or the connection destroyed. Default 'pass'. */
  upgrade?: 'pass' | 'refuse' | 'destroy';
  /** Hold each response body until it ends, then send it whole with a Content-Length. */
  buffer?: boolean;
}

export class HttpProxy {
  readonly #server: HttpServer;
  readonly #agent = new Agent({ keepAlive: true });
  readonly #sockets = new Set<Socket>();
  /** `GET /baro/sse`, `UPGRADE /baro/ws`, … in arrival order (query strings dropped). */
  readonly log: string[] = [];
  port = 0;

  private constructor(targetPort: number, options: HttpProxyOptions) {
    const upgrade = options.upgrade ?? 'pass';
    this.#server = createHttpServer((request, response) => {
      this.log.push(`${request.method} ${(request.url ?? '').split('?')[0]}`);
      const upstream = httpRequest(
        { host: '127.0.0.1', port: targetPort, method: request.method, path: request.url, headers: request.headers, agent: this.#agent },
        (answer) => {
          const headers = withoutHopByHop(answer.headers);
          if (!options.buffer) {
            response.writeHead(answer.statusCode ?? 502, headers);
            answer.pipe(response);
            return;
          }
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => {
            const body = Buffer.concat(chunks);
            response.writeHead(answer.statusCode ?? 502, { ...headers, 'content-length': String(body.length) });
            response.end(body);
          });
          answer.on('error', () => response.destroy());
        },
      );
      upstream.on('error', () => response.destroy());
      request.pipe(upstream);
      // The client went away: so does the request upstream (ending a held SSE stream or long-poll).
      response.on('close', () => {
        if (!response.writableFinished) upstream.destroy();
      });
    });
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    this.#server.on('upgrade', (request, socket: Socket, head: Buffer) => {
      this.log.push(`UPGRADE ${(request.url ?? '').split('?')[0]}`);
      socket.on('error', () => socket.destroy());
      if (upgrade === 'destroy') return socket.destroy();
      if (upgrade === 'refuse') {
        const body = 'upgrades are not allowed here\n';
        socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
        return;
      }
      const upstream = netConnect(targetPort, '127.0.0.1', () => {
        let head_ = `${request.method} ${request.url} HTTP/1.1\r\n`;
        for (let i = 0; i < request.rawHeaders.length; i += 2) head_ += `${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}\r\n`;
        upstream.write(`${head_}\r\n`);
        if (head.length > 0) upstream.write(head);
        socket.pipe(upstream);
        upstream.pipe(socket);
      });
      upstream.on('error', () => socket.destroy());
      upstream.on('close', () => socket.destroy());
      socket.on('close', () => upstream.destroy());
    });
  }

  static async start(targetPort: number, options: HttpProxyOptions = {}): Promise<HttpProxy> {
    const proxy = new HttpProxy(targetPort, options);
    proxy.port = await listen(proxy.#server);
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    this.#server.closeAllConnections();
    this.#agent.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** A TCP proxy whose connections the test cuts: both ends destroyed at once, whatever was in flight lost. */
export class CuttingProxy {
  readonly #server: NetServer;
  readonly #pairs = new Set<[Socket, Socket]>();
  #timer: NodeJS.Timeout | undefined;
  #offline = false;
  #silent = false;
  /** Connections accepted so far. */
  accepted = 0;
  /** Times `cut()` ran, and connections it destroyed. */
  cuts = 0;
  severed = 0;
  port = 0;

  private constructor(targetPort: number) {
    this.#server = createNetServer((client) => {
      // Offline, a connection attempt fails at once, as when the network is gone.
      if (this.#offline) return client.destroy();
      this.accepted++;
      const upstream = netConnect(targetPort, '127.0.0.1');
      const pair: [Socket, Socket] = [client, upstream];
      this.#pairs.add(pair);
      const end = (): void => {
        this.#pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
      if (!this.#silent) CuttingProxy.#flow(pair);
    });
  }

  static async start(targetPort: number): Promise<CuttingProxy> {
    const proxy = new CuttingProxy(targetPort);
    proxy.port = await listen(proxy.#server);
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Connections open right now. */
  get open(): number {
    return this.#pairs.size;
  }

  /** Destroys every connection it carries; returns how many. */
  cut(): number {
    const count = this.#pairs.size;
    for (const [client, upstream] of [...this.#pairs]) {
      client.destroy();
      upstream.destroy();
    }
    this.#pairs.clear();
    this.cuts++;
    this.severed += count;
    return count;
  }

  /** The network drops: every connection is cut, and new ones fail until `online()`. */
  offline(): void {
    this.#offline = true;
    this.cut();
  }

  /**
   * The network goes silent, as when a phone walks out of Wi-Fi range: no connection is closed,
   * nothing passes either way (held, as TCP would retransmit it), and new connections get no bytes.
   * Only heartbeats can tell. `online()` lets everything flow again.
   */
  silence(): void {
    this.#silent = true;
    for (const [client, upstream] of this.#pairs) {
      client.unpipe(upstream).pause();
      upstream.unpipe(client).pause();
    }
  }

  online(): void {
    this.#offline = false;
    if (!this.#silent) return;
    this.#silent = false;
    for (const pair of this.#pairs) CuttingProxy.#flow(pair);
  }

  static #flow([client, upstream]: [Socket, Socket]): void {
    client.pipe(upstream);
    upstream.pipe(client);
  }

  cutEvery(ms: number): void {
    this.stopCutting();
    this.#timer = setInterval(() => this.cut(), ms);
  }

  stopCutting(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async close(): Promise<void> {
    this.stopCutting();
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

export interface DelayOptions {
  /** One-way delay added to every chunk, each direction, ms. */
  delayMs: number;
  /** Up to this much more, at random per chunk (order is kept, as TCP would), ms. Default 0. */
  jitterMs?: number;
  /** The random source for the jitter (0 ≤ random() < 1). Default Math.random. */
  random?: () => number;
}

/** A TCP proxy whose link is `delayMs` (+ jitter) long each way. */
export class DelayingProxy {
  readonly #server: NetServer;
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  port = 0;

  private constructor(targetPort: number, readonly options: DelayOptions) {
    this.#server = createNetServer((client) => {
      const upstream = netConnect(targetPort, '127.0.0.1');
      for (const socket of [client, upstream]) {
        // Nagle's algorithm would hold a chunk behind an unacknowledged one (up to a delayed ACK,
        // 40 ms or more): the link's delay must be the one asked for, nothing added.
        socket.setNoDelay(true);
        this.#sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => {
          this.#sockets.delete(socket);
          // The other side closes once what was in flight has crossed the link.
          this.#later(() => (socket === client ? upstream : client).end());
        });
      }
      this.#carry(client, upstream);
      this.#carry(upstream, client);
    });
  }

  static async start(targetPort: number, options: DelayOptions): Promise<DelayingProxy> {
    const proxy = new DelayingProxy(targetPort, options);
    proxy.port = await listen(proxy.#server);
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Each chunk leaves `delay + jitter` after it came, never before the one ahead of it (one queue, one timer). */
  #carry(from: Socket, to: Socket): void {
    const queue: Array<{ due: number; chunk: Buffer }> = [];
    let armed = false;
    const flush = (): void => {
      armed = false;
      while (queue.length > 0 && queue[0].due <= performance.now()) {
        const { chunk } = queue.shift()!;
        if (!to.destroyed) to.write(chunk);
      }
      if (queue.length > 0) arm();
    };
    const arm = (): void => {
      armed = true;
      this.#later(flush, queue[0].due - performance.now());
    };
    from.on('data', (chunk: Buffer) => {
      const { delayMs, jitterMs = 0, random = Math.random } = this.options;
      const due = Math.max(queue.at(-1)?.due ?? 0, performance.now() + delayMs + jitterMs * random());
      queue.push({ due, chunk });
      if (!armed) arm();
    });
  }

  #later(run: () => void, ms = this.options.delayMs + (this.options.jitterMs ?? 0)): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      run();
    }, Math.max(0, ms));
    this.#timers.add(timer);
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
