/** HTTP by hand on a raw socket, for what fetch hides: answers before the body is sent, connection closes. */
import { connect, type Socket } from 'node:net';
import { withTimeout } from '../../websocket/test-support/wait.js';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export class RawHttp {
  readonly socket: Socket;
  #data = '';
  #waiters: (() => void)[] = [];
  closed = false;
  /** Bytes this side managed to write before the server closed. */
  written = 0;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.#data += chunk;
      this.#wake();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
  }

  static async connect(port: number, t: { after: (fn: () => void) => void }): Promise<RawHttp> {
    const socket = connect(port, '127.0.0.1');
    await withTimeout(new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject)), 3000, 'a raw connection');
    const raw = new RawHttp(socket);
    t.after(() => socket.destroy());
    return raw;
  }

  write(data: string | Buffer): boolean {
    if (this.closed || this.socket.destroyed) return false;
    this.written += Buffer.byteLength(data);
    return this.socket.write(data);
  }

  /** The first complete answer (headers, and a body of Content-Length bytes). */
  answer(ms = 3000): Promise<RawAnswer> {
    return withTimeout(
      new Promise<RawAnswer>((resolve, reject) => {
        const check = (): void => {
          const parsed = parse(this.#data);
          if (parsed) return resolve(parsed);
          if (this.closed) return reject(new Error(`connection closed before a full answer: ${JSON.stringify(this.#data.slice(0, 200))}`));
          this.#waiters.push(check);
        };
        check();
      }),
      ms,
      'a raw HTTP answer',
    );
  }

  /** The server closes the connection. */
  closedByServer(ms = 3000): Promise<void> {
    return withTimeout(
      new Promise<void>((resolve) => {
        const check = (): void => (this.closed ? resolve() : void this.#waiters.push(check));
        check();
      }),
      ms,
      'the server to close the connection',
    );
  }

  get text(): string {
    return this.#data;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter();
  }
}

function parse(data: string): RawAnswer | null {
  // Skip interim 1xx answers (100 Continue).
  let rest = data;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end === -1) return null;
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    const status = Number(statusLine.split(' ')[1]);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    rest = rest.slice(end + 4);
    if (status >= 100 && status < 200) continue;
    const length = Number(headers['content-length'] ?? 0);
    if (rest.length < length) return null;
    return { status, headers, body: rest.slice(0, length) };
  }
}
