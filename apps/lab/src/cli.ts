/**
 * npm run lab [-- --workload quiz|chat|burst] [--clients N] [--duration S] [--quick] [--json] [--no-docs]
 *
 * Runs each workload over every transport against a real BaroServer (in a child process) with real
 * Node clients, prints a table per workload, and writes docs/lab/*.svg and docs/transports.md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { bytesChart, latencyChart, renderSvg, requestsChart } from './charts.js';
import { transportsMarkdown } from './docs.js';
import { runWorkload, WORKLOAD_DEFAULTS, type RunResult } from './lab.js';
import { textTable } from './report.js';
import type { WorkloadName } from './shared.js';

const { values } = parseArgs({
  options: {
    workload: { type: 'string', multiple: true },
    clients: { type: 'string' },
    duration: { type: 'string' },
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'no-docs': { type: 'boolean', default: false },
    out: { type: 'string', default: new URL('../../../', import.meta.url).pathname },
  },
});

const workloads = (values.workload?.length ? values.workload : ['quiz', 'chat', 'burst']) as WorkloadName[];
for (const workload of workloads) if (!(workload in WORKLOAD_DEFAULTS)) throw new Error(`unknown workload ${workload}: quiz, chat or burst`);
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

if (values.json) process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);

if (!values['no-docs']) {
  const root = values.out!.replace(/\/?$/, '/');
  await mkdir(`${root}docs/lab`, { recursive: true });
  const charts = { 'bytes-per-message': bytesChart(all), latency: latencyChart(all), 'requests-per-message': requestsChart(all) };
  for (const [name, spec] of Object.entries(charts)) await writeFile(`${root}docs/lab/${name}.svg`, await renderSvg(spec));
  await writeFile(`${root}docs/lab/results.json`, `${JSON.stringify(all, null, 2)}\n`);
  await writeFile(`${root}docs/transports.md`, transportsMarkdown(all, { quick: values.quick, command: process.argv.slice(2).join(' ') }));
  log(`\nwrote ${root}docs/transports.md and ${root}docs/lab/{bytes-per-message,latency,requests-per-message}.svg`);
}
