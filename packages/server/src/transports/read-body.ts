import type { IncomingMessage } from 'node:http';

export type BodyResult = { ok: true; body: Buffer } | { ok: false; status: 413; reason: string } | { ok: false; status: 0; reason: string };

/**
 * Reads a request body of at most `limit` bytes. It fails with 413 as soon as Content-Length or the
 * bytes streamed so far pass the limit, without buffering more; status 0 means the client went
 * away (there is nobody to answer).
 */
export function readBody(request: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.resolve(tooLarge(limit));
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyResult): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onGone);
      request.off('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        // Stop here: the caller answers 413 and closes the connection rather than reading the rest.
        request.pause();
        chunks.length = 0;
        finish(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish({ ok: true, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size) });
    const onGone = (): void => finish({ ok: false, status: 0, reason: 'the client went away' });
    const onClose = (): void => {
      if (!request.complete) onGone();
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onGone);
    request.on('close', onClose);
  });
}

function tooLarge(limit: number): BodyResult {
  return { ok: false, status: 413, reason: `body larger than ${limit} bytes` };
}
