/**
 * The live quiz server: Fastify for the pages and the API, baro for everything live, on one port.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';
import type { TransportName } from '@baro/client';
import { BaroServer } from 'baro';
import { parseQuizMarkdown } from './domain/quiz-schema.js';
import { registerApi } from './http/api.js';
import { HostAuth } from './live/host-auth.js';
import { LiveRooms } from './live/live-rooms.js';
import type { RoomOptions } from './live/live-room.js';
import { LoopLag } from './live/loop-lag.js';
import { QuizRealtime, type QuizServer } from './live/realtime.js';
import { SqliteQuizStore } from './store/sqlite-store.js';
import { generateSecret, hashSecret, type QuizStore } from './store/store.js';

const here = dirname(fileURLToPath(import.meta.url));
const WEB_ROOT = resolve(here, 'web');
const DEMO_QUIZ = resolve(here, '../demo/cotato-night.md');

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
}

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
  close(): Promise<void>;
}

export async function startQuizApp(options: QuizAppOptions = {}): Promise<QuizApp> {
  const dbPath = resolve(options.dbPath ?? 'data/quiz.db');
  const store = options.store ?? openStore(dbPath);
  const hostPassword = options.hostPassword ?? (process.env.QUIZ_HOST_PASSWORD || savedPassword(options.store ? null : dbPath));
  const auth = new HostAuth(hostPassword);

  // Connections left once baro has told its clients to come back later (long-polls, keep-alive
  // fetches) are closed with the server rather than waited for.
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 2 * 1024 * 1024, forceCloseConnections: true });
  const baro: QuizServer = new BaroServer({
    server: app.server,
    sessionsPerAddress: options.sessionsPerAddress ?? 1000,
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
  });
  const realtime = new QuizRealtime(baro, rooms, auth, { pingIntervalMs: options.pingIntervalMs, ...(options.now ? { now: options.now } : {}) });

  registerApi(app, { store, rooms, auth, hostPassword });
  if (existsSync(join(WEB_ROOT, 'index.html'))) {
    await app.register(fastifyStatic, { root: WEB_ROOT, wildcard: false, index: false });
    // The single-page app routes these paths itself.
    for (const path of ['/', '/join/:code', '/host', '/host/live/:id']) app.get(path, (_request, reply) => reply.sendFile('index.html'));
  } else {
    app.get('/', (_request, reply) => reply.code(503).type('text/plain').send('The web UI is not built: run `npm run build`.\n'));
  }

  await app.listen({ port: options.port ?? 3000, host: options.host ?? '0.0.0.0' });
  const { port } = app.server.address() as { port: number };
  const url = `http://localhost:${port}`;
  publicUrl ||= `http://${lanAddress() ?? 'localhost'}:${port}`;

  const demo = options.demo === false ? null : loadDemo(store, rooms, hostPassword);
  return {
    url,
    publicUrl,
    hostPassword,
    hostUrl: `${url}/host#password=${encodeURIComponent(hostPassword)}`,
    demo,
    store,
    rooms,
    baro,
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

function openStore(dbPath: string): QuizStore {
  mkdirSync(dirname(dbPath), { recursive: true });
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
function loadDemo(store: QuizStore, rooms: LiveRooms, hostPassword: string): QuizApp['demo'] {
  const existing = store.listLiveSessions()[0];
  if (store.listQuizzes().length > 0) {
    return existing ? { liveId: existing.id, code: existing.code, joinUrl: rooms.joinUrl(existing.code) } : null;
  }
  const parsed = parseQuizMarkdown(readFileSync(DEMO_QUIZ, 'utf8'));
  if (!parsed.ok) throw new Error(`the demo quiz is invalid: ${parsed.errors.join('; ')}`);
  const quiz = store.createQuiz({ title: parsed.quiz.title, body: parsed.quiz as never });
  const room = rooms.create(quiz.id, hashSecret(hostPassword));
  return { liveId: room.id, code: room.code, joinUrl: rooms.joinUrl(room.code) };
}

function lanAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return undefined;
}
