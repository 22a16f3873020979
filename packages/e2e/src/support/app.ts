/**
 * The server side of the scenarios: a `BaroServer` on the test's own `http.Server`, which also
 * serves the test page and the client's browser bundle (so page and endpoints share one origin),
 * and records what each session received.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { BaroServer, type BaroServerOptions, type Session } from 'baro';
import { clientBundle } from './bundle.js';
import { createKit } from './kit.js';

/** The page: imports the bundle as an ES module and builds the kit on `window.kit`. */
export function pageHtml(): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>baro e2e</title></head>
<body>
<script type="module">
import { connect } from '/baro-client.min.js';
window.kit = (${createKit.toString()})(connect, location.origin, {});
window.kitReady = true;
</script>
</body></html>
`;
}

/** Serves `/` (the page) and `/baro-client.min.js`; true when it answered. */
export function servePageAssets(request: IncomingMessage, response: ServerResponse): boolean {
  const { pathname } = new URL(request.url ?? '/', 'http://localhost');
  if (request.method !== 'GET') return false;
  if (pathname === '/favicon.ico') {
    response.writeHead(204, { 'Cache-Control': 'max-age=3600' });
    response.end();
    return true;
  }
  if (pathname === '/' || pathname === '/baro-client.min.js') {
    const body = pathname === '/' ? Buffer.from(pageHtml()) : clientBundle();
    response.writeHead(200, {
      'Content-Type': pathname === '/' ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8',
      'Content-Length': String(body.length),
      'Cache-Control': 'no-store',
    });
    response.end(body);
    return true;
  }
  return false;
}

export type AppOptions = Omit<BaroServerOptions, 'server' | 'port' | 'host'>;

/** Events the app records per session (raw, as the handler got them). */
const RECORDED = ['n', 'hello', 'bin', 'note'];

export class App {
  readonly http: Server;
  readonly baro: BaroServer;
  readonly sockets = new Set<Socket>();
  /** Every session the server opened, in order. */
  readonly sessions: Session[] = [];
  url = '';
  port = 0;

  constructor(options: AppOptions = {}) {
    this.http = createServer((request, response) => {
      if (servePageAssets(request, response)) return;
      response.writeHead(404, { 'Content-Type': 'text/plain' });
      response.end('not found\n');
    });
    this.http.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.baro = new BaroServer({ ...options, server: this.http });
    this.baro.on('error', () => {});
    this.baro.on('connection', (session) => {
      this.sessions.push(session);
      const received = new Map<string, unknown[]>(RECORDED.map((name) => [name, []]));
      session.data.received = received;
      // How often the server lost the session's transport (a cut that hit it), and got one back.
      session.data.offline = 0;
      session.data.online = 0;
      session.on('offline', () => (session.data.offline as number)++);
      session.on('online', () => (session.data.online as number)++);
      for (const name of RECORDED) session.on(name, (data: unknown) => received.get(name)!.push(data));
      session.on('hello', (name: unknown) => session.emit('news', `hello, ${String(name)}`));
      session.on('echo', (data: unknown, ack?: (reply: unknown) => void) => ack?.(data));
      session.on('join', (room: unknown, ack?: (reply: unknown) => void) => {
        session.join(String(room));
        ack?.(true);
      });
    });
  }

  static async start(options: AppOptions = {}, port = 0): Promise<App> {
    const app = new App(options);
    await new Promise<void>((resolve, reject) => {
      app.http.once('error', reject);
      app.http.listen(port, '127.0.0.1', () => resolve());
    });
    app.port = (app.http.address() as AddressInfo).port;
    app.url = `http://127.0.0.1:${app.port}`;
    return app;
  }

  /** The live session with this id (fails the test if there is none). */
  session(sid: string | null): Session {
    const session = sid === null ? undefined : this.baro.sessions.get(sid);
    if (!session) throw new Error(`no live session ${sid} on the server (it has ${this.baro.sessions.size})`);
    return session;
  }

  /** What the session's handler for `name` received, in order. */
  received(session: Session, name: string): unknown[] {
    return (session.data.received as Map<string, unknown[]>).get(name) ?? [];
  }

  dropAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    await this.baro.close({ timeout: 200 });
    this.dropAll();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}
