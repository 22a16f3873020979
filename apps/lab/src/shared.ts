import type { TransportName } from '@baro/client';
import type { PeerCounters } from 'baro';
import type { WireCounts } from './byte-counter.js';

/** One column of the lab: a client transport, with the options that make it distinct. */
export interface Variant {
  /** Shown in tables and charts. */
  label: string;
  transport: TransportName;
  /** Polling only: delay between requests. */
  pollInterval?: number;
  /** WebSocket only: negotiate permessage-deflate (threshold 0, so small messages are compressed too). */
  deflate?: boolean;
  /** The peer-to-peer workload: the server runs `enablePeers` (signalling and relay). */
  peers?: boolean;
}

export const VARIANTS: readonly Variant[] = [
  { label: 'polling 1 s', transport: 'polling', pollInterval: 1000 },
  { label: 'polling 100 ms', transport: 'polling', pollInterval: 100 },
  { label: 'long-polling', transport: 'long-polling' },
  { label: 'SSE', transport: 'sse' },
  { label: 'WebSocket', transport: 'websocket' },
  { label: 'WebSocket + deflate', transport: 'websocket', deflate: true },
];

export type WorkloadName = 'quiz' | 'chat' | 'burst';

/** What the server does in a run. */
export interface ServerPlan {
  /** Messages the server broadcasts to every client. */
  messages: number;
  /** Between two broadcasts, in ms; 0 emits them all at once (the burst). */
  intervalMs: number;
  /** Event name and a payload body that is the same on every transport. */
  event: string;
  body: Record<string, unknown>;
}

/** Lab → server child. */
export type ToServer = { type: 'run'; plan: ServerPlan } | { type: 'report' } | { type: 'exit' };

/** Server child → lab. */
export type FromServer =
  | { type: 'ready'; port: number }
  | { type: 'emitted'; count: number }
  | { type: 'report'; wire: WireCounts; cpuMicros: number; upstreamLatencies: number[]; upstreamReceived: number; sessions: number; peers: PeerCounters | null };

/** Wall-clock time in ms with sub-ms resolution, comparable between processes on one machine. */
export const wallClock = (): number => performance.timeOrigin + performance.now();
