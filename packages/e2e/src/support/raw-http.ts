/**
 * Raw requests for the security suite: exact headers (Origin, X-Baro-Token), exact bodies, and a
 * WebSocket upgrade whose answer is read as bytes. Every request is bounded and uses its own
 * connection (no agent), so that a refusal that closes the connection affects nothing else.
 */
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { connect as netConnect } from 'node:net';
import { randomBytes } from 'node:crypto';

const REQUEST_MS = 5000;

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body, or for a stream (SSE, a held long-poll) what came within `streamMs`. */
  body: string;
}

export interface RawRequest {
  method?: string;
  headers?: OutgoingHttpHeaders;
  /** A body sent with Content-Length, or as chunks (chunked encoding, no Content-Length). */
  body?: string | Buffer | { chunks: Buffer[] };
  /** For answers that stream: stop reading after this many ms and return what came. Default 300. */
  streamMs?: number;
}

export function rawHttp(url: string, { method = 'GET', headers = {}, body, streamMs = 300 }: RawRequest = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = httpRequest({ host: target.hostname, port: target.port, path: target.pathname + target.search, method, headers, agent: false });
    const timer = setTimeout(() => {
      request.destroy();
      reject(new Error(`${method} ${url}: no answer within ${REQUEST_MS} ms`));
    }, REQUEST_MS);
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      const finish = (): void => {
        clearTimeout(timer);
        clearTimeout(streamTimer);
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') });
        request.destroy();
      };
      const streamTimer = setTimeout(finish, streamMs);
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', finish);
      response.on('error', finish);
    });
    if (body === undefined) request.end();
    else if (typeof body === 'string' || Buffer.isBuffer(body)) request.end(body);
    else {
      for (const chunk of body.chunks) request.write(chunk);
      request.end();
    }
  });
}

/** Sends a WebSocket upgrade request and returns the status line's code and the raw head of the answer. */
export function rawUpgrade(url: string, headers: Record<string, string> = {}): Promise<{ status: number; head: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const socket = netConnect(Number(target.port), target.hostname);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`upgrade ${url}: no answer within ${REQUEST_MS} ms`));
    }, REQUEST_MS);
    let received = '';
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0);
      resolve({ status, head: received.split('\r\n\r\n')[0] });
    };
    socket.on('connect', () => {
      const lines = [
        `GET ${target.pathname}${target.search} HTTP/1.1`,
        `Host: ${target.host}`,
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Protocol: baro.v1',
        ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      ];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n\r\n')) {
        // A refusal has a small body; give it a moment to arrive whole, then stop.
        setTimeout(done, received.startsWith('HTTP/1.1 101') ? 0 : 50);
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      if (received) done();
      else reject(error);
    });
    socket.on('close', () => {
      if (received) done();
    });
  });
}

/** The packets of an NDJSON body or of an SSE stream's `data:` lines. */
export function packetsIn(body: string): unknown[][] {
  const lines = body.split('\n').map((line) => (line.startsWith('data: ') ? line.slice(6) : line));
  return lines.filter((line) => line.startsWith('[')).map((line) => JSON.parse(line) as unknown[]);
}
