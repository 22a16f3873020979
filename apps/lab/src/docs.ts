import type { RunResult } from './lab.js';
import type { PeerResult } from './p2p.js';
import { markdownTable, peerTable } from './report.js';
import type { WorkloadName } from './shared.js';

const WORKLOAD_TITLES: Record<WorkloadName, string> = {
  quiz: 'Quiz: one server → client event every 2 s',
  chat: 'Chat: 10 messages/s each way per client',
  burst: 'Burst: 1,000 server → client messages at once',
};

const num = (value: number | undefined, digits = 0): string =>
  value === undefined || !Number.isFinite(value) ? '–' : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** "quiz 1,234 B, chat 456 B" for one variant and one field. */
function across(results: readonly RunResult[], variant: string, pick: (result: RunResult) => number, unit: string, digits = 0): string {
  const found = results.filter((result) => result.variant === variant);
  return found.length === 0 ? '(not run)' : found.map((result) => `${result.workload} ${num(pick(result), digits)}${unit}`).join(', ');
}

const PARAGRAPHS: Array<{ variant: string; text: (results: readonly RunResult[]) => string }> = [
  {
    variant: 'polling 1 s',
    text: (r) =>
      `**Polling every second** asks whether there is anything new whether or not there is (bytes per delivered message: ${across(r, 'polling 1 s', (x) => x.bytesPerMessage, ' B')}; requests per message: ${across(r, 'polling 1 s', (x) => x.requestsPerMessage, '', 2)}). ` +
      `Most answers are empty when events are rare, every request pays a full HTTP request and response head, and a message waits on average half the interval before it is picked up (p50 ${across(r, 'polling 1 s', (x) => x.latency.p50, ' ms')}). ` +
      `It is the right choice only where nothing may stay open: proxies or serverless platforms that kill idle or long requests, clients that wake up now and then, or updates nobody needs within the second. It is also the transport that always works, which is why baro keeps it as the last fallback.`,
  },
  {
    variant: 'polling 100 ms',
    text: (r) =>
      `**Polling every 100 ms** buys latency with bandwidth and server CPU: ${across(r, 'polling 100 ms', (x) => x.bytesPerMessage, ' B')} per delivered message, ${across(r, 'polling 100 ms', (x) => x.requestsPerMessage, '', 1)} requests per message and ${across(r, 'polling 100 ms', (x) => x.cpuMsPer1000, ' ms', 0)} of server CPU per 1,000 messages, almost all of it spent answering "nothing new". ` +
      `This is the seed's point about polling wasting resources, measured. Don't: if a transport that stays open is possible at all, long-polling gives the same latency for a fraction of the cost.`,
  },
  {
    variant: 'long-polling',
    text: (r) =>
      `**Long-polling** holds each request until there is something to send (or 25 s pass), so requests track messages instead of the clock: ${across(r, 'long-polling', (x) => x.requestsPerMessage, '', 2)} requests per message, ${across(r, 'long-polling', (x) => x.bytesPerMessage, ' B')} per message, p50 latency ${across(r, 'long-polling', (x) => x.latency.p50, ' ms', 1)}. ` +
      `Each delivery still costs a full request and response head, which is the seed's complaint about HTTP's large headers; under a burst the queue is drained in a few large responses, so the cost per message falls. ` +
      `Use it where streaming responses are buffered or cut (some corporate proxies, old load balancers) but requests may be held for a while.`,
  },
  {
    variant: 'SSE',
    text: (r) =>
      `**Server-sent events** keep one response open and write each event into it (\`id:\` and \`data:\` lines plus chunked framing), so downstream needs no new request per message (latency p50 ${across(r, 'SSE', (x) => x.latency.p50, ' ms', 1)}). ` +
      `What the client says goes up in separate POSTs, each with a full HTTP head: chat messages, heartbeat answers and — in baro's client — a receipt (\`["r", seq]\`) every 5 s or every 100 events, which lets the server trim its replay buffer; so for sparse events SSE costs well under long-polling's one GET per event, while in a burst long-polling's few large answers come out ahead (${across(r, 'SSE', (x) => x.bytesPerMessage, ' B')} vs ${across(r, 'long-polling', (x) => x.bytesPerMessage, ' B')} per message; requests per message ${across(r, 'SSE', (x) => x.requestsPerMessage, '', 2)}). ` +
      `SSE is the right choice where only the server speaks — feeds, dashboards, notifications, a quiz's questions — and where WebSocket is blocked, since it is plain HTTP that proxies understand and that the browser reconnects by itself.`,
  },
  {
    variant: 'WebSocket',
    text: (r) =>
      `**WebSocket** pays one HTTP handshake per connection and then 2–14 bytes of framing per message in each direction (client frames carry a 4-byte mask): ${across(r, 'WebSocket', (x) => x.bytesPerMessage, ' B')} per delivered message, ${across(r, 'WebSocket', (x) => x.requestsPerMessage, '', 3)} requests per message (the upgrade, amortised), p99 latency ${across(r, 'WebSocket', (x) => x.latency.p99, ' ms', 1)}. ` +
      `Receipts, heartbeats and the client's own messages are small frames on the same connection instead of new requests, which is the seed's argument for WebSocket in numbers. It is the default for anything interactive in both directions (chat, games, collaborative editing, the quiz's answers).`,
  },
  {
    variant: 'WebSocket + deflate',
    text: (r) =>
      `**WebSocket with permessage-deflate** (RFC 7692, here with context takeover and a threshold of 0 so that even small messages are compressed) cuts the payload further — repetitive JSON compresses well against the previous messages — to ${across(r, 'WebSocket + deflate', (x) => x.bytesPerMessage, ' B')} per message, ` +
      `for ${across(r, 'WebSocket + deflate', (x) => x.cpuMsPer1000, ' ms')} of server CPU per 1,000 messages (vs ${across(r, 'WebSocket', (x) => x.cpuMsPer1000, ' ms')} without) and a zlib context per connection (memory). ` +
      `Worth it for large or repetitive messages, metered or mobile links and many small similar events; not for tiny messages on a LAN, or when memory per connection is the constraint. baro's default threshold (1 KiB) leaves small messages uncompressed.`,
  },
];

/** The peer-to-peer section: what the server pays when browsers talk to each other, direct or relayed. */
export function peersMarkdown(results: readonly PeerResult[]): string {
  if (results.length === 0) return '';
  const by = (mode: string) => results.find((result) => result.mode === mode);
  const direct = by('direct');
  const relayed = by('relayed');
  const first = results[0]!;
  const figures = (r: PeerResult | undefined, pick: (r: PeerResult) => number, unit: string, digits = 0) => (r ? `${num(pick(r), digits)}${unit}` : '(not run)');
  return `## Peer to peer: direct versus relayed

${first.peers} Chromium pages (Debian's, real \`RTCPeerConnection\`) join one mesh with
\`@baro/client/peers\` and send each other ${num((first.sent / first.peers / Math.max(1, first.peers - 1)))} messages each way per pair
at a fixed rate, once over **direct** WebRTC data channels (host candidates on this machine) and once
**relayed** through the server (\`direct: false\`, the path a peer falls back to when ICE fails).
Server bytes are counted at its sockets while the messages flow (the mesh's setup — sessions, joins,
offers, answers, ICE candidates — is the separate "setup B" column); CPU is the server child's;
latency runs from the sender's \`emit\` to the receiver's handler, page to page.

${peerTable(results, true)}

![Server bytes per message, peer to peer](lab/p2p-bytes.svg)

![Peer-to-peer latency](lab/p2p-latency.svg)

Direct, the server pays for the setup (${figures(direct, (r) => r.setupBytes, ' B')} for the mesh, of which ${figures(direct, (r) => r.signallingBytes, ' B')} of signals) and then
next to nothing per message (${figures(direct, (r) => r.bytesPerMessage, ' B', 1)}: a heartbeat now and then), and messages arrive in ${figures(direct, (r) => r.latency.p50, ' ms', 1)} (p50).
Relayed, every message crosses it twice — up as a relayed batch the server acknowledges, down as an
event the receiving session numbers and receipts — plus the peers' own acknowledgements of the reliable
stream: ${figures(relayed, (r) => r.bytesPerMessage, ' B', 1)} and ${figures(relayed, (r) => r.cpuMsPer1000, ' ms', 1)} of server CPU per 1,000 messages, p50 ${figures(relayed, (r) => r.latency.p50, ' ms', 1)}.
That is the seed's claim measured: once a direct path is up the server carries (almost) nothing, and
a mesh of n pages costs it n(n−1) relayed streams otherwise. The relay is the fallback that always
works (no TURN server, UDP blocked, a platform without WebRTC); a TURN server (see the README's
coturn section) keeps such pairs off the app server at the cost of running it.
`;
}

export function transportsMarkdown(results: readonly RunResult[], run: { quick: boolean; command: string; peersCommand?: string }, peers: readonly PeerResult[] = []): string {
  const workloads = [...new Set(results.map((result) => result.workload))];
  const sections = workloads.map((workload) => {
    const rows = results.filter((result) => result.workload === workload);
    const first = rows[0]!;
    return `### ${WORKLOAD_TITLES[workload]}\n\n${first.clients} clients, ${num(first.emitted)} server messages${first.sentUp > 0 ? ` and ${num(first.sentUp / first.clients)} messages per client upstream` : ''}.\n\n${markdownTable(rows)}`;
  });
  return `# Transports, measured

<!-- Generated by \`npm run lab${run.command ? ` -- ${run.command}` : ''}\`${run.peersCommand ? `, the peer-to-peer section by \`npm run lab -- ${run.peersCommand}\`` : ''} (apps/lab). Do not edit by hand: run the lab again. -->

baro carries a session over polling, long-polling, SSE or WebSocket. The lab (\`npm run lab\`) runs the
same workloads over each of them against a real \`BaroServer\` on 127.0.0.1 with real Node clients
(\`@baro/client\`), and measures what the seed argues about: what each exchange costs on the wire,
how many HTTP requests it takes, and how late messages arrive.${run.quick ? '\n\n**These figures come from a `--quick` run** (few clients, short runs): setup costs weigh more than in a full run.' : ''}

## How it is measured

- **Bytes** are counted at the server's TCP sockets (\`net.Socket\` \`bytesRead\`/\`bytesWritten\`, read
  when each socket closes and at the end of the run): request and response heads, chunked framing,
  WebSocket handshakes and frames, heartbeats and receipts are all in, nothing is estimated. ↓ is
  server → client, ↑ client → server. Both are divided by the messages delivered (server → client
  deliveries plus, for chat, client → server messages handled), including session setup.
- **Requests** are every HTTP request the server parsed (Node's \`http.server.request.start\`
  diagnostics channel) plus WebSocket upgrades. **Empty polls** are poll responses (short or long)
  that carried no event, counted by the client.
- **Latency** runs from the server's \`emit\` to the client's handler: the emit time is in the
  payload, both read the same system clock (\`performance.timeOrigin + performance.now()\`).
- **CPU** is the server's user + system time (\`process.cpuUsage\`) from listening to the end of the
  run, per 1,000 delivered messages. The server runs in a child process so that this is its CPU
  alone: the clients, in the lab process, would otherwise dominate it.
- Node's \`fetch\` (undici) sends lean headers (about 150 bytes per request); a browser adds a user
  agent, cookies, \`Accept-*\` and \`Sec-Fetch-*\` headers, often 500–1,000 bytes more per request,
  which widens every gap between the HTTP transports and WebSocket shown here.

## Results

${sections.join('\n\n')}

![Bytes per delivered message](lab/bytes-per-message.svg)

![Latency p50 and p99](lab/latency.svg)

![Requests per delivered message](lab/requests-per-message.svg)

## What the numbers mean, and when to use which

${PARAGRAPHS.map((paragraph) => paragraph.text(results)).join('\n\n')}
${peers.length > 0 ? `\n${peersMarkdown(peers)}` : ''}`;
}
