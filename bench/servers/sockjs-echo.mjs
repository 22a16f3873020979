#!/usr/bin/env node
// SockJS echo at /echo with default options (response_limit 128 KiB), on baro's @baro/sockjs or on
// the reference server (sockjs 0.3.24), so bench/sockjs.mjs compares like with like.
// Usage: node bench/servers/sockjs-echo.mjs --impl baro|reference --port P
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { impl: { type: 'string', default: 'baro' }, port: { type: 'string', default: '0' } } });
const http = createServer((_request, response) => response.writeHead(404).end());
// Every bench connection comes from 127.0.0.1: lift the per-address cap (the reference has none).
const options = { prefix: '/echo', log: () => {}, limits: { maxSessionsPerAddress: 1_000_000 } };
const server = values.impl === 'reference'
  ? createRequire(import.meta.url)('sockjs').createServer(options)
  : (await import('@baro/sockjs')).createServer(options);
server.on('connection', (connection) => connection.on('data', (message) => connection.write(message)));
server.installHandlers(http);
http.listen(Number(values.port), '127.0.0.1', () => console.log(JSON.stringify({ port: http.address().port })));
