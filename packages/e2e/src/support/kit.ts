/**
 * The client side of every scenario, written once and run in two places: called directly in Node,
 * and shipped to Chromium as source text (`createKit.toString()`) where it drives the bundled
 * client. So `createKit` must not refer to anything outside itself: its helpers live inside it.
 *
 * Values cross the Node ↔ page boundary as JSON, so byte arrays travel as `{ $bytes: [..] }`
 * ("plain" form) and are revived into `Uint8Array`s on the other side; Node uses the same form so
 * that one set of assertions serves both.
 */
import type { BaroClient, ClientOptions, StateEvent } from '@baro/client';

/** A JSON value in which `{ $bytes: number[] }` stands for a Uint8Array. */
export type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };

/** A state event with the time (Date.now()) it was heard. */
export type TimedState = StateEvent & { at: number };

export interface ClientInfo {
  state: string;
  transport: string | null;
  sid: string | null;
  states: TimedState[];
}

export type AckOutcome = { ok: true; value: Plain } | { ok: false; error: string; reason: string | undefined };

/** Client options that can cross to the page (no classes or functions). */
export type PlainClientOptions = Omit<ClientOptions, 'WebSocket' | 'fetch'>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyClient = BaroClient<any>;
type Connect = (url: string, options: ClientOptions) => AnyClient;

export function createKit(connect: Connect, baseUrl: string, defaults: ClientOptions) {
  /** Server events recorded on every client; `confirm` is answered with `{ yes, echo }`. */
  const EVENTS = ['news', 'blob', 'room', 'marker', 'n', 'confirm'];

  const plain = (value: unknown): Plain => {
    if (value instanceof Uint8Array) return { $bytes: Array.from(value) };
    if (Array.isArray(value)) return value.map(plain);
    if (value !== null && typeof value === 'object') {
      const out: Record<string, Plain> = {};
      for (const [key, inner] of Object.entries(value)) out[key] = plain(inner);
      return out;
    }
    return value as Plain;
  };
  const revive = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(revive);
    if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      if (entries.length === 1 && entries[0][0] === '$bytes') return Uint8Array.from(entries[0][1] as number[]);
      return Object.fromEntries(entries.map(([key, inner]) => [key, revive(inner)]));
    }
    return value;
  };

  interface ClientRecord {
    client: AnyClient;
    events: Map<string, Plain[]>;
    states: TimedState[];
  }
  const clients = new Map<string, ClientRecord>();
  const get = (id: string): ClientRecord => {
    const record = clients.get(id);
    if (!record) throw new Error(`no client "${id}"`);
    return record;
  };

  return {
    open(id: string, options: PlainClientOptions = {}, url: string = baseUrl): void {
      const client = connect(url, { ...defaults, ...options });
      const record: ClientRecord = { client, events: new Map(), states: [] };
      for (const name of EVENTS) {
        record.events.set(name, []);
        client.on(name, (data: unknown, ack: (reply: unknown) => void) => {
          record.events.get(name)!.push(plain(data));
          if (name === 'confirm') ack({ yes: data === 'ok?', echo: data });
        });
      }
      client.onState((event) => record.states.push({ ...event, at: Date.now() }));
      clients.set(id, record);
    },
    info(id: string): ClientInfo {
      const { client, states } = get(id);
      return { state: client.state, transport: client.transport, sid: client.sessionId, states };
    },
    received(id: string, name: string): Plain[] {
      return get(id).events.get(name) ?? [];
    },
    count(id: string, name: string): number {
      return get(id).events.get(name)?.length ?? 0;
    },
    emit(id: string, name: string, data: Plain): boolean {
      return get(id).client.emit(name, revive(data));
    },
    /** Emits `name` with payloads from..to (numbers), as many as the outbox takes; returns the next number to send. */
    emitNumbers(id: string, name: string, from: number, to: number): number {
      const { client } = get(id);
      let next = from;
      while (next <= to && client.emit(name, next)) next++;
      return next;
    },
    async emitWithAck(id: string, name: string, data: Plain, timeout = 5000): Promise<AckOutcome> {
      try {
        return { ok: true, value: plain(await get(id).client.emitWithAck(name, revive(data), { timeout })) };
      } catch (error) {
        const { message, reason } = error as { message?: string; reason?: string };
        return { ok: false, error: String(message ?? error), reason };
      }
    },
    close(id: string): void {
      clients.get(id)?.client.close();
      clients.delete(id);
    },
    closeAll(): void {
      for (const { client } of clients.values()) client.close();
      clients.clear();
    },
  };
}

export type Kit = ReturnType<typeof createKit>;
