/**
 * The handshake against real peers over real sockets: the `ws` package as client and as server,
 * and Node's own HTTP parser reading what we write. Each test fails if either side refuses the
 * other's bytes.
 */
import assert from 'node:assert/strict';
import { type IncomingMessage, type Server, createServer, get } from 'node:http';
import { type AddressInfo, type Socket, connect } from 'node:net';
import { after, describe, it } from 'node:test';
import { type PerMessageDeflateOptions, WebSocket, WebSocketServer } from 'ws';
import type { DeflateParams } from '../types.js';
import { type ClientHandshake, createClientHandshake, verifyServerResponse } from './client-handshake.js';
import type { HeaderMap } from './header-tokens.js';
import {
  type ClientDeflateOptions,
  type ServerDeflateAgreement,
  type ServerDeflateOptions,
  buildDeflateOffer,
  negotiateDeflateAsServer,
} from './permessage-deflate-negotiation.js';
import { buildAcceptResponse, buildRejectResponse, validateUpgradeRequest } from './server-handshake.js';

/** Reads a response head off a socket and shapes it like Node's `IncomingMessage.headers`. */
function readResponseHead(socket: Socket): Promise<{ status: number; headers: HeaderMap }> {
  return new Promise((resolve, reject) => {
    let received = '';
    socket.setEncoding('latin1');
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`connection closed before the head ended: ${JSON.stringify(received)}`)));
    socket.on('data', (chunk: string) => {
      received += chunk;
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine, ...lines] = received.slice(0, end).split('\r\n');
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine);
      if (status === null) return reject(new Error(`bad status line ${JSON.stringify(statusLine)}`));
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).toLowerCase();
        const value = line.slice(colon + 1).trim();
        headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
      }
      socket.removeAllListeners('close');
      resolve({ status: Number(status[1]), headers });
    });
  });
}

function listen(server: Server | WebSocketServer): Promise<number> {
  return new Promise((resolve) => {
    const onListening = (): void => resolve((server.address() as AddressInfo).port);
    if (server instanceof WebSocketServer) server.once('listening', onListening);
    else server.listen(0, '127.0.0.1', onListening);
  });
}

/** Our server side, as the I/O layer will use it: validate, negotiate, answer. */
function answerUpgrade(req: IncomingMessage, socket: Socket, deflateOptions: ServerDeflateOptions): ServerDeflateAgreement | null {
  const validation = validateUpgradeRequest(req);
  if (!validation.ok) {
    socket.end(buildRejectResponse(validation.status, validation.reason, validation.headers));
    return null;
  }
  const agreement = negotiateDeflateAsServer(validation.extensions, deflateOptions);
  socket.write(
    buildAcceptResponse({
      accept: validation.accept,
      protocol: validation.protocols.includes('superchat') ? 'superchat' : null,
      extensions: agreement?.response,
    }),
  );
  return agreement;
}

async function handshakeWith(port: number, handshake: ClientHandshake): Promise<ReturnType<typeof verifyServerResponse>> {
  const socket = connect(port, '127.0.0.1');
  try {
    socket.write(handshake.requestHead);
    const response = await readResponseHead(socket);
    return verifyServerResponse(response, handshake);
  } finally {
    socket.destroy();
  }
}

describe('the ws client against our server side', () => {
  let deflateOptions: ServerDeflateOptions = {};
  let lastAgreement: ServerDeflateAgreement | null = null;
  const server = createServer((_req, res) => res.end());
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    lastAgreement = answerUpgrade(req, socket, deflateOptions);
  });
  const ready = listen(server);
  after(() => server.close());

  function open(wsOptions: { perMessageDeflate: boolean | PerMessageDeflateOptions; protocolVersion?: number }, protocols: string[] = []): Promise<WebSocket> {
    return ready.then(
      (port) =>
        new Promise((resolve, reject) => {
          const client = new WebSocket(`ws://127.0.0.1:${port}/chat`, protocols, wsOptions);
          client.on('open', () => resolve(client));
          client.on('error', reject);
          client.on('unexpected-response', (_req, res) => {
            reject(Object.assign(new Error(`unexpected response ${res.statusCode}`), { response: res }));
          });
        }),
    );
  }

  const clientConfigs: ReadonlyArray<boolean | PerMessageDeflateOptions> = [
    false,
    true,
    { serverNoContextTakeover: true },
    { clientNoContextTakeover: true },
    { serverMaxWindowBits: 10 },
    { clientMaxWindowBits: 11 },
    { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 9, clientMaxWindowBits: 12 },
  ];
  const serverConfigs: readonly ServerDeflateOptions[] = [
    {},
    { serverMaxWindowBits: 9, clientMaxWindowBits: 10 },
    { serverNoContextTakeover: true, clientNoContextTakeover: true },
  ];
  for (const clientConfig of clientConfigs) {
    for (const serverConfig of serverConfigs) {
      it(`opens with ws perMessageDeflate ${JSON.stringify(clientConfig)} and ours ${JSON.stringify(serverConfig)}`, async () => {
        deflateOptions = serverConfig;
        const client = await open({ perMessageDeflate: clientConfig }, ['chat', 'superchat']);
        try {
          assert.equal(client.protocol, 'superchat');
          assert.equal(client.extensions, clientConfig === false ? '' : 'permessage-deflate');
          assert.equal(lastAgreement === null, clientConfig === false);
        } finally {
          client.terminate();
        }
      });
    }
  }

  it('answers ws protocolVersion 8 with a 426 that ws reads', async () => {
    await assert.rejects(open({ perMessageDeflate: false, protocolVersion: 8 }), (error: Error & { response?: IncomingMessage }) => {
      assert.equal(error.response?.statusCode, 426);
      assert.equal(error.response?.headers['sec-websocket-version'], '13');
      return true;
    });
  });
});

describe('our client side against the ws server', () => {
  const serverConfigs: ReadonlyArray<boolean | PerMessageDeflateOptions> = [
    false,
    true,
    { serverNoContextTakeover: true, clientNoContextTakeover: true },
    { serverMaxWindowBits: 10, clientMaxWindowBits: 9 },
  ];
  const clientConfigs: ReadonlyArray<ClientDeflateOptions | null> = [
    null,
    {},
    { clientMaxWindowBits: false },
    { serverNoContextTakeover: true },
    { clientNoContextTakeover: true },
    { serverMaxWindowBits: 12 },
    { clientMaxWindowBits: 11 },
  ];
  for (const serverConfig of serverConfigs) {
    for (const clientConfig of clientConfigs) {
      it(`negotiates ${JSON.stringify(clientConfig)} with ws perMessageDeflate ${JSON.stringify(serverConfig)}`, async () => {
        const server = new WebSocketServer({
          host: '127.0.0.1',
          port: 0,
          perMessageDeflate: serverConfig,
          handleProtocols: (protocols) => (protocols.has('superchat') ? 'superchat' : false),
        });
        const seen = new Promise<{ url: string | undefined; extensions: string }>((resolve) => {
          server.on('connection', (socket, req) => {
            resolve({ url: req.url, extensions: socket.extensions });
            socket.terminate();
          });
        });
        try {
          const port = await listen(server);
          const handshake = createClientHandshake({
            url: `ws://127.0.0.1:${port}/room?id=7`,
            protocols: ['chat', 'superchat'],
            extensions: clientConfig === null ? undefined : buildDeflateOffer(clientConfig),
          });
          const result = await handshakeWith(port, handshake);
          if (wsRefusesOffer(serverConfig, clientConfig)) {
            assert.deepEqual(result, { ok: false, reason: 'Unexpected response status 400: expected 101 Switching Protocols' });
            return;
          }
          assert.ok(result.ok, result.ok ? '' : result.reason);
          assert.equal(result.protocol, 'superchat');
          const serverSide = await seen;
          assert.equal(serverSide.url, '/room?id=7');
          // Both sides agree on whether permessage-deflate is in use.
          assert.equal(result.deflate !== null, serverSide.extensions === 'permessage-deflate');
          if (clientConfig !== null && serverConfig !== false && result.deflate !== null) {
            checkAgainstOffer(result.deflate, clientConfig);
          }
        } finally {
          await new Promise((resolve) => server.close(resolve));
        }
      });
    }
  }

  /**
   * ws answers 400 rather than declining permessage-deflate when its `clientMaxWindowBits` is a
   * number and the offer has no client_max_window_bits (our server accepts with a 15-bit window).
   */
  function wsRefusesOffer(serverConfig: boolean | PerMessageDeflateOptions, clientConfig: ClientDeflateOptions | null): boolean {
    return (
      typeof serverConfig === 'object' &&
      typeof serverConfig.clientMaxWindowBits === 'number' &&
      clientConfig?.clientMaxWindowBits === false
    );
  }

  /** Whatever ws answered, what we agreed to must respect what we asked for. */
  function checkAgainstOffer(params: DeflateParams, offer: ClientDeflateOptions): void {
    if (offer.serverNoContextTakeover) assert.equal(params.serverNoContextTakeover, true);
    if (offer.clientNoContextTakeover) assert.equal(params.clientNoContextTakeover, true);
    if (offer.serverMaxWindowBits !== undefined) assert.ok(params.serverMaxWindowBits <= offer.serverMaxWindowBits);
    if (typeof offer.clientMaxWindowBits === 'number') assert.ok(params.clientMaxWindowBits <= offer.clientMaxWindowBits);
  }
});

describe('our client side against our server side through node:http', () => {
  const server = createServer((_req, res) => res.end());
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    answerUpgrade(req, socket, { serverMaxWindowBits: 11, clientMaxWindowBits: 10 });
  });
  const ready = listen(server);
  after(() => server.close());

  it('completes with the parameters both sides computed', async () => {
    const port = await ready;
    const handshake = createClientHandshake({
      url: `ws://127.0.0.1:${port}/`,
      protocols: ['superchat'],
      extensions: buildDeflateOffer({ clientNoContextTakeover: true }),
      headers: { Origin: 'http://example.com' },
    });
    const result = await handshakeWith(port, handshake);
    assert.deepEqual(result, {
      ok: true,
      protocol: 'superchat',
      extensions: [
        {
          name: 'permessage-deflate',
          params: [
            { name: 'client_no_context_takeover', value: null },
            { name: 'server_max_window_bits', value: '11' },
            { name: 'client_max_window_bits', value: '10' },
          ],
        },
      ],
      deflate: { serverNoContextTakeover: false, clientNoContextTakeover: true, serverMaxWindowBits: 11, clientMaxWindowBits: 10 },
    });
  });
});

describe('Node’s HTTP client reading buildRejectResponse', () => {
  const reason = 'Unsupported Sec-WebSocket-Version "8": expected 13 — déjà vu';
  const server = createServer();
  server.on('connection', (socket: Socket) => {
    // Answer raw bytes the moment the request head arrives, bypassing Node's response writer.
    socket.once('data', () => socket.end(buildRejectResponse(426, reason, { 'Sec-WebSocket-Version': '13' })));
  });
  const ready = listen(server);
  after(() => server.close());

  it('parses status, headers and a UTF-8 body of the declared length', async () => {
    const port = await ready;
    const { status, headers, body } = await new Promise<{ status: number | undefined; headers: IncomingMessage['headers']; body: string }>(
      (resolve, reject) => {
        get({ port, host: '127.0.0.1', path: '/' }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
        }).on('error', reject);
      },
    );
    assert.equal(status, 426);
    assert.equal(headers['sec-websocket-version'], '13');
    assert.equal(headers['connection'], 'close');
    assert.equal(headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(body, reason);
  });
});
