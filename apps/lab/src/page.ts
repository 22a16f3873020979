import type { RunResult } from './lab.js';
import { COLUMNS, row } from './report.js';
import type { WorkloadName } from './shared.js';

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The lab's own page: the last run's tables and its three charts, for a newcomer who wants to see
 * why the project exists without reading Markdown. Charts are the SVGs the lab rendered.
 */
export function labPage(results: readonly RunResult[], charts: Record<string, string>): string {
  const workloads = [...new Set(results.map((result) => result.workload))] as WorkloadName[];
  const tables = workloads
    .map((workload) => {
      const rows = results.filter((result) => result.workload === workload).map((result) => `<tr>${row(result).map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`);
      return `<h2>${escapeHtml(workload)}</h2><table><thead><tr>${COLUMNS.map((column) => `<th>${escapeHtml(column)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
    })
    .join('\n');
  // The SVGs come from our own renderer (vega), not from users: they are embedded as they are.
  const figures = Object.entries(charts).map(([name, svg]) => `<figure><figcaption>${escapeHtml(name)}</figcaption>${svg}</figure>`).join('\n');
  return `<!doctype html>
<meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>baro transport lab</title>
<style>body{font:15px system-ui,sans-serif;margin:2rem;max-width:1100px}table{border-collapse:collapse;margin-bottom:1.5rem}td,th{padding:.25rem .6rem;border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child{text-align:left}figure{margin:1rem 0}</style>
<h1>baro transport lab</h1>
<p>Bytes counted at the TCP socket (headers included), HTTP requests, empty polls, delivery latency and server CPU per transport. Run <code>npm run lab</code> to measure again; see docs/transports.md for what the numbers mean.</p>
${tables}
${figures}`;
}
