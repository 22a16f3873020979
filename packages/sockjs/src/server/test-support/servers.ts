import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { createServer } from '../server.js';

/**
 * The same four prefixes examples/sockjs-server.mjs serves (and the SockJS protocol suite
 * expects), on the reference server (sockjs 0.3.24) and on ours, each on its own port.
 */

interface ReferenceConnection {
  on(event: 'data', listener: (message: string) => void): void;
  write(message: string): void;
  close(code?: number, reason?: string): void;
}
interface ReferenceServer {
  on(event: 'connection', listener: (connection: ReferenceConnection) => void): void;
  installHandlers(server: Server): void;
}
const require = createRequire(import.meta.url);
const reference = require('sockjs') as { createServer(options: object): ReferenceServer };

interface EchoConnection {
  on(event: 'data', listener: (message: string) => void): unknown;
  write(message: string): unknown;
  close(code?: number, reason?: string): unknown;
}

const PREFIXES: readonly [prefix: string, options: object, onConnection: (connection: EchoConnection) => void][] = [
  ['/echo', {}, (connection) => connection.on('data', (message) => connection.write(message))],
  ['/disabled_websocket_echo', { websocket: false }, (connection) => connection.on('data', (message) => connection.write(message))],
  ['/cookie_needed_echo', { jsessionid: true }, (connection) => connection.on('data', (message) => connection.write(message))],
  ['/close', {}, (connection) => connection.close(3000, 'Go away!')],
];

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/** An HTTP server whose own answer (404) only runs for what no SockJS prefix takes. */
function httpServer(): Server {
  return createHttpServer((_request, response) => response.writeHead(404).end());
}

async function listen(http: Server): Promise<number> {
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return (http.address() as AddressInfo).port;
}

function stop(http: Server): Promise<void> {
  return new Promise((resolve) => {
    http.close(() => resolve());
    http.closeAllConnections();
  });
}

export async function startReference(options: object = {}): Promise<RunningServer> {
  const http = httpServer();
  const sockets = new Set<import('node:net').Socket>();
  http.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  for (const [prefix, prefixOptions, onConnection] of PREFIXES) {
    const server = reference.createServer({ response_limit: 4096, log: () => {}, ...options, ...prefixOptions, prefix });
    server.on('connection', onConnection);
    server.installHandlers(http);
  }
  const port = await listen(http);
  return {
    port,
    close: async () => {
      // Upgraded sockets are no longer the HTTP server's to close.
      for (const socket of sockets) socket.destroy();
      await stop(http);
    },
  };
}

export async function startOurs(options: object = {}): Promise<RunningServer> {
  const http = httpServer();
  const servers = PREFIXES.map(([prefix, prefixOptions, onConnection]) => {
    const server = createServer({ response_limit: 4096, ...options, ...prefixOptions, prefix });
    server.on('connection', onConnection);
    server.installHandlers(http);
    return server;
  });
  const port = await listen(http);
  return {
    port,
    close: async () => {
      await Promise.all(servers.map((server) => server.close()));
      await stop(http);
    },
  };
}
