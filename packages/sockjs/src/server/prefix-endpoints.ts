import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { iframePage, infoBody } from '../protocol/index.js';
import type { ServerContext } from './context.js';
import { answerText, setCacheForAYear, setCors, setNoCache } from './http-answers.js';

/** What lives under the prefix itself: welcome text, `/info`, the iframe page, the chunking test. */

export function welcome(response: ServerResponse): void {
  answerText(response, 200, 'Welcome to SockJS!\n');
}

export function info(context: ServerContext, request: IncomingMessage, response: ServerResponse): void {
  setCors(request, response);
  setNoCache(response);
  response.setHeader('Content-Type', 'application/json; charset=UTF-8');
  response.writeHead(200);
  response.end(infoBody({ websocket: context.options.websocket, cookieNeeded: context.options.jsessionid }, randomBytes(4).readUInt32LE(0)));
}

export function iframe(context: ServerContext, request: IncomingMessage, response: ServerResponse): void {
  const page = iframePage(context.options.sockjsUrl);
  setCacheForAYear(response);
  if (request.headers['if-none-match'] === page.etag) {
    response.writeHead(304);
    response.end();
    return;
  }
  response.setHeader('Content-Type', 'text/html; charset=UTF-8');
  response.setHeader('ETag', page.etag);
  response.setHeader('Content-Length', Buffer.byteLength(page.body));
  response.writeHead(200);
  response.end(page.body);
}

/** Delays of the reference's chunking test: a client times how its responses arrive. */
const CHUNKING_STEPS: readonly [delay: number, payload: string][] = [
  [0, 'h'],
  [1, ' '.repeat(2048) + 'h'],
  [5, 'h'],
  [25, 'h'],
  [125, 'h'],
  [625, 'h'],
  [3125, 'h'],
];

export function chunkingTest(request: IncomingMessage, response: ServerResponse): void {
  setCors(request, response);
  request.resume();
  response.setHeader('Content-Type', 'application/javascript; charset=UTF-8');
  response.writeHead(200);
  let step = 0;
  let timer: NodeJS.Timeout | undefined;
  const next = (): void => {
    const [delay, payload] = CHUNKING_STEPS[step++];
    timer = setTimeout(() => {
      response.write(payload + '\n');
      if (step < CHUNKING_STEPS.length) next();
      else response.end();
    }, delay);
  };
  response.on('close', () => clearTimeout(timer));
  next();
}
