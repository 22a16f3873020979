// Anchor server: uWebSockets.js (@trufflesuite/uws-js-unofficial build, loads on Node 20).
//   node bench/servers/uws.mjs --port 9001 [--deflate]
// Broadcast uses uWS's idiomatic fast path: every socket subscribes to one topic
// in open(), and a broadcast is a single app.publish() (frame built once in C++).
import { createRequire } from 'node:module';
import { parseArgs, intArg, announce, HOST } from '../lib/cli.mjs';

const require = createRequire(import.meta.url);
const uWS = require('@trufflesuite/uws-js-unofficial');

const args = parseArgs();
const port = intArg(args, 'port', 8080);
const deflate = Boolean(args.deflate);
const TOPIC = 'all';
const B = [0x62, 0x72, 0x6f, 0x61, 0x64, 0x63, 0x61, 0x73, 0x74, 0x3a]; // "broadcast:"

function isBroadcast(ab) {
  if (ab.byteLength < 10) return false;
  const u8 = new Uint8Array(ab, 0, 10);
  for (let i = 0; i < 10; i++) if (u8[i] !== B[i]) return false;
  return true;
}

const app = uWS.App();
app.ws('/*', {
  compression: deflate ? (uWS.SHARED_COMPRESSOR | uWS.SHARED_DECOMPRESSOR) : uWS.DISABLED,
  maxPayloadLength: 64 * 1024 * 1024,
  maxBackpressure: 16 * 1024 * 1024, // default 64 KiB would drop pipelined 64 KiB echoes
  idleTimeout: 0, // no idle close / automatic pings during the idle-memory test
  open(ws) { ws.subscribe(TOPIC); },
  message(ws, message, isBinary) {
    // `message` is only valid during this callback; send/publish copy it.
    if (!isBinary && isBroadcast(message)) {
      app.publish(TOPIC, new Uint8Array(message, 10), false, deflate);
      return;
    }
    ws.send(message, isBinary, deflate);
  },
});

app.listen(HOST, port, (token) => {
  if (!token) { console.error(`uws: failed to listen on ${HOST}:${port}`); process.exit(1); }
  const native = String(uWS.App).includes('[native code]');
  announce({ server: 'uws', version: require('@trufflesuite/uws-js-unofficial/package.json').version,
    port, deflate, native, broadcast: 'app.publish(topic) with every socket subscribed in open()' });
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
