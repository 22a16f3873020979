import { WebSocket } from 'baro';
import { BaroClient } from '../client.js';
import type { ClientOptions, EventContract, WebSocketConstructor } from '../types.js';

/** The event maps the integration tests use. */
export interface ServerToClient {
  news: string;
  blob: { name: string; bytes: Uint8Array; nested: Uint8Array[] };
  n: number;
  confirm: (question: string) => { yes: boolean };
}
export interface ClientToServer {
  hello: string;
  echo: (data: unknown) => unknown;
  fail: (data: null) => never;
  n: number;
}

/** The integration tests' contract: what the real servers they talk to speak. */
export interface AppEvents {
  clientToServer: ClientToServer;
  serverToClient: ServerToClient;
}

const clients = new Set<BaroClient<EventContract>>();

/** Closes every client `clientFor` made: call it in `afterEach`, so a failed test leaves no reconnect loop behind. */
export function closeClients(): void {
  for (const client of clients) client.close();
  clients.clear();
}

/** A client for `server.url` with Node's WebSocket (baro's) and short timings for tests. */
export function clientFor(server: { url: string }, options: ClientOptions = {}): BaroClient<AppEvents> {
  const client = new BaroClient<AppEvents>(server.url, {
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    openTimeout: 2000,
    pollInterval: 20,
    reconnect: { initialDelay: 20, maxDelay: 100 },
    ...options,
  });
  clients.add(client);
  return client;
}
