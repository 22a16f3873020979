import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A load balancer with no stickiness at all: every HTTP request and every WebSocket upgrade goes to
 * the next backend, round robin (a request is forwarded on a connection of its own). A backend
 * that refuses the connection (it is down) is skipped, as a balancer's health check would. When a
 * backend dies mid-request or mid-connection, the client's side is cut too.
 */
export class RoundRobinBalancer {
  readonly #server: Server;
  readonly #ports: readonly number[];
  readonly #sockets = new Set<Socket>();
  #next = 0;
  /** The backend that took the last request that carries the client (upgrade, SSE, poll): where the client is. */
  lastStreaming: number | null = null;
  /** Requests and upgrades forwarded, per backend. */
  readonly forwarded: number[];

  constructor(ports: readonly number[]) {
    this.#ports = ports;
    this.forwarded = ports.map(() => 0);
    this.#server = createServer((request, response) => {
      void this.#pick(request, (index, socket) => {
        // The request goes over the socket already connected (agent-less, one request per connection).
        const upstream = httpRequest({
          createConnection: () => socket,
          method: request.method,
          path: request.url,
          headers: { ...request.headers, connection: 'close' },
        });
        if (isLongLived(request)) this.lastStreaming = index;
        upstream.on('response', (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
          answer.on('error', () => response.destroy());
          answer.on('aborted', () => response.destroy());
        });
        upstream.on('error', () => response.destroy());
        response.on('close', () => upstream.destroy());
        request.pipe(upstream);
      }, () => response.writeHead(502).end());
    });
    this.#server.on('upgrade', (request: IncomingMessage, client: Socket, head: Buffer) => {
      this.#track(client);
      client.on('error', () => client.destroy());
      void this.#pick(request, (index, socket) => {
        this.lastStreaming = index;
        const lines = [`${request.method} ${request.url} HTTP/1.1`];
        for (let i = 0; i < request.rawHeaders.length; i += 2) lines.push(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}`);
        socket.write(`${lines.join('\r\n')}\r\n\r\n`);
        if (head.length > 0) socket.write(head);
        socket.pipe(client).pipe(socket);
        socket.on('close', () => client.destroy());
        client.on('close', () => socket.destroy());
      }, () => client.destroy());
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Connects to the next backend that accepts, trying each at most once. */
  async #pick(request: IncomingMessage, use: (index: number, socket: Socket) => void, fail: () => void): Promise<void> {
    for (let tries = 0; tries < this.#ports.length; tries++) {
      const index = this.#next;
      this.#next = (this.#next + 1) % this.#ports.length;
      const socket = await new Promise<Socket | null>((resolve) => {
        const socket = connect(this.#ports[index], '127.0.0.1');
        socket.once('connect', () => resolve(socket));
        socket.once('error', () => resolve(null));
      });
      if (socket === null) continue;
      if (request.destroyed) return void socket.destroy();
      this.#track(socket);
      socket.on('error', () => socket.destroy());
      this.forwarded[index]++;
      return use(index, socket);
    }
    fail();
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
  }
}

function isLongLived(request: IncomingMessage): boolean {
  const url = request.url ?? '';
  return url.includes('/sse') || url.includes('/poll');
}
