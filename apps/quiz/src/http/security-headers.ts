import type { FastifyInstance } from 'fastify';

/**
 * What every response says about how it may be used. The web build is one module script and one
 * stylesheet from this origin, so the policy allows nothing else: no inline script, no other
 * origin, no framing (the host dashboard would otherwise be clickjackable), and no referrer (a
 * join code in the address must not leak to another site).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // The favicon is a data: URI; the join QR code an SVG from /qr.
  "img-src 'self' data:",
  // baro's WebSocket, SSE and long-polling go to this origin ('self' covers ws: and wss: to it).
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

export function addSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
  });
}
