// N real @baro/client clients over WebSocket that only stay connected, for bench/quiz-heartbeat.mjs.
//   node bench/load/heartbeat-clients.mjs --port P --clients N
// Prints {"event":"open","clients":N} once all are open, then {"event":"state",...} counts on "count".
import readline from 'node:readline';
import { connect } from '@baro/client';
import { WebSocket } from 'baro';
import { parseArgs, intArg, HOST } from '../lib/cli.mjs';

const args = parseArgs();
const port = intArg(args, 'port', 8080);
const total = intArg(args, 'clients', 1000);
const batch = 100;
const clients = [];
for (let i = 0; i < total; i += batch) {
  const opened = [];
  for (let j = i; j < Math.min(total, i + batch); j++) {
    const client = connect(`http://${HOST}:${port}`, { WebSocket, transports: ['websocket'] });
    clients.push(client);
    opened.push(new Promise((resolve, reject) => {
      const stop = client.onState((event) => {
        if (event.type === 'open') { stop(); resolve(); }
        else if (event.type === 'closed') { stop(); reject(new Error(event.reason)); }
      });
    }));
  }
  await Promise.all(opened);
}
console.log(JSON.stringify({ event: 'open', clients: clients.length }));
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'count') return;
  const open = clients.filter((client) => client.state === 'open').length;
  console.log(JSON.stringify({ event: 'state', open, notOpen: clients.length - open }));
});
process.once('SIGTERM', () => process.exit(0));
