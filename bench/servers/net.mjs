// Ceiling: a raw node:net byte echo. No handshake, no framing, no unmasking:
// whatever arrives is written back. The load generator talks to it in --raw mode
// (no HTTP upgrade) and its frame reader accepts the masked frames that come back.
//   node bench/servers/net.mjs --port 9001
import net from 'node:net';
import { parseArgs, intArg, announce, HOST } from '../lib/cli.mjs';

const args = parseArgs();
const port = intArg(args, 'port', 8080);

const server = net.createServer({ noDelay: true }, (sock) => {
  sock.on('error', () => {});
  // No read pause on write backpressure, like ws and uWS (and the load generator
  // bounds the bytes in flight per connection anyway). Pausing here made the
  // receive window close and stalled 64 KiB echoes for tens of ms.
  sock.on('data', (chunk) => { sock.write(chunk); });
});
server.on('error', (err) => { console.error(err); process.exit(1); });
server.listen({ host: HOST, port, backlog: 4096 }, () => announce({ server: 'net', port, note: 'raw TCP byte echo' }));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
