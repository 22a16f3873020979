/**
 * Target: a SockJS echo server (@baro/sockjs at prefix `/echo`, as examples/sockjs-server.mjs
 * serves it) in its own process, so the attack suite reads its RSS. Options (JSON, argv[2]) go to
 * `createServer` as they are; the defaults are the library's. It reports where it listens; a
 * session's end is reported as a close with code 0 (SockJS connections end without a code here).
 */
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer, type SockJSServerOptions } from '@baro/sockjs';
import { onParentRequest, reportToParent } from './ipc.js';

const options = JSON.parse(process.argv[2] ?? '{}') as SockJSServerOptions;
const http = createHttpServer((_request, response) => response.writeHead(404).end());
const sockjs = createServer({ ...options, prefix: '/echo' });
let open = 0;
sockjs.on('connection', (connection) => {
  open++;
  connection.on('data', (message) => connection.write(message));
  connection.on('close', () => {
    open--;
    reportToParent({ type: 'close', code: 0, reason: 'session ended' });
  });
});
sockjs.installHandlers(http);

onParentRequest((query) => (query === 'sessions' ? open : undefined));
http.listen(0, '127.0.0.1', () => reportToParent({ type: 'ready', port: (http.address() as AddressInfo).port }));
