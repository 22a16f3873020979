import { decodePacket, decodePacketLines, encodePacket, type Packet } from '@baro/protocol';
import { sseParser } from '../sse-parser.js';
import type { Failure, Transport, TransportContext, TransportSink } from './types.js';

/** A POST that takes longer than this fails the transport. */
const POST_TIMEOUT = 30_000;

/**
 * The three HTTP transports. Downstream: SSE (one `text/event-stream` response, read with fetch
 * streaming so that it works the same in Node and browsers), long-polling (`GET poll?wait=1` in a
 * loop) or polling (`GET poll?wait=0` every `pollInterval`). Upstream: `POST send` with the packets
 * as NDJSON, one request in flight, what accumulates meanwhile batched into the next.
 */
export function httpTransport(name: 'sse' | 'long-polling' | 'polling', context: TransportContext, sink: TransportSink): Transport {
  const request = context.fetch;
  const abort = new AbortController();
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Never resolves once the transport is closed (the timer is cleared): the loop just stops. */
  const delay = (ms: number) => new Promise((resolve) => (timer = setTimeout(resolve, ms)));
  const fail = (error: unknown): void => {
    if (!closed) sink.close(failureOf(error));
  };

  const check = (response: Response): Response => {
    if (response.ok) return response;
    throw Object.assign(new Error(`HTTP ${response.status}`), { retryAfter: Number(response.headers.get('retry-after')) * 1000 || 0 });
  };
  const lines = (text: string): Packet[] => {
    const result = decodePacketLines(text, 'toClient');
    if (!result.ok) throw new Error(result.error);
    return result.packets;
  };

  const stream = async (): Promise<void> => {
    const response = check(await request(context.url('sse'), { headers: { accept: 'text/event-stream' }, cache: 'no-store', signal: abort.signal }));
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    const parse = sseParser((data) => {
      const result = decodePacket(data, 'toClient');
      if (!result.ok) throw new Error(result.error);
      sink.packets([result.packet], false);
    });
    for (;;) {
      const { done, value } = await reader.read();
      if (closed) return;
      if (done) throw new Error('event stream ended');
      parse(decoder.decode(value, { stream: true }));
    }
  };

  const poll = async (): Promise<void> => {
    // Attaching to a session, the first request does not wait: it must be answered within the open
    // timeout even when the server has nothing queued and treats it as the next poll of the session.
    for (let wait = name === 'polling' || context.attaching() ? '0' : '1'; ; wait = name === 'polling' ? '0' : '1') {
      while (context.paused()) await delay(50);
      if (closed) return;
      const response = check(await request(context.url('poll', { wait }), { cache: 'no-store', signal: abort.signal }));
      const packets = lines(await response.text());
      if (closed) return;
      // ["n"]: another transport took the session over.
      const replaced = packets.some((packet) => packet.type === 'noop');
      sink.packets(replaced ? packets.filter((packet) => packet.type !== 'noop') : packets, false);
      if (replaced) throw new Error('replaced by another transport');
      if (closed) return;
      if (name === 'polling') await delay(context.pollInterval);
    }
  };

  const queue: string[] = [];
  let sending = false;
  const flush = (): void => {
    if (sending || queue.length === 0) return;
    sending = true;
    let body = queue.shift()!;
    // Up to maxBody bytes, counting 3 per character (the worst of UTF-8): a lone packet goes anyway.
    while (queue.length > 0 && (body.length + queue[0].length) * 3 < context.maxBody()) body += `\n${queue.shift()}`;
    request(context.url('send'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body,
      signal: AbortSignal.timeout(POST_TIMEOUT),
    })
      .then(check)
      .then((response) => response.text())
      .then((text) => {
        sending = false;
        if (!closed) sink.packets(lines(text), true);
        flush();
      })
      .catch(fail);
  };

  // Started after the factory returns: the sink must not hear from a transport it does not hold yet.
  Promise.resolve()
    .then(name === 'sse' ? stream : poll)
    .catch(fail);

  return {
    send(packets, texts) {
      packets.forEach((packet, i) => queue.push(texts?.[i] ?? encodePacket(packet)));
      flush();
    },
    close() {
      closed = true;
      clearTimeout(timer);
      abort.abort();
    },
  };
}

function failureOf(error: unknown): Failure {
  const { message, retryAfter } = error as { message?: string; retryAfter?: number };
  return { reason: message ?? String(error), retryAfter };
}
