#!/usr/bin/env node
/** `npm start`: the live quiz on http://localhost:3000 with the demo quiz loaded. */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { TransportName } from '@baro/client';
import { parseWordList } from './domain/nickname-filter.js';
import { DEFAULT_MAX_PLAYERS } from './live/live-room.js';
import { startQuizApp } from './quiz-app.js';

const USAGE = `Usage: npm start -- [--port 3000] [--host 0.0.0.0] [--db data/quiz.db] [--public-url http://192.168.0.10:3000] [--transports sse,long-polling] [--sessions-per-address 1000] [--max-players ${DEFAULT_MAX_PLAYERS}] [--blocked-nicknames words.txt]
--blocked-nicknames: a file of words (one a line, # comments) that no nickname may contain.
The host password comes from QUIZ_HOST_PASSWORD, else from <db>.host-password (created on first start).`;

function readArgs() {
  try {
    return parseArgs({
      options: {
        port: { type: 'string', default: process.env.PORT ?? '3000' },
        host: { type: 'string', default: '0.0.0.0' },
        db: { type: 'string', default: process.env.QUIZ_DB ?? 'data/quiz.db' },
        'public-url': { type: 'string' },
        transports: { type: 'string' },
        'sessions-per-address': { type: 'string', default: '1000' },
        'max-players': { type: 'string', default: String(DEFAULT_MAX_PLAYERS) },
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

const app = await startQuizApp({
  port: integerOption('port', values.port, 0, 65535),
  host: values.host,
  dbPath: values.db,
  ...(values['public-url'] ? { publicUrl: values['public-url'].replace(/\/$/, '') } : {}),
  ...(values.transports ? { transports: values.transports.split(',') as TransportName[] } : {}),
  sessionsPerAddress: integerOption('sessions-per-address', values['sessions-per-address'], 1, 1_000_000),
  maxPlayers: integerOption('max-players', values['max-players'], 1, 1_000_000),
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
