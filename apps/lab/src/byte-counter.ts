import diagnostics from 'node:diagnostics_channel';
import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';

/** Bytes and requests seen by one HTTP server, counted at its TCP sockets (headers, framing and all). */
export interface WireCounts {
  /** Bytes the server read: everything clients sent (requests, upgrade requests, WebSocket frames). */
  bytesRead: number;
  /** Bytes the server wrote: response heads and bodies, 101 heads, WebSocket frames. */
  bytesWritten: number;
  /** TCP connections accepted. */
  connections: number;
  /** HTTP requests, upgrades included. */
  requests: number;
  upgrades: number;
}

/**
 * Counts what crosses an HTTP server's sockets. Every accepted net.Socket is remembered; its
 * `bytesRead`/`bytesWritten` are added up when it closes, and read live for the ones still open
 * when `snapshot()` is called. Nothing is estimated: these are the kernel-facing byte counts.
 */
export class ByteCounter {
  readonly #open = new Set<Socket>();
  #closedRead = 0;
  #closedWritten = 0;
  #connections = 0;
  #requests = 0;
  #upgrades = 0;
  readonly #detach: () => void;

  constructor(server: HttpServer) {
    const onConnection = (socket: Socket): void => {
      this.#connections++;
      this.#open.add(socket);
      socket.once('close', () => {
        if (!this.#open.delete(socket)) return;
        this.#closedRead += socket.bytesRead;
        this.#closedWritten += socket.bytesWritten;
      });
    };
    // Not the 'request' event: BaroServer's HTTP transports take their requests before any listener
    // sees them (they wrap the server's emit). Node's own diagnostics channel sees every request.
    const onRequest = (message: unknown): void => {
      if ((message as { server?: unknown }).server === server) this.#requests++;
    };
    const onUpgrade = (): void => void this.#upgrades++;
    server.on('connection', onConnection);
    diagnostics.subscribe('http.server.request.start', onRequest);
    // prependListener: counted before the WebSocket router takes the socket.
    server.prependListener('upgrade', onUpgrade);
    this.#detach = () => {
      server.off('connection', onConnection);
      diagnostics.unsubscribe('http.server.request.start', onRequest);
      server.off('upgrade', onUpgrade);
    };
  }

  /** Sockets not closed yet. */
  get openSockets(): number {
    return this.#open.size;
  }

  snapshot(): WireCounts {
    let bytesRead = this.#closedRead;
    let bytesWritten = this.#closedWritten;
    for (const socket of this.#open) {
      bytesRead += socket.bytesRead;
      bytesWritten += socket.bytesWritten;
    }
    return { bytesRead, bytesWritten, connections: this.#connections, requests: this.#requests + this.#upgrades, upgrades: this.#upgrades };
  }

  detach(): void {
    this.#detach();
  }
}
