import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP request on its own connection, bounded in time; the answer read whole. */
export function rawRequest(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer; timeout?: number } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.setTimeout(options.timeout ?? 5000, () => request.destroy(new Error(`no answer to ${options.method ?? 'GET'} ${path} in time`)));
    request.on('error', reject);
    request.end(options.body);
  });
}

interface AnyEmitter {
  once(event: string, listener: (...args: never[]) => void): unknown;
}

/** The arguments of the next `event`, or a rejection naming it after `ms`. */
export function waitFor<Args extends unknown[] = unknown[]>(emitter: AnyEmitter, event: string, ms = 5000): Promise<Args> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for '${event}'`)), ms);
    emitter.once(event, (...args: never[]) => {
      clearTimeout(timer);
      resolve(args as unknown as Args);
    });
  });
}

/** The session id in a long-polling handshake answer (`0{"sid":...}`). */
export function sidOf(handshakeBody: string): string {
  return (JSON.parse(handshakeBody.slice(1)) as { sid: string }).sid;
}
