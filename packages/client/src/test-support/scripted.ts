/**
 * Scripted transports for the client's state machine: each one the client starts is recorded, and
 * the test plays the server (open packets, events, failures) and reads what the client sent.
 */
import type { OpenInfo, Packet, TransportName } from '@baro/protocol';
import { BaroClient } from '../client.js';
import type { Failure, Transport, TransportContext, TransportFactory, TransportSink } from '../transports/index.js';
import type { ClientOptions, EventContract } from '../types.js';

export class ScriptedLink implements Transport {
  readonly sent: Packet[] = [];
  closed = false;
  readonly createdAt = Date.now();
  /** The URL of its first request, as the client built it. */
  readonly url: string;

  constructor(
    readonly name: TransportName,
    readonly context: TransportContext,
    readonly sink: TransportSink,
  ) {
    this.url = context.url(name === 'websocket' ? 'ws' : name === 'sse' ? 'sse' : 'poll');
  }

  send(packets: readonly Packet[]): void {
    this.sent.push(...packets);
  }

  close(): void {
    this.closed = true;
  }

  open(info: Partial<OpenInfo> = {}): void {
    this.sink.packets([{ type: 'open', info: { ...DEFAULT_INFO, transport: this.name, ...info } }], false);
  }

  deliver(...packets: Packet[]): void {
    this.sink.packets(packets, false);
  }

  event(seq: number, name = 'tick', data: unknown = seq, ackId?: number): void {
    this.deliver(ackId === undefined ? { type: 'event', seq, name, data } : { type: 'event', seq, name, data, ackId });
  }

  fail(failure: Failure = { reason: 'test' }): void {
    this.sink.close(failure);
  }

  /** Sequence numbers of the events and answers it was given. */
  get sentSeqs(): number[] {
    return this.sent.flatMap((packet) => (packet.type === 'event' || packet.type === 'ack' ? [packet.seq] : []));
  }

  query(key: string): string | null {
    return new URL(this.url).searchParams.get(key);
  }
}

export const DEFAULT_INFO: OpenInfo = {
  sid: 's1',
  token: 't1',
  transport: 'websocket',
  heartbeat: 25_000,
  resumeWindow: 120_000,
  maxPayload: 1 << 20,
  resumed: false,
  cseq: 0,
};

const clients = new Set<BaroClient<EventContract>>();

/** Closes every scripted client: call it in `afterEach`, so a failed test leaves no timers behind. */
export function closeScriptedClients(): void {
  for (const client of clients) client.close();
  clients.clear();
}

export class Script {
  readonly links: ScriptedLink[] = [];
  readonly factory: TransportFactory = (name, context, sink) => {
    const link = new ScriptedLink(name, context, sink);
    this.links.push(link);
    return link;
  };

  get last(): ScriptedLink {
    const link = this.links.at(-1);
    if (!link) throw new Error('no transport started');
    return link;
  }

  /** `S` types the server's events, `C` the client's. */
  client<S extends object = Record<string, unknown>, C extends object = Record<string, unknown>>(options: ClientOptions = {}): BaroClient<{ serverToClient: S; clientToServer: C }> {
    const client = new BaroClient<{ serverToClient: S; clientToServer: C }>('http://test.invalid', { openTimeout: 200, reconnect: { initialDelay: 10, maxDelay: 40, jitter: 0 }, ...options }, this.factory);
    clients.add(client);
    return client;
  }
}
