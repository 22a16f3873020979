/**
 * A node in its own process, for tests that SIGKILL it: joins `session` to `room` on the
 * RedisPresence at `url`, says `ready`, and keeps refreshing until it is killed.
 * Usage: node presence-node.js <url> <prefix> <nodeId> <ttlMs> <room> <session>
 */
import { RedisPresence } from '../redis-presence.js';

const [url, prefix, nodeId, ttlMs, room, session] = process.argv.slice(2);
const presence = new RedisPresence({ url, prefix, nodeId, ttlMs: Number(ttlMs) });
await presence.add(room, session, { pid: process.pid });
process.stdout.write('ready\n');
// The refresh timer is unref'd: this keeps the process alive until the test kills it.
setInterval(() => {}, 1 << 30);
