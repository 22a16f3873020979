#!/usr/bin/env node
// A shared whiteboard between browser tabs, peer to peer: open http://127.0.0.1:3000 in two or
// more tabs and draw. Strokes go over WebRTC data channels when a direct path comes up, else through
// the server's relay; each tab lists its peers and the path each one uses. The server only signals
// (and relays when it must): it never sees what goes direct. /stats shows its byte counters.
// Usage: node examples/whiteboard-server.mjs [--port 3000] [--host 127.0.0.1] [--stun stun:host:3478]
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { BaroServer, enablePeers } from 'baro';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '3000' }, host: { type: 'string', default: '127.0.0.1' }, stun: { type: 'string' } },
});
const dist = new URL('../packages/client/dist/', import.meta.url);
const assets = {
  '/baro-client.js': readFileSync(new URL('baro-client.min.js', dist)),
  '/baro-peers.js': readFileSync(new URL('baro-peers.min.js', dist)),
};
const iceServers = values.stun ? [{ urls: values.stun }] : [];

const page = `<!doctype html>
<meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>baro whiteboard</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 1rem; }
  canvas { border: 1px solid #888; touch-action: none; display: block; margin-top: .5rem; }
  .direct { color: #060; } .relay { color: #a60; } .connecting { color: #666; }
</style>
<p>me: <b id="me">connecting…</b> · strokes drawn here go to every peer below</p>
<ul id="peers"></ul>
<canvas id="board" width="640" height="400"></canvas>
<script type="module">
  import { connect } from '/baro-client.js';
  import { createPeers } from '/baro-peers.js';
  const client = connect(location.origin);
  const board = document.getElementById('board');
  const ink = board.getContext('2d');
  const list = document.getElementById('peers');
  const line = ({ from, to, color }) => {
    ink.strokeStyle = color;
    ink.lineWidth = 3;
    ink.beginPath();
    ink.moveTo(from[0], from[1]);
    ink.lineTo(to[0], to[1]);
    ink.stroke();
  };
  const render = () => {
    list.replaceChildren(...peers.list.map((peer) => {
      const item = document.createElement('li');
      item.dataset.peer = peer.id;
      item.className = peer.path;
      item.textContent = peer.id.slice(0, 8) + ': ' + peer.path;
      return item;
    }));
  };
  const peers = createPeers(client, { iceServers: ${JSON.stringify(iceServers)} });
  window.whiteboard = { peers, strokes: 0, line: (segment) => draw(segment) };
  peers.onPeer((peer) => {
    peer.on('line', (segment) => {
      window.whiteboard.strokes++;
      line(segment);
    });
    peer.onState(render);
    render();
  });
  const color = 'hsl(' + Math.floor(Math.random() * 360) + ' 70% 40%)';
  const draw = (segment) => {
    line(segment);
    for (const peer of peers.list) peer.emit('line', segment);
  };
  let last = null;
  const at = (event) => [event.offsetX, event.offsetY];
  board.onpointerdown = (event) => (last = at(event));
  board.onpointerup = board.onpointerleave = () => (last = null);
  board.onpointermove = (event) => {
    if (!last) return;
    const next = at(event);
    draw({ from: last, to: next, color });
    last = next;
  };
  client.onState(async (event) => {
    if (event.type !== 'open' || event.resumed) return;
    document.getElementById('me').textContent = client.sessionId.slice(0, 8);
    await peers.joinMesh('board');
    render();
  });
</script>`;

const http = createServer((request, response) => {
  const asset = assets[request.url];
  if (asset) {
    response.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(asset);
  } else if (request.url === '/') {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
  } else if (request.url === '/stats') {
    // What crossed the server for the peers: signalling, and what it had to relay.
    response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(peers.counters));
  } else {
    response.writeHead(404).end();
  }
});

const baro = new BaroServer({ server: http });
// Anyone who opens the page may join the board's mesh.
const peers = enablePeers(baro, { authorizeJoin: (_session, room) => room === 'board' });

http.listen(Number(values.port), values.host, () => {
  const { address, port } = http.address();
  console.log(`baro whiteboard on http://${address}:${port}`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await baro.close({ timeout: 1000 });
    http.close();
    process.exit(0);
  });
}
