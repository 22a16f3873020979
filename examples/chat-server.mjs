#!/usr/bin/env node
// A chat room on baro sessions: open http://127.0.0.1:3000 in a few tabs. The page uses the browser
// bundle of @baro/client, which picks WebSocket, SSE, long-polling or polling by itself.
// Usage: node examples/chat-server.mjs [--port 3000] [--host 127.0.0.1]
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { BaroServer } from 'baro';

const { values } = parseArgs({ options: { port: { type: 'string', default: '3000' }, host: { type: 'string', default: '127.0.0.1' } } });
const bundle = readFileSync(new URL('../packages/client/dist/baro-client.min.js', import.meta.url));

const page = `<!doctype html>
<meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>baro chat</title>
<p>transport: <b id="transport">connecting…</b></p>
<ul id="log"></ul>
<form id="form"><input id="text" autocomplete="off" maxlength="500" required><button>Send</button></form>
<script type="module">
  import { connect } from '/baro-client.js';
  const client = connect(location.origin);
  const log = document.getElementById('log');
  const say = (line) => log.append(Object.assign(document.createElement('li'), { textContent: line }));
  client.onState(() => (document.getElementById('transport').textContent = client.transport ?? client.state));
  client.on('message', ({ from, text }) => say(from + ': ' + text));
  document.getElementById('form').onsubmit = (event) => {
    event.preventDefault();
    const input = document.getElementById('text');
    client.emit('message', input.value);
    input.value = '';
  };
</script>`;

const http = createServer((request, response) => {
  if (request.url === '/baro-client.js') {
    response.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(bundle);
  } else if (request.url === '/') {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
  } else {
    response.writeHead(404).end();
  }
});

const chat = new BaroServer({ server: http });
chat.on('connection', (session) => {
  session.join('lobby');
  const from = `guest-${session.id.slice(0, 4)}`;
  session.on('message', (text) => {
    if (typeof text !== 'string' || text.length === 0 || text.length > 500) return;
    chat.to('lobby').emit('message', { from, text });
  });
});

http.listen(Number(values.port), values.host, () => {
  const { address, port } = http.address();
  console.log(`baro chat on http://${address}:${port}`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await chat.close({ timeout: 1000 });
    http.close();
    process.exit(0);
  });
}
