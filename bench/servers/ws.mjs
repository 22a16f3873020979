// Anchor server: `ws` echo + broadcast. Same CLI as examples/echo-server.mjs.
//   node bench/servers/ws.mjs --port 9001 [--deflate]
// With WS_NO_BUFFER_UTIL=1 in the environment ws skips the bufferutil addon
// (ws reads the variable when lib/buffer-util.js is first loaded).
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs, intArg, announce, HOST } from '../lib/cli.mjs';

const require = createRequire(import.meta.url);
const { WebSocketServer, WebSocket } = require('ws');

const args = parseArgs();
const port = intArg(args, 'port', 8080);
const deflate = Boolean(args.deflate);

// --- what masking implementation did ws really pick? -------------------------
function maskingImpl() {
  const wsDir = path.dirname(require.resolve('ws'));
  // Same absolute path ws itself requires, so this is ws's own module instance.
  const bu = require(path.join(wsDir, 'lib', 'buffer-util.js'));
  const httpNative = typeof require('node:http').websocketMask === 'function';
  if (httpNative) return { impl: 'node:http websocketMask (built into Node)' };
  if (bu.mask.name === '_mask') {
    return { impl: 'js', reason: process.env.WS_NO_BUFFER_UTIL ? 'WS_NO_BUFFER_UTIL set' : 'bufferutil failed to load' };
  }
  let where = 'unknown';
  try {
    where = require('node-gyp-build').resolve(path.dirname(require.resolve('bufferutil')));
  } catch (e) { where = `unresolved (${e.message})`; }
  return { impl: 'bufferutil native', binary: where };
}

const BROADCAST = Buffer.from('broadcast:');

const wss = new WebSocketServer({
  host: HOST,
  port,
  maxPayload: 64 * 1024 * 1024,
  clientTracking: true, // needed for broadcast
  // ws defaults: threshold 1024 B, zlib concurrency 10, context takeover on.
  perMessageDeflate: deflate ? { threshold: 1024 } : false,
});

wss.on('connection', (ws) => {
  ws.on('error', () => {});
  ws.on('message', (data, isBinary) => {
    // data is a Buffer (binaryType 'nodebuffer', unfragmented in practice).
    if (!isBinary && data.length >= 10 && data[0] === 0x62 && BROADCAST.equals(data.subarray(0, 10))) {
      const payload = data.subarray(10);
      // Idiomatic ws broadcast: iterate wss.clients and send() to each
      // (ws has no public "prepared frame" API, each send frames again).
      for (const client of wss.clients) {
        if (client.readyState === WebSocket.OPEN) client.send(payload, { binary: false });
      }
      return;
    }
    ws.send(data, { binary: isBinary });
  });
});

wss.on('listening', () => {
  announce({ server: 'ws', version: require('ws/package.json').version, port, deflate, masking: maskingImpl() });
});
wss.on('error', (err) => { console.error(err); process.exit(1); });
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
