import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { rejectHandshake } from './reject.js';
import { pathOf } from './request-path.js';

export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * One 'upgrade' listener per HTTP server, dispatching by path, so several WebSocket endpoints can
 * share a server (ws answers 400 to every path but its own, which makes that impossible).
 */
class UpgradeRouter {
  readonly #routes = new Map<string, UpgradeHandler>();
  #fallback: UpgradeHandler | null = null;
  readonly #server: HttpServer;

  constructor(server: HttpServer) {
    this.#server = server;
    server.on('upgrade', this.#dispatch);
  }

  add(path: string | undefined, handler: UpgradeHandler): void {
    if (path === undefined) {
      if (this.#fallback) throw new Error('a WebSocket server without a path is already attached to this HTTP server');
      this.#fallback = handler;
      return;
    }
    if (this.#routes.has(path)) throw new Error(`a WebSocket server already handles ${path}`);
    this.#routes.set(path, handler);
  }

  remove(path: string | undefined): void {
    if (path === undefined) this.#fallback = null;
    else this.#routes.delete(path);
    if (this.#routes.size === 0 && this.#fallback === null) {
      this.#server.off('upgrade', this.#dispatch);
      routers.delete(this.#server);
    }
  }

  readonly #dispatch = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const handler = this.#routes.get(pathOf(request.url)) ?? this.#fallback;
    if (handler) handler(request, socket, head);
    else rejectHandshake(socket, 404, 'no WebSocket endpoint at this path');
  };
}

const routers = new WeakMap<HttpServer, UpgradeRouter>();

export function routeUpgrades(server: HttpServer, path: string | undefined, handler: UpgradeHandler): () => void {
  let router = routers.get(server);
  if (!router) {
    router = new UpgradeRouter(server);
    routers.set(server, router);
  }
  router.add(path, handler);
  return () => router.remove(path);
}

