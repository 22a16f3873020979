/**
 * Target: a `BaroServer` with echo handlers, in its own process. Options (JSON, argv[2]) go to the
 * server as they are, except `authenticateQuery`: when set, requests are authenticated by the
 * query parameter of that name (its value becomes the session's `data.auth`; missing → 401).
 * Events: `echo` (answers its data), `broadcast` (to everyone as `broadcast`), `whoami` (answers
 * `session.data.auth`). Queries: `sessions` (open sessions). `httpTimeouts` (ms): the server is
 * attached to an `http.Server` of the target's own with these header and request timeouts, as an
 * app that owns its server sets them. `tickMs`: the server broadcasts `tick` with 1, 2, 3, … to
 * everyone at this interval, until the query `stopTicks` (which answers the last number sent).
 */
import { createServer, type IncomingMessage } from 'node:http';
import { BaroServer, type BaroServerOptions } from 'baro';
import { reportToParent, onParentRequest } from './ipc.js';

type Options = Omit<BaroServerOptions, 'authenticate'> & { authenticateQuery?: string; httpTimeouts?: { headersTimeout: number; requestTimeout: number }; tickMs?: number };
const { authenticateQuery, httpTimeouts, tickMs, ...options } = JSON.parse(process.argv[2] ?? '{}') as Options;

const authenticate = authenticateQuery
  ? (request: IncomingMessage) => {
      const user = new URL(request.url ?? '/', 'http://target').searchParams.get(authenticateQuery);
      return user ? { ok: true as const, context: { user } } : { ok: false as const, status: 401 };
    }
  : undefined;

const ownServer = httpTimeouts ? createServer({ ...httpTimeouts, connectionsCheckingInterval: 250 }) : null;
const server = new BaroServer({ ...options, ...(authenticate ? { authenticate } : {}), ...(ownServer ? { server: ownServer } : { port: 0, host: '127.0.0.1' }) });
if (ownServer) await new Promise<void>((resolve) => ownServer.listen(0, '127.0.0.1', resolve));
server.on('connection', (session) => {
  session.on('echo', (data: unknown, ack?: (reply: unknown) => void) => ack?.(data));
  session.on('broadcast', (data: unknown) => server.emit('broadcast', data));
  session.on('whoami', (_data: unknown, ack?: (reply: unknown) => void) => ack?.(session.data.auth ?? null));
});
server.on('error', () => {});

let tick = 0;
const ticker = tickMs ? setInterval(() => server.emit('tick', ++tick), tickMs) : null;

onParentRequest((query) => {
  if (query === 'sessions') return server.sessions.size;
  if (query === 'stopTicks') {
    if (ticker) clearInterval(ticker);
    return tick;
  }
  return undefined;
});
await server.ready;
reportToParent({ type: 'ready', port: (ownServer?.address() as { port: number } | null)?.port ?? server.address().port });
