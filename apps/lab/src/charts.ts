import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { RunResult } from './lab.js';
import type { PeerResult } from './p2p.js';

/** Compiles a Vega-Lite spec and renders it to SVG in Node, without a browser. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const ORDER = ['polling 1 s', 'polling 100 ms', 'long-polling', 'SSE', 'WebSocket', 'WebSocket + deflate'];
const base = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', background: 'white', width: 560 } as const;

/** Bytes per delivered message (both directions, headers included), by transport and workload, log scale. */
export function bytesChart(results: readonly RunResult[]): TopLevelSpec {
  return {
    ...base,
    title: 'Bytes on the wire per delivered message (both directions, log scale)',
    data: { values: results.map((r) => ({ workload: r.workload, transport: r.variant, direction: 'server → client', bytes: r.bytesDownPerMessage })).concat(results.map((r) => ({ workload: r.workload, transport: r.variant, direction: 'client → server', bytes: r.bytesUpPerMessage }))) },
    transform: [{ filter: 'datum.bytes > 0' }],
    mark: { type: 'bar' },
    encoding: {
      row: { field: 'workload', type: 'nominal', title: null },
      y: { field: 'transport', type: 'nominal', sort: ORDER, title: null },
      x: { field: 'bytes', type: 'quantitative', scale: { type: 'log' }, title: 'bytes per delivered message', stack: null },
      color: { field: 'direction', type: 'nominal', title: null },
      yOffset: { field: 'direction', type: 'nominal' },
      tooltip: [{ field: 'bytes', format: ',.1f' }],
    },
  } as TopLevelSpec;
}

/** Delivery latency p50 and p99 by transport and workload (log scale: polling is in seconds, WebSocket in ms). */
export function latencyChart(results: readonly RunResult[]): TopLevelSpec {
  return {
    ...base,
    title: 'Delivery latency, server emit → client handler (ms, log scale)',
    data: { values: results.flatMap((r) => [
      { workload: r.workload, transport: r.variant, stat: 'p50', ms: Math.max(0.01, r.latency.p50) },
      { workload: r.workload, transport: r.variant, stat: 'p99', ms: Math.max(0.01, r.latency.p99) },
    ]) },
    transform: [{ filter: 'isFinite(datum.ms)' }],
    mark: { type: 'bar' },
    encoding: {
      row: { field: 'workload', type: 'nominal', title: null },
      y: { field: 'transport', type: 'nominal', sort: ORDER, title: null },
      x: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'milliseconds', stack: null },
      color: { field: 'stat', type: 'nominal', title: null },
      yOffset: { field: 'stat', type: 'nominal' },
    },
  } as TopLevelSpec;
}

/** HTTP requests (plus WebSocket upgrades) per delivered message. */
export function requestsChart(results: readonly RunResult[]): TopLevelSpec {
  return {
    ...base,
    title: 'HTTP requests per delivered message',
    data: { values: results.map((r) => ({ workload: r.workload, transport: r.variant, requests: r.requestsPerMessage })) },
    mark: { type: 'bar' },
    encoding: {
      row: { field: 'workload', type: 'nominal', title: null },
      y: { field: 'transport', type: 'nominal', sort: ORDER, title: null },
      x: { field: 'requests', type: 'quantitative', title: 'requests per delivered message' },
      color: { field: 'transport', type: 'nominal', sort: ORDER, legend: null },
    },
  } as TopLevelSpec;
}

/** Peer to peer: what the server pays per delivered message, direct vs relayed. */
export function peerBytesChart(results: readonly PeerResult[]): TopLevelSpec {
  return {
    ...base,
    title: 'Peer to peer: server bytes per delivered message (both directions, at its sockets)',
    data: { values: results.map((r) => ({ path: r.mode, bytes: r.bytesPerMessage, cpu: r.cpuMsPer1000 })) },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'path', type: 'nominal', title: null, sort: ['direct', 'relayed'] },
      x: { field: 'bytes', type: 'quantitative', title: 'server bytes per delivered message' },
      color: { field: 'path', type: 'nominal', legend: null },
      tooltip: [{ field: 'bytes', format: ',.1f' }, { field: 'cpu', format: ',.1f', title: 'CPU ms / 1k' }],
    },
  } as TopLevelSpec;
}

/** Peer to peer: delivery latency page to page, p50 and p99. */
export function peerLatencyChart(results: readonly PeerResult[]): TopLevelSpec {
  return {
    ...base,
    title: 'Peer to peer: delivery latency, sender emit → receiver handler (ms, log scale)',
    data: { values: results.flatMap((r) => [
      { path: r.mode, stat: 'p50', ms: Math.max(0.01, r.latency.p50) },
      { path: r.mode, stat: 'p99', ms: Math.max(0.01, r.latency.p99) },
    ]) },
    transform: [{ filter: 'isFinite(datum.ms)' }],
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'path', type: 'nominal', title: null, sort: ['direct', 'relayed'] },
      x: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'milliseconds', stack: null },
      color: { field: 'stat', type: 'nominal', title: null },
      yOffset: { field: 'stat', type: 'nominal' },
    },
  } as TopLevelSpec;
}
