/**
 * Per-test resources that clean themselves up: every server, client and raw socket a test opens is
 * registered here and torn down after the test (or the describe block), pass or fail.
 */
import type { EventEmitter } from 'node:events';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket as WsClient, WebSocketServer as WsServer, type ClientOptions, type ServerOptions } from 'ws';
import { WebSocketServer, type WebSocketServerOptions } from '../server.js';
import type { WebSocketConnection } from '../connection.js';
import { WebSocket as BaroClient, type WebSocketClientOptions } from '../client.js';
import { RawClient, newKey } from './raw-client.js';
import { nextEvent, withTimeout } from './wait.js';

type Teardown = () => void | Promise<void>;

export class Scope {
  #teardowns: Teardown[] = [];

  /** Registers a teardown; they run in reverse order. */
  defer(teardown: Teardown): void {
    this.#teardowns.push(teardown);
  }

  async dispose(): Promise<void> {
    const teardowns = this.#teardowns.reverse();
    this.#teardowns = [];
    for (const teardown of teardowns) {
      try {
        await withTimeout(Promise.resolve().then(teardown), 3000, 'a test teardown');
      } catch {
        // Teardown must not hide the test's own result; a stuck resource is destroyed below anyway.
      }
    }
  }

  /** A baro server listening on 127.0.0.1, port 0. With `echo`, every message is sent back as it came. */
  async baroServer<C = unknown>(options: Omit<WebSocketServerOptions<C>, 'port'> & { echo?: boolean } = {}): Promise<BaroServerHandle<C>> {
    const { echo, ...rest } = options;
    const server = new WebSocketServer<C>(rest.server ? rest : { ...rest, port: 0 });
    server.on('error', () => {});
    if (echo) server.on('connection', (connection) => echoOn(connection));
    this.defer(async () => {
      for (const client of server.clients) client.terminate();
      await server.close({ timeout: 200 });
    });
    await server.ready;
    const port = rest.server ? (rest.server.address() as AddressInfo).port : server.address().port;
    return { server, port, url: `ws://127.0.0.1:${port}${rest.path ?? ''}` };
  }

  /** A plain HTTP server listening on 127.0.0.1, port 0, closed (connections too) at teardown. */
  async httpServer(): Promise<{ server: HttpServer; port: number }> {
    const server = createServer((_request, response) => {
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.defer(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    return { server, port: (server.address() as AddressInfo).port };
  }

  /** A ws server on 127.0.0.1, port 0. With `echo`, every message is sent back as it came. */
  async wsServer(options: Omit<ServerOptions, 'port' | 'host'> & { echo?: boolean } = {}): Promise<{ server: WsServer; port: number; url: string }> {
    const { echo, ...rest } = options;
    const server = new WsServer({ ...rest, port: 0, host: '127.0.0.1' });
    if (echo) {
      server.on('connection', (socket) => socket.on('message', (data, isBinary) => socket.send(data as Buffer, { binary: isBinary })));
    }
    await nextEvent(server, 'listening', 2000, 'the ws server to listen');
    this.defer(
      () =>
        new Promise<void>((resolve) => {
          for (const client of server.clients) client.terminate();
          server.close(() => resolve());
        }),
    );
    const port = (server.address() as AddressInfo).port;
    return { server, port, url: `ws://127.0.0.1:${port}` };
  }

  /** A ws client, open. */
  async wsClient(url: string, options: ClientOptions = {}, protocols?: string | string[]): Promise<WsClient> {
    const client = this.wsClientConnecting(url, options, protocols);
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        client.once('open', resolve);
        client.once('error', reject);
      }),
      3000,
      `a ws client to open ${url}`,
    );
    return client;
  }

  /** A ws client, still connecting; errors are the test's to look at. */
  wsClientConnecting(url: string, options: ClientOptions = {}, protocols?: string | string[]): WsClient {
    const client = protocols === undefined ? new WsClient(url, options) : new WsClient(url, protocols, options);
    client.on('error', () => {});
    this.defer(() => client.terminate());
    return client;
  }

  /** A baro client, still connecting. */
  baroClient(url: string, protocols: string | string[] = [], options: WebSocketClientOptions = {}): BaroClient {
    const client = new BaroClient(url, protocols, options);
    this.defer(() => {
      if (client.readyState === BaroClient.OPEN || client.readyState === BaroClient.CLOSING) {
        try {
          client.close();
        } catch {}
      }
    });
    return client;
  }

  /** A baro client, open. */
  async baroClientOpen(url: string, protocols: string | string[] = [], options: WebSocketClientOptions = {}): Promise<BaroClient> {
    const client = this.baroClient(url, protocols, options);
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        client.addEventListener('open', () => resolve(), { once: true });
        client.addEventListener('error', (event) => reject((event as unknown as { error: Error }).error), { once: true });
      }),
      3000,
      `a baro client to open ${url}`,
    );
    return client;
  }

  async raw(port: number): Promise<RawClient> {
    const client = await RawClient.connect(port);
    this.defer(() => client.destroy());
    return client;
  }

  /** A raw client past a successful handshake. */
  async rawOpen(port: number, options: Parameters<RawClient['handshake']>[0] = {}): Promise<RawClient> {
    const client = await this.raw(port);
    await client.handshake(options);
    return client;
  }
}

export interface BaroServerHandle<C = unknown> {
  server: WebSocketServer<C>;
  port: number;
  url: string;
}

export function echoOn(connection: WebSocketConnection): void {
  connection.on('message', (data, isBinary) => connection.send(data, { binary: isBinary }));
}

/** The server side of the next connection on a baro server. */
export async function nextConnection<C>(server: WebSocketServer<C>, ms = 3000): Promise<{ connection: WebSocketConnection; context: C | undefined }> {
  const [connection, , context] = await nextEvent<[WebSocketConnection, unknown, C | undefined]>(server as unknown as EventEmitter, 'connection', ms, "the server's 'connection' event");
  return { connection, context };
}

export interface UpgradeOutcome {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * Tries an upgrade with Node's HTTP client and reports the status: 101 (the socket is then closed
 * at once) or the refusal's status, headers and body.
 */
export function tryUpgrade(port: number, options: { path?: string; headers?: Record<string, string> } = {}, ms = 3000): Promise<UpgradeOutcome> {
  const request = httpRequest({
    host: '127.0.0.1',
    port,
    path: options.path ?? '/',
    headers: {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Key': newKey(),
      'Sec-WebSocket-Version': '13',
      ...options.headers,
    },
  });
  const outcome = new Promise<UpgradeOutcome>((resolve, reject) => {
    request.on('upgrade', (response, socket) => {
      socket.destroy();
      resolve({ status: response.statusCode ?? 0, headers: response.headers, body: '' });
    });
    request.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
  request.end();
  return withTimeout(outcome, ms, `the answer to an upgrade on port ${port}`).finally(() => request.destroy());
}

/** Proves a server still serves: a fresh ws client gets its message echoed. */
export async function assertEchoes(scope: Scope, url: string, text = 'still serving'): Promise<void> {
  const client = await scope.wsClient(url);
  const reply = nextEvent<[Buffer, boolean]>(client, 'message', 3000, 'an echo from the server');
  client.send(text);
  const [data, isBinary] = await reply;
  if (isBinary || data.toString() !== text) throw new Error(`echo mismatch: got ${isBinary ? 'binary' : 'text'} ${JSON.stringify(data.toString())}`);
  client.close();
}

/** A scope disposed after the test `t`, pass or fail. */
export function scoped(t: { after: (fn: () => Promise<void>) => void }): Scope {
  const scope = new Scope();
  t.after(() => scope.dispose());
  return scope;
}
