import { Manager, type ManagerOptions, type Socket as ClientSocket, type SocketOptions } from 'socket.io-client';
import { Server, type ServerOptions } from '../server/index.js';

export type Transports = ('polling' | 'websocket')[];

/** The three ways a client may run: long-polling only, WebSocket only, polling upgraded to WebSocket. */
export const TRANSPORT_MODES: [label: string, transports: Transports, final: 'polling' | 'websocket'][] = [
  ['polling only', ['polling'], 'polling'],
  ['WebSocket only', ['websocket'], 'websocket'],
  ['polling upgraded to WebSocket', ['polling', 'websocket'], 'websocket'],
];

/**
 * A server on a free port for the length of `body`; `setup` registers namespaces and handlers
 * first. Unless the test takes them (`onError`), errors thrown in handlers (failed assertions
 * among them) fail the test once `body` is done.
 */
export async function withIo(options: ServerOptions, setup: (io: Server) => void, body: (port: number, io: Server) => Promise<void>): Promise<void> {
  const handlerErrors: unknown[] = [];
  const io = new Server(0, { onError: (error) => handlerErrors.push(error), ...options });
  setup(io);
  await io.ready;
  try {
    await body(io.address().port, io);
  } finally {
    await io.close();
  }
  if (handlerErrors.length > 0) throw handlerErrors[0];
}

/** Clients made through `open` are closed at the end, whatever happened. */
export class Clients {
  readonly #managers: Manager[] = [];
  readonly #port: number;
  readonly #transports: Transports;

  constructor(port: number, transports: Transports) {
    this.#port = port;
    this.#transports = transports;
  }

  /** A manager (one Engine.IO connection) of its own; reconnection off unless asked. */
  manager(options: Partial<ManagerOptions> = {}, url = `http://127.0.0.1:${this.#port}`): Manager {
    const manager = new Manager(url, { transports: this.#transports, reconnection: false, ...options });
    this.#managers.push(manager);
    return manager;
  }

  /** A socket of namespace `nsp`, connected (or rejected with its connect_error). */
  async connect(nsp = '/', options: Partial<SocketOptions> = {}, manager = this.manager()): Promise<ClientSocket> {
    const socket = manager.socket(nsp, options);
    await connected(socket);
    return socket;
  }

  closeAll(): void {
    for (const manager of this.#managers) {
      manager.reconnection(false);
      manager.engine?.close();
    }
  }
}

export function connected(socket: ClientSocket, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no connect in ${ms} ms`)), ms);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** The arguments of the socket's next `event`. */
export function nextEvent<Args extends unknown[] = unknown[]>(socket: { once(event: string, listener: (...args: never[]) => void): unknown }, event: string, ms = 5000): Promise<Args> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${event}' in ${ms} ms`)), ms);
    socket.once(event, (...args: never[]) => {
      clearTimeout(timer);
      resolve(args as unknown as Args);
    });
  });
}

/** Collects the arguments of `event` until `count` arrived. */
export function collectEvents(socket: ClientSocket, event: string, count: number, ms = 5000): Promise<unknown[][]> {
  const got: unknown[][] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`got ${got.length} of ${count} '${event}'`)), ms);
    const listener = (...args: unknown[]): void => {
      got.push(args);
      if (got.length === count) {
        clearTimeout(timer);
        socket.off(event, listener);
        resolve(got);
      }
    };
    socket.on(event, listener);
  });
}

export async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
