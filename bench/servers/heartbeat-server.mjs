// A BaroServer with nothing to do but keep its sessions alive, for bench/quiz-heartbeat.mjs.
//   node bench/servers/heartbeat-server.mjs --heartbeat MS
// Prints {"event":"listening","port":P}; on a stdin line "measure S" it prints, after S seconds,
// its own CPU time and the bytes its sockets read and wrote in that window.
import { createServer } from 'node:http';
import readline from 'node:readline';
import { BaroServer } from 'baro';
import { parseArgs, intArg, HOST } from '../lib/cli.mjs';

const args = parseArgs();
const http = createServer();
const server = new BaroServer({
  server: http,
  transports: ['websocket'],
  sessionsPerAddress: 1_000_000,
  maxSessions: 1_000_000,
  limits: { heartbeat: intArg(args, 'heartbeat', 25_000) },
});
await new Promise((resolve) => http.listen(0, HOST, resolve));
const sockets = new Set();
http.on('connection', (socket) => {
  sockets.add(socket);
  socket.once('close', () => sockets.delete(socket));
});
const bytes = () => [...sockets].reduce((sum, s) => ({ read: sum.read + s.bytesRead, written: sum.written + s.bytesWritten }), { read: 0, written: 0 });
console.log(JSON.stringify({ event: 'listening', port: http.address().port }));

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const [word, seconds] = line.trim().split(' ');
  if (word !== 'measure') return;
  const cpu0 = process.cpuUsage();
  const bytes0 = bytes();
  const sessions0 = server.sessions.size;
  setTimeout(() => {
    const cpu = process.cpuUsage(cpu0);
    const bytes1 = bytes();
    console.log(JSON.stringify({
      event: 'measured',
      seconds: Number(seconds),
      sessions: server.sessions.size,
      sessionsLost: sessions0 - server.sessions.size,
      cpuMs: (cpu.user + cpu.system) / 1000,
      bytesRead: bytes1.read - bytes0.read,
      bytesWritten: bytes1.written - bytes0.written,
    }));
  }, Number(seconds) * 1000);
});
process.once('SIGTERM', () => process.exit(0));
