#!/usr/bin/env node
/** `npm start`: the live quiz on http://localhost:3000 with the demo quiz loaded. */
import { parseArgs } from 'node:util';
import type { TransportName } from '@baro/client';
import { startQuizApp } from './quiz-app.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    host: { type: 'string', default: '0.0.0.0' },
    db: { type: 'string', default: process.env.QUIZ_DB ?? 'data/quiz.db' },
    'public-url': { type: 'string' },
    transports: { type: 'string' },
    'sessions-per-address': { type: 'string', default: '1000' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`Usage: npm start -- [--port 3000] [--host 0.0.0.0] [--db data/quiz.db] [--public-url http://192.168.0.10:3000] [--transports sse,long-polling] [--sessions-per-address 1000]
The host password comes from QUIZ_HOST_PASSWORD, else from <db>.host-password (created on first start).`);
  process.exit(0);
}

const app = await startQuizApp({
  port: Number(values.port),
  host: values.host,
  dbPath: values.db,
  ...(values['public-url'] ? { publicUrl: values['public-url'].replace(/\/$/, '') } : {}),
  ...(values.transports ? { transports: values.transports.split(',') as TransportName[] } : {}),
  sessionsPerAddress: Number(values['sessions-per-address']),
  logger: false,
});

console.log(`baro live quiz on ${app.url}`);
console.log(`  host:    ${app.hostUrl}`);
if (app.demo) console.log(`  players: ${app.demo.joinUrl}   (join code ${app.demo.code})`);
console.log(`  data:    ${values.db}`);

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
