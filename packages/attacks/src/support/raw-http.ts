/**
 * Raw HTTP for attackers: exact headers and bodies, one connection per request (no agent), from a
 * chosen loopback address, bounded in time; and many requests pipelined in one TCP write.
 */
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { within } from './wait.js';

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpOptions {
  method?: string;
  headers?: OutgoingHttpHeaders;
  body?: string | Buffer;
  localAddress?: string;
  timeoutMs?: number;
}

export function http(url: string, { method = 'GET', headers = {}, body, localAddress, timeoutMs = 10_000 }: HttpOptions = {}): Promise<HttpAnswer> {
  const target = new URL(url);
  let request: ReturnType<typeof httpRequest> | undefined;
  return within(
    new Promise<HttpAnswer>((resolve, reject) => {
      request = httpRequest({ host: target.hostname, port: target.port, path: target.pathname + target.search, method, headers, agent: false, ...(localAddress ? { localAddress } : {}) }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      });
      request.on('error', reject);
      request.end(body);
    }),
    timeoutMs,
    `${method} ${url}`,
  ).finally(() => request?.destroy());
}

/** Packets of an NDJSON or SSE body (`data:` lines), parsed. */
export function packetsIn(body: string): unknown[][] {
  return body
    .split('\n')
    .map((line) => line.replace(/^data: ?/, '').trim())
    .filter((line) => line.startsWith('['))
    .map((line) => JSON.parse(line) as unknown[]);
}

/**
 * Writes `count` copies of a request head in one TCP write and collects the statuses of the
 * responses (in order) until `count` arrived or the connection ends (bounded).
 */
export function pipelined(port: number, head: string, count: number, timeoutMs = 15_000): Promise<number[]> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  socket.write(head.repeat(count));
  let text = '';
  const statuses = (): number[] => [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]));
  return within(
    new Promise<number[]>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (statuses().length >= count) resolve(statuses());
      });
      socket.on('close', () => resolve(statuses()));
    }),
    timeoutMs,
    `${count} pipelined responses`,
  ).finally(() => socket.destroy());
}
