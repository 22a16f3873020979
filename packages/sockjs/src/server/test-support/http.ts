import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: string;
  /** Stop reading once this holds (streaming responses), instead of at the end. */
  until?: (body: string) => boolean;
  timeout?: number;
}

/** One HTTP request on its own connection; the body is read to the end or until `until` holds. */
export function fetchRaw(port: number, method: string, path: string, options: RequestOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, method, path, headers: options.headers, agent: false });
    const timer = setTimeout(() => {
      request.destroy();
      reject(new Error(`${method} ${path}: no answer within ${options.timeout ?? 5000} ms`));
    }, options.timeout ?? 5000);
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.on('response', (response) => {
      let body = '';
      const done = (): void => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
      };
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
        if (options.until?.(body)) {
          response.destroy();
          done();
        }
      });
      response.on('end', done);
    });
    request.end(options.body);
  });
}

/** A TCP connection to write raw bytes to and read what comes back. */
export async function openRaw(port: number): Promise<{ socket: Socket; read: (until: (received: Buffer) => boolean, timeout?: number) => Promise<Buffer> }> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let received = Buffer.alloc(0);
  const waiters = new Set<() => void>();
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    for (const waiter of waiters) waiter();
  });
  socket.on('close', () => {
    for (const waiter of waiters) waiter();
  });
  const read = (until: (received: Buffer) => boolean, timeout = 5000): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (until(received) || socket.destroyed) {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(received);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no matching bytes within ${timeout} ms; got ${JSON.stringify(received.toString('latin1'))}`));
      }, timeout);
      waiters.add(check);
      check();
    });
  return { socket, read };
}
