#!/usr/bin/env node
// A SockJS server for the official sockjs-client (and its protocol test suite), with four prefixes:
//   /echo                     echoes every message (response_limit 4096, so streams roll over often)
//   /disabled_websocket_echo  the same without WebSocket transports
//   /cookie_needed_echo       the same with the JSESSIONID cookie on
//   /close                    closes every new session at once with 3000 "Go away!"
// Usage: node examples/sockjs-server.mjs --port 8081 [--host 127.0.0.1] [--sockjs-url URL]
// --sockjs-url is the client script the iframe page loads (iframe transports); it must be the same
// sockjs-client version the page uses.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { createServer as createSockJSServer } from '@baro/sockjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8081' },
    host: { type: 'string', default: '127.0.0.1' },
    'sockjs-url': { type: 'string' },
  },
});

const http = createServer((_request, response) => {
  response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
});
// Upgrades no prefix took: nothing else speaks WebSocket here.
http.on('upgrade', (_request, socket) => socket.destroy());

const common = { response_limit: 4096, sockjs_url: values['sockjs-url'] };
const echo = (connection) => connection.on('data', (message) => connection.write(message));
const prefixes = {
  '/echo': { options: {}, onConnection: echo },
  '/disabled_websocket_echo': { options: { websocket: false }, onConnection: echo },
  '/cookie_needed_echo': { options: { jsessionid: true }, onConnection: echo },
  '/close': { options: {}, onConnection: (connection) => connection.close(3000, 'Go away!') },
};
const servers = Object.entries(prefixes).map(([prefix, { options, onConnection }]) => {
  const server = createSockJSServer({ ...common, ...options, prefix });
  server.on('connection', onConnection);
  server.installHandlers(http);
  return server;
});

await new Promise((resolve) => http.listen(Number(values.port), values.host, resolve));
const { address, port } = http.address();
console.log(`baro SockJS server on http://${address}:${port} (${Object.keys(prefixes).join(', ')})`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await Promise.all(servers.map((server) => server.close()));
    http.close();
    http.closeAllConnections();
    process.exit(0);
  });
}
