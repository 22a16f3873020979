/**
 * The live quiz server: Fastify for the pages and the API, baro for everything live, on one port.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { networkInterfaces } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';
import type { TransportName } from '@baro/client';
import { BaroServer } from 'baro';
import { NicknameFilter } from './domain/nickname-filter.js';
import { parseQuizMarkdown } from './domain/quiz-schema.js';
import { registerApi } from './http/api.js';
import { registerImageRoutes } from './http/images.js';
import { addSecurityHeaders } from './http/security-headers.js';
import { AddressBuckets } from './live/address-buckets.js';
import { HostAuth, type HostAuthOptions } from './live/host-auth.js';
import { LiveRooms } from './live/live-rooms.js';
import type { RoomOptions } from './live/live-room.js';
import { LoopLag } from './live/loop-lag.js';
import { QuizRealtime, type QuizServer, type RealtimeOptions } from './live/realtime.js';
import { SqliteQuizStore } from './store/sqlite-store.js';
import { generateSecret, type QuizStore } from './store/store.js';

const here = dirname(fileURLToPath(import.meta.url));
const WEB_ROOT = resolve(here, 'web');
const DEMO_QUIZ = resolve(here, '../demo/cotato-night.md');
/** See `heartbeatMs`; its cost at 10,000 players is measured by bench/quiz-heartbeat.mjs. */
export const QUIZ_HEARTBEAT_MS = 1200;

export interface QuizAppOptions {
  /** Default 3000; 0 picks a free port. */
  port?: number;
  /** Default '0.0.0.0', so phones on the same network can join. */
  host?: string;
  /** The SQLite file. Default `data/quiz.db` under the working directory. Ignored when `store` is given. */
  dbPath?: string;
  store?: QuizStore;
  /**
   * The host password. Default: `QUIZ_HOST_PASSWORD` (when set and not empty), else the one saved
   * beside the database (`<dbPath>.host-password`), else a new random one saved there.
   */
  hostPassword?: string;
  /** The address players use (join links, QR codes). Default: this machine's LAN address. */
  publicUrl?: string;
  /** Transports offered (e.g. without `websocket` to try the fallbacks). Default: all. */
  transports?: readonly TransportName[];
  /** Load the demo quiz and start a live session of it when the database has no quiz. Default true. */
  demo?: boolean;
  randomDelayMs?: { min: number; max: number };
  /** The game's clock (submission times, opens, countdowns). Default `Date.now`. */
  now?: () => number;
  pingIntervalMs?: number;
  /**
   * baro's heartbeat (ms): a link silent for 2.5 of these is dead, on the server and in the page.
   * Default 1,200, so a phone that drops off is shown "reconnecting…", and offline to the host,
   * within 3.6 s (2.5 heartbeats, plus the server's sweep every half heartbeat): well inside the
   * 5 s the quiz promises, on a loaded machine too (with 1,500 a CI run once took 5,017 ms).
   */
  heartbeatMs?: number;
  /** Words a nickname may not contain (the club's list; matching ignores case, width, spaces and punctuation). Default: none. */
  blockedNicknameWords?: readonly string[];
  /** Players in one live session. Default 10,000. */
  maxPlayers?: number;
  /** How far ahead an opening is announced (live/open-schedule.ts). */
  openLead?: RoomOptions['openLead'];
  /** The reaction-time check's clock threshold and slack (domain/fairness.ts). */
  fairness?: RoomOptions['fairness'];
  /** Sessions from one address (a classroom behind one NAT shares it). Default 1,000. */
  sessionsPerAddress?: number;
  /** Fastify request logging. Default false. */
  logger?: boolean;
  /** Wrong host passwords one address may send a minute (and in a burst); then 429 + Retry-After. Default 10. */
  hostFailuresPerMinute?: HostAuthOptions['failuresPerMinute'];
  /** How long a host page's sign-in token lasts. Default 12 h. */
  hostTokenTtlMs?: HostAuthOptions['tokenTtlMs'];
  /** New seats one address may ask for a minute (and in a burst). Default 120. */
  joinsPerMinute?: RealtimeOptions['joinsPerMinute'];
  /** Pages seated on one player's seat at once; one more takes over from the oldest. Default 3. */
  sessionsPerSeat?: RealtimeOptions['sessionsPerSeat'];
  /** Lookups of join codes that do not exist one address may make a minute (code enumeration). Default 30. */
  unknownCodesPerMinute?: number;
  /** Time for a client to send a whole request (headers and body), in ms; then 408. Default 30 s. */
  requestTimeoutMs?: number;
  /** Time for a client to send a request's headers, in ms. Default 10 s. */
  headersTimeoutMs?: number;
  /** Open TCP connections at once; past it new ones are closed at once. Default 20,000. */
  maxConnections?: number;
  /** Request body of every route but the quiz upload, in bytes. Default 64 KiB. */
  bodyLimitBytes?: number;
  /** Request body of a quiz upload (POST/PUT /api/quizzes), in bytes. Default 2 MiB. */
  uploadLimitBytes?: number;
}

export const HTTP_DEFAULTS = {
  unknownCodesPerMinute: 30,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  maxConnections: 20_000,
  bodyLimitBytes: 64 * 1024,
  uploadLimitBytes: 2 * 1024 * 1024,
} as const;

export interface QuizApp {
  url: string;
  publicUrl: string;
  hostPassword: string;
  /** Host page link (the password in the fragment never reaches the server's logs). */
  hostUrl: string;
  /** The demo's live session, when one was started. */
  demo: { liveId: string; code: string; joinUrl: string } | null;
  store: QuizStore;
  rooms: LiveRooms;
  baro: QuizServer;
  /** The HTTP server everything is served on (for tests that count what it reads and writes). */
  httpServer: Server;
  close(): Promise<void>;
}

export async function startQuizApp(options: QuizAppOptions = {}): Promise<QuizApp> {
  const dbPath = resolve(options.dbPath ?? 'data/quiz.db');
  const store = options.store ?? openStore(dbPath);
  const hostPassword = options.hostPassword ?? (process.env.QUIZ_HOST_PASSWORD || savedPassword(options.store ? null : dbPath));
  const auth = new HostAuth(hostPassword, { failuresPerMinute: options.hostFailuresPerMinute, tokenTtlMs: options.hostTokenTtlMs, now: options.now });
  const limits = { ...HTTP_DEFAULTS, ...definedOnly(options) };
  const unknownCodes = new AddressBuckets({ perMinute: limits.unknownCodesPerMinute });

  // A request must arrive whole within its timeout (a body trickled in, or stopped short, holds a
  // connection and its buffer until then); Node checks every second rather than every 30 s.
  // Long-polls and SSE are responses held open, not requests, so the timeouts do not touch them.
  // baro's transports take their own paths before Fastify routes the rest.
  const serverFactory = (handler: RequestListener) => {
    const server = createServer(
      { requestTimeout: limits.requestTimeoutMs, headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs), connectionsCheckingInterval: 1000 },
      (request, response) => baro.handleRequest(request, response, () => handler(request, response)),
    );
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!baro.handleUpgrade(request, socket, head)) socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
    server.maxConnections = limits.maxConnections;
    return server;
  };
  // Connections left once baro has told its clients to come back later (long-polls, keep-alive
  // fetches) are closed with the server rather than waited for.
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: limits.bodyLimitBytes, forceCloseConnections: true, serverFactory });
  addSecurityHeaders(app);
  const baro: QuizServer = new BaroServer({
    noServer: true,
    sessionsPerAddress: options.sessionsPerAddress ?? 1000,
    limits: { heartbeat: options.heartbeatMs ?? QUIZ_HEARTBEAT_MS },
    ...(options.transports ? { transports: options.transports } : {}),
  });
  let publicUrl = options.publicUrl ?? '';
  const lag = new LoopLag();
  const rooms = new LiveRooms(store, {
    publicUrl: () => publicUrl,
    randomDelayMs: options.randomDelayMs,
    maxPlayers: options.maxPlayers,
    now: options.now,
    openLead: options.openLead,
    fairness: options.fairness,
    serverLagMs: () => lag.recentMaxMs(),
    nicknameFilter: new NicknameFilter(options.blockedNicknameWords ?? []),
  });
  const realtime = new QuizRealtime(baro, rooms, auth, {
    pingIntervalMs: options.pingIntervalMs,
    joinsPerMinute: options.joinsPerMinute,
    sessionsPerSeat: options.sessionsPerSeat,
    unknownCodes,
    ...(options.now ? { now: options.now } : {}),
  });

  registerApi(app, { store, rooms, auth, unknownCodes, uploadLimitBytes: limits.uploadLimitBytes });
  registerImageRoutes(app, { store, auth, uploadLimitBytes: limits.uploadLimitBytes });
  if (existsSync(join(WEB_ROOT, 'index.html'))) {
    await app.register(fastifyStatic, { root: WEB_ROOT, wildcard: false, index: false });
    // The single-page app routes these paths itself.
    for (const path of ['/', '/join/:code', '/host', '/host/live/:id', '/host/results/:id', '/present/:id']) app.get(path, (_request, reply) => reply.sendFile('index.html'));
  } else {
    app.get('/', (_request, reply) => reply.code(503).type('text/plain').send('The web UI is not built: run `npm run build`.\n'));
  }

  await app.listen({ port: options.port ?? 3000, host: options.host ?? '0.0.0.0' });
  const { port } = app.server.address() as { port: number };
  const url = `http://localhost:${port}`;
  publicUrl ||= `http://${reachableHost(options.host ?? '0.0.0.0')}:${port}`;

  const demo = options.demo === false ? null : loadDemo(store, rooms);
  return {
    url,
    publicUrl,
    hostPassword,
    hostUrl: `${url}/host#password=${encodeURIComponent(hostPassword)}`,
    demo,
    store,
    rooms,
    baro,
    httpServer: app.server,
    async close() {
      realtime.close();
      lag.close();
      await baro.close({ timeout: 1000 });
      await app.close();
      rooms.close();
      store.close();
    },
  };
}

/** The options given, without those set to `undefined` (which would override a default when spread). */
function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function openStore(dbPath: string): QuizStore {
  mkdirSync(dirname(dbPath), { recursive: true, mode: 0o700 });
  return new SqliteQuizStore({ path: dbPath });
}

function savedPassword(dbPath: string | null): string {
  const file = dbPath && `${dbPath}.host-password`;
  if (file && existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = generateSecret().slice(0, 16);
  if (file) writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/** A fresh database gets the demo quiz and a live session of it, so `npm start` is ready to play. */
function loadDemo(store: QuizStore, rooms: LiveRooms): QuizApp['demo'] {
  // The newest session still to play: a finished one has no players' link to print.
  const existing = store
    .listLiveSessions()
    .filter((record) => record.phase !== 'finished')
    .sort((a, b) => b.createdAt - a.createdAt)[0];
  if (store.listQuizzes().length > 0) {
    return existing ? { liveId: existing.id, code: existing.code, joinUrl: rooms.joinUrl(existing.code) } : null;
  }
  const parsed = parseQuizMarkdown(readFileSync(DEMO_QUIZ, 'utf8'));
  if (!parsed.ok) throw new Error(`the demo quiz is invalid: ${parsed.errors.join('; ')}`);
  const quiz = store.createQuiz({ title: parsed.quiz.title, body: parsed.quiz as never });
  const room = rooms.create(quiz.id);
  return { liveId: room.id, code: room.code, joinUrl: rooms.joinUrl(room.code) };
}

/**
 * The host players can reach: this machine's LAN address when the server listens on every
 * interface, else the one address it listens on (a link to the LAN address would not answer).
 */
export function reachableHost(listenHost: string): string {
  if (listenHost === '0.0.0.0' || listenHost === '::') return lanAddress() ?? 'localhost';
  return listenHost.includes(':') ? `[${listenHost}]` : listenHost;
}

function lanAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return undefined;
}
