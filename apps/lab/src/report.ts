import type { RunResult } from './lab.js';
import type { PeerResult } from './p2p.js';

const fmt = (value: number, digits = 0): string => (Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');
const ms = (value: number): string => (Number.isFinite(value) ? (value < 10 ? fmt(value, 2) : value < 100 ? fmt(value, 1) : fmt(value, 0)) : '–');

export const COLUMNS = [
  'transport',
  'delivered',
  'B/msg ↓',
  'B/msg ↑',
  'B/msg total',
  'req/msg',
  'empty polls',
  'p50 ms',
  'p99 ms',
  'max ms',
  'CPU ms/1k',
] as const;

export function row(result: RunResult): string[] {
  const delivered = `${fmt(result.deliveredDown)}/${fmt(result.expectedDown)}` + (result.sentUp > 0 ? ` + ${fmt(result.deliveredUp)}↑` : '') + (result.inOrder ? '' : ' (out of order!)');
  return [
    result.variant,
    delivered,
    fmt(result.bytesDownPerMessage, 1),
    fmt(result.bytesUpPerMessage, 1),
    fmt(result.bytesPerMessage, 1),
    fmt(result.requestsPerMessage, 3),
    result.pollResponses > 0 ? `${fmt(result.emptyResponses)}/${fmt(result.pollResponses)}` : '–',
    ms(result.latency.p50),
    ms(result.latency.p99),
    ms(result.latency.max),
    fmt(result.cpuMsPer1000, 1),
  ];
}

/** A plain-text table for the terminal. */
export function textTable(results: readonly RunResult[]): string {
  const rows = [[...COLUMNS], ...results.map(row)];
  const widths = COLUMNS.map((_, column) => Math.max(...rows.map((cells) => [...cells[column]!].length)));
  const line = (cells: string[]): string => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [line(rows[0]!), widths.map((width) => '─'.repeat(width)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export function markdownTable(results: readonly RunResult[]): string {
  const escape = (cell: string): string => cell.replace(/\|/g, '\\|');
  return [
    `| ${COLUMNS.join(' | ')} |`,
    `| ${COLUMNS.map((_, index) => (index === 0 ? '---' : '---:')).join(' | ')} |`,
    ...results.map((result) => `| ${row(result).map(escape).join(' | ')} |`),
  ].join('\n');
}

export const PEER_COLUMNS = ['path', 'pages', 'delivered', 'server B/msg', 'setup B', 'signalling B', 'relayed B', 'CPU ms/1k', 'p50 ms', 'p99 ms'] as const;

export function peerRow(result: PeerResult): string[] {
  return [
    result.mode,
    String(result.peers),
    `${fmt(result.delivered)}/${fmt(result.sent)}${result.inOrder ? '' : ' (out of order!)'}`,
    fmt(result.bytesPerMessage, 1),
    fmt(result.setupBytes),
    fmt(result.signallingBytes),
    fmt(result.relayedBytes),
    fmt(result.cpuMsPer1000, 1),
    ms(result.latency.p50),
    ms(result.latency.p99),
  ];
}

/** The peer-to-peer results for the terminal, or as markdown. */
export function peerTable(results: readonly PeerResult[], markdown = false): string {
  const rows = results.map(peerRow);
  if (markdown) {
    return [`| ${PEER_COLUMNS.join(' | ')} |`, `| ${PEER_COLUMNS.map((_, index) => (index === 0 ? '---' : '---:')).join(' | ')} |`, ...rows.map((cells) => `| ${cells.join(' | ')} |`)].join('\n');
  }
  const all = [[...PEER_COLUMNS], ...rows];
  const widths = PEER_COLUMNS.map((_, column) => Math.max(...all.map((cells) => [...cells[column]!].length)));
  const line = (cells: string[]): string => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [line(all[0]!), widths.map((width) => '─'.repeat(width)).join('  '), ...all.slice(1).map(line)].join('\n');
}
