#!/usr/bin/env node
/** `npm start`: the live quiz on http://localhost:3000 with the demo quiz loaded. */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { TransportName } from '@baro/client';
import { parseWordList } from './domain/nickname-filter.js';
import { DEFAULT_HOST_FAILURES_PER_MINUTE, DEFAULT_HOST_TOKEN_TTL_MS, HOST_PASSWORD_MIN_LENGTH } from './live/host-auth.js';
import { DEFAULT_MAX_PLAYERS } from './live/live-room.js';
import { DEFAULT_JOINS_PER_MINUTE, DEFAULT_SESSIONS_PER_SEAT } from './live/realtime.js';
import { HTTP_DEFAULTS, startQuizApp } from './quiz-app.js';

/** The limits, each a flag with its default. */
const LIMIT_FLAGS = {
  'sessions-per-address': 1000,
  'max-players': DEFAULT_MAX_PLAYERS,
  'joins-per-minute': DEFAULT_JOINS_PER_MINUTE,
  'sessions-per-seat': DEFAULT_SESSIONS_PER_SEAT,
  'host-failures-per-minute': DEFAULT_HOST_FAILURES_PER_MINUTE,
  'host-token-hours': DEFAULT_HOST_TOKEN_TTL_MS / 3_600_000,
  'unknown-codes-per-minute': HTTP_DEFAULTS.unknownCodesPerMinute,
  'request-timeout-ms': HTTP_DEFAULTS.requestTimeoutMs,
  'headers-timeout-ms': HTTP_DEFAULTS.headersTimeoutMs,
  'max-connections': HTTP_DEFAULTS.maxConnections,
  'body-limit-bytes': HTTP_DEFAULTS.bodyLimitBytes,
  'upload-limit-bytes': HTTP_DEFAULTS.uploadLimitBytes,
} as const;
type LimitFlag = keyof typeof LIMIT_FLAGS;

const USAGE = `Usage: npm start -- [--port 3000] [--host 0.0.0.0] [--db data/quiz.db] [--public-url http://192.168.0.10:3000] [--transports sse,long-polling]
  ${Object.entries(LIMIT_FLAGS)
    .map(([name, value]) => `[--${name} ${value}]`)
    .join(' ')}
--blocked-nicknames words.txt: a file of words (one a line, # comments) that no nickname may contain.
The host password (at least ${HOST_PASSWORD_MIN_LENGTH} characters) comes from QUIZ_HOST_PASSWORD, else from <db>.host-password (created on first start).`;

function readArgs() {
  try {
    return parseArgs({
      options: {
        port: { type: 'string', default: process.env.PORT ?? '3000' },
        host: { type: 'string', default: '0.0.0.0' },
        db: { type: 'string', default: process.env.QUIZ_DB ?? 'data/quiz.db' },
        'public-url': { type: 'string' },
        transports: { type: 'string' },
        ...(Object.fromEntries(Object.entries(LIMIT_FLAGS).map(([name, value]) => [name, { type: 'string', default: String(value) }])) as Record<
          LimitFlag,
          { type: 'string'; default: string }
        >),
        'blocked-nicknames': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

const values = readArgs();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

/** A whole number in [min, max], or the process ends with a message saying which option is wrong. */
function integerOption(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  console.error(`--${name}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  process.exit(2);
}

/** The word list's lines, or the process ends saying the file cannot be read. */
function wordList(path: string | undefined): string[] {
  if (path === undefined) return [];
  try {
    return parseWordList(readFileSync(path, 'utf8'));
  } catch (error) {
    console.error(`--blocked-nicknames: cannot read ${path}: ${(error as Error).message}`);
    process.exit(2);
  }
}

function limit(name: LimitFlag, min = 1, max = 1_000_000): number {
  return integerOption(name, values[name], min, max);
}

const app = await startQuizApp({
  port: integerOption('port', values.port, 0, 65535),
  host: values.host,
  dbPath: values.db,
  ...(values['public-url'] ? { publicUrl: values['public-url'].replace(/\/$/, '') } : {}),
  ...(values.transports ? { transports: values.transports.split(',') as TransportName[] } : {}),
  sessionsPerAddress: limit('sessions-per-address'),
  maxPlayers: limit('max-players'),
  joinsPerMinute: limit('joins-per-minute'),
  sessionsPerSeat: limit('sessions-per-seat', 1, 100),
  hostFailuresPerMinute: limit('host-failures-per-minute'),
  hostTokenTtlMs: limit('host-token-hours', 1, 24 * 365) * 3_600_000,
  unknownCodesPerMinute: limit('unknown-codes-per-minute'),
  requestTimeoutMs: limit('request-timeout-ms', 1000, 3_600_000),
  headersTimeoutMs: limit('headers-timeout-ms', 1000, 3_600_000),
  maxConnections: limit('max-connections'),
  bodyLimitBytes: limit('body-limit-bytes', 1024, 1 << 30),
  uploadLimitBytes: limit('upload-limit-bytes', 1024, 1 << 30),
  blockedNicknameWords: wordList(values['blocked-nicknames']),
  logger: false,
}).catch((error: unknown) => {
  // A taken port, an unreadable database, a short QUIZ_HOST_PASSWORD: one line, not a stack trace.
  console.error(`the quiz could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

// Ctrl-C works from the moment the links are printed.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log('stopping: answers still queued are stored first');
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}

console.log(`baro live quiz on ${app.url}`);
console.log(`  host:    ${app.hostUrl}`);
if (app.demo) console.log(`  players: ${app.demo.joinUrl}   (join code ${app.demo.code})`);
console.log(`  data:    ${values.db}`);
