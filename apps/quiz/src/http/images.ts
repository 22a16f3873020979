/**
 * Pictures for questions and options: the host uploads one as the request body (its type as the
 * Content-Type), gets an id back, and the quiz refers to it. Served read-only at `/media/<id>`.
 */
import type { FastifyInstance } from 'fastify';
import { IMAGE_ID, IMAGE_MAX_BYTES, IMAGE_TYPES, sniffImageType } from '../domain/image-type.js';
import type { HostAuth } from '../live/host-auth.js';
import type { QuizStore } from '../store/store.js';
import type { ApiError, ImageUploaded } from '../shared/protocol.js';
import { hostGuard } from './host-guard.js';

export interface ImageRouteDeps {
  store: QuizStore;
  auth: HostAuth;
  /** The server's upload limit: a picture's body may have the smaller of it and `IMAGE_MAX_BYTES`. */
  uploadLimitBytes: number;
}

export function registerImageRoutes(app: FastifyInstance, { store, auth, uploadLimitBytes }: ImageRouteDeps): void {
  const bodyLimit = Math.min(IMAGE_MAX_BYTES, uploadLimitBytes);
  // Other types get Fastify's 415; a larger body its 413 (checked while it streams in, not after).
  app.addContentTypeParser([...IMAGE_TYPES], { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));

  // The host's credentials are checked before the body is read, like every host route.
  app.post('/api/images', { onRequest: hostGuard(auth), bodyLimit }, async (request, reply) => {
    const bytes = request.body;
    if (!(bytes instanceof Uint8Array) || bytes.length === 0) return reply.code(400).send({ error: 'send the picture as the body' } satisfies ApiError);
    const declared = request.headers['content-type']?.split(';')[0].trim().toLowerCase();
    const actual = sniffImageType(bytes);
    if (actual === null || actual !== declared) {
      return reply.code(415).send({ error: `not a ${IMAGE_TYPES.map((type) => type.slice(6).toUpperCase()).join(', ')} picture (or not the type it says)` } satisfies ApiError);
    }
    const image = store.saveImage({ mime: actual, bytes });
    return reply.code(201).send({ id: image.id, url: `/media/${image.id}` } satisfies ImageUploaded);
  });

  app.get<{ Params: { id: string } }>('/media/:id', async (request, reply) => {
    const image = IMAGE_ID.test(request.params.id) ? store.getImage(request.params.id) : undefined;
    if (!image) return reply.code(404).send({ error: 'no such picture' } satisfies ApiError);
    return reply
      .type(image.mime)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(Buffer.from(image.bytes));
  });
}
