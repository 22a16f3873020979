/**
 * npm run lab [-- --workload quiz|chat|burst|p2p] [--clients N] [--duration S] [--peers N] [--rate R] [--quick] [--json] [--no-docs]
 *
 * Runs each workload over every transport against a real BaroServer (in a child process) with real
 * Node clients, prints a table per workload, and writes docs/lab/*.svg and docs/transports.md.
 * `p2p` runs Chromium pages in a peer-to-peer mesh, direct then relayed (`--peers` pages, `--rate`
 * messages per second per pair). A run of only some workloads keeps the others' last results
 * (docs/lab/results.json, docs/lab/p2p-results.json) in the document.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { bytesChart, latencyChart, peerBytesChart, peerLatencyChart, renderSvg, requestsChart } from './charts.js';
import { transportsMarkdown } from './docs.js';
import { runWorkload, WORKLOAD_DEFAULTS, type RunResult } from './lab.js';
import { PEER_DEFAULTS, PEER_QUICK, runPeerToPeer, type PeerResult } from './p2p.js';
import { peerTable, textTable } from './report.js';
import type { WorkloadName } from './shared.js';

const { values } = parseArgs({
  options: {
    workload: { type: 'string', multiple: true },
    clients: { type: 'string' },
    duration: { type: 'string' },
    peers: { type: 'string' },
    rate: { type: 'string' },
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'no-docs': { type: 'boolean', default: false },
    out: { type: 'string', default: new URL('../../../', import.meta.url).pathname },
  },
});

const requested = values.workload?.length ? values.workload : ['quiz', 'chat', 'burst', 'p2p'];
for (const workload of requested) if (!(workload in WORKLOAD_DEFAULTS) && workload !== 'p2p') throw new Error(`unknown workload ${workload}: quiz, chat, burst or p2p`);
const workloads = requested.filter((workload) => workload !== 'p2p') as WorkloadName[];
const withPeers = requested.includes('p2p');
// --quick: 10 clients, the quiz over 10 s (5 questions), chat over 3 s: the whole lab in about 2 minutes.
const QUICK: Record<WorkloadName, { clients: number; duration: number }> = { quiz: { clients: 10, duration: 10 }, chat: { clients: 5, duration: 3 }, burst: { clients: 5, duration: 0 } };
const log = (line: string): void => void (values.json ? process.stderr : process.stdout).write(`${line}\n`);

const all: RunResult[] = [];
for (const workload of workloads) {
  const defaults = values.quick ? QUICK[workload] : WORKLOAD_DEFAULTS[workload];
  const clients = values.clients ? Number(values.clients) : defaults.clients;
  const duration = values.duration ? Number(values.duration) : defaults.duration;
  log(`\n${workload}: ${clients} clients${workload === 'burst' ? ', 1,000 messages at once' : `, ${duration} s`}`);
  const results = await runWorkload({ workload, clients, duration, log });
  all.push(...results);
  log(textTable(results));
}

let peers: PeerResult[] = [];
if (withPeers) {
  const defaults = values.quick ? PEER_QUICK : PEER_DEFAULTS;
  const options = {
    peers: values.peers ? Number(values.peers) : defaults.peers,
    duration: values.duration ? Number(values.duration) : defaults.duration,
    rate: values.rate ? Number(values.rate) : defaults.rate,
  };
  log(`\np2p: ${options.peers} Chromium pages in a mesh, ${options.rate} messages/s per pair each way, ${options.duration} s`);
  peers = await runPeerToPeer({ ...options, log });
  log(peerTable(peers));
}

if (values.json) process.stdout.write(`${JSON.stringify(withPeers ? { transports: all, peers } : all, null, 2)}\n`);

if (!values['no-docs']) {
  const root = values.out!.replace(/\/?$/, '/');
  await mkdir(`${root}docs/lab`, { recursive: true });
  const written: string[] = [];
  const readPrevious = async <T>(file: string): Promise<T[]> => (existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as T[]) : []);
  if (workloads.length > 0) {
    const charts = { 'bytes-per-message': bytesChart(all), latency: latencyChart(all), 'requests-per-message': requestsChart(all) };
    for (const [name, spec] of Object.entries(charts)) await writeFile(`${root}docs/lab/${name}.svg`, await renderSvg(spec));
    await writeFile(`${root}docs/lab/results.json`, `${JSON.stringify(all, null, 2)}\n`);
    written.push('results.json', ...Object.keys(charts).map((name) => `${name}.svg`));
  }
  if (withPeers) {
    const charts = { 'p2p-bytes': peerBytesChart(peers), 'p2p-latency': peerLatencyChart(peers) };
    for (const [name, spec] of Object.entries(charts)) await writeFile(`${root}docs/lab/${name}.svg`, await renderSvg(spec));
    await writeFile(`${root}docs/lab/p2p-results.json`, `${JSON.stringify(peers, null, 2)}\n`);
    written.push('p2p-results.json', ...Object.keys(charts).map((name) => `${name}.svg`));
  }
  // The workloads not run this time keep their last results.
  const transports = workloads.length > 0 ? all : await readPrevious<RunResult>(`${root}docs/lab/results.json`);
  const mesh = withPeers ? peers : await readPrevious<PeerResult>(`${root}docs/lab/p2p-results.json`);
  const command = process.argv.slice(2).join(' ');
  let run = { quick: values.quick, command, peersCommand: undefined as string | undefined };
  if (workloads.length === 0) {
    // Only the peers ran: the header keeps how the transport figures were made.
    const previous = existsSync(`${root}docs/transports.md`) ? await readFile(`${root}docs/transports.md`, 'utf8') : '';
    const header = /Generated by `npm run lab(?: -- ([^`]*))?`/.exec(previous);
    run = { quick: previous.includes('come from a `--quick` run'), command: header?.[1] ?? '', peersCommand: command };
  }
  await writeFile(`${root}docs/transports.md`, transportsMarkdown(transports, run, mesh));
  log(`\nwrote ${root}docs/transports.md and docs/lab/{${written.join(',')}}`);
}
