import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodePacketLines, encodePacket } from '@baro/protocol';
import { readSessionParams } from '../session/gateway.js';
import { answerPackets, isRefusal, refuse, type ExtraHeaders } from './http-reply.js';
import { readBody } from './read-body.js';
import type { SessionGateway } from './session-gateway.js';

const BODY_TYPES = new Set(['application/x-ndjson', 'text/plain']);
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export interface SendOptions {
  maxBodyBytes: number;
  /** The client sent `Expect: 100-continue`: invite the body only once the request passed its checks. */
  expectsContinue: boolean;
}

/**
 * `POST <path>/send?sid&token`: client packets for the HTTP transports, as `application/x-ndjson`
 * (or `text/plain`, which a browser may send cross-origin without a preflight). The answer is a
 * receipt `["r", cseq]`: everything up to `cseq` was processed.
 */
export async function handleSend(server: SessionGateway, request: IncomingMessage, response: ServerResponse, headers: ExtraHeaders, options: SendOptions): Promise<void> {
  const params = readSessionParams(request);
  if (isRefusal(params)) return refuse(response, params, headers, true);
  const session = await server.authorize(request, params);
  if (isRefusal(session)) return refuse(response, session, headers, true);

  const mediaType = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (!BODY_TYPES.has(mediaType)) return refuse(response, { status: 415, reason: 'the body must be application/x-ndjson or text/plain' }, headers, true);
  const declared = request.headers['content-length'];
  if (declared !== undefined && !/^\d+$/.test(declared)) return refuse(response, { status: 400, reason: 'malformed Content-Length' }, headers, true);
  if (declared !== undefined && Number(declared) > options.maxBodyBytes) {
    return refuse(response, { status: 413, reason: `body larger than ${options.maxBodyBytes} bytes` }, headers, true);
  }

  if (options.expectsContinue) response.writeContinue();
  const read = await readBody(request, options.maxBodyBytes);
  if (!read.ok) {
    // 413: the connection closes after the answer rather than reading the rest of the body.
    if (read.status !== 0) refuse(response, read, headers, true);
    return;
  }
  let text: string;
  try {
    text = utf8.decode(read.body);
  } catch {
    return refuse(response, { status: 400, reason: 'the body is not valid UTF-8' }, headers);
  }
  const decoded = decodePacketLines(text, 'toServer');
  if (!decoded.ok) return refuse(response, { status: 400, reason: `bad packet: ${decoded.error}`.slice(0, 200) }, headers);
  if (session.ended) return refuse(response, { status: 410, reason: 'session ended' }, headers);
  session.receive(decoded.packets);
  // With a session store, the receipt tells only what the store recorded as processed.
  if (session.committing) await session.settled();
  answerPackets(response, [encodePacket({ type: 'receipt', seq: session.cseq })], headers);
}
