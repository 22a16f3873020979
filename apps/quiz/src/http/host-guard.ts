/** The HTTP side of the host's credentials: the `onRequest` check every host route shares, and the 429 it answers with. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { closeLingering } from 'baro';
import { retryAfterSeconds } from '../live/address-buckets.js';
import type { HostAuth } from '../live/host-auth.js';
import type { ApiError } from '../shared/protocol.js';

/** 429 with `Retry-After`; `Connection: close` so that a request body still on its way is not read. */
export const tooMany = (reply: FastifyReply, waitMs: number, error: string) => {
  const seconds = retryAfterSeconds(waitMs);
  closeLingering(reply.request.raw.socket);
  return reply.code(429).header('retry-after', String(seconds)).header('connection', 'close').send({ error: `${error}: try again in ${seconds} s` } satisfies ApiError);
};

/**
 * An `onRequest` hook, so it runs before the body is read: a request without the host's credentials
 * never gets its (up to 2 MiB) body buffered, and is answered with `Connection: close`.
 */
export function hostGuard(auth: HostAuth) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const checked = auth.checkHeader(request.headers.authorization, request.ip);
    if (checked.status === 'ok') return;
    if (checked.status === 'throttled') return tooMany(reply, checked.retryAfterMs, 'too many wrong host passwords from this address');
    closeLingering(request.raw.socket);
    return reply.header('connection', 'close').code(401).send({ error: 'the host password is missing or wrong' } satisfies ApiError);
  };
}
