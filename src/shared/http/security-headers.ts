import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

/**
 * The Content-Security-Policy of every response. JSON needs none of it, but the same server
 * serves Swagger UI (/docs) and ReDoc (/redoc), all from our own origin:
 * - scripts only from files we serve (no inline script, no eval);
 * - inline styles, because ReDoc (styled-components) writes <style> elements and Swagger UI sets
 *   style attributes;
 * - `blob:` workers, because ReDoc runs its search index in a worker made from a blob;
 * - `data:` images and fonts, which both UIs embed.
 * No `upgrade-insecure-requests`: it would send the docs' own requests to https on a plain-http
 * development server.
 */
export const CONTENT_SECURITY_POLICY = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'", 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'worker-src': ["'self'", 'blob:'],
} as const;

/**
 * Helmet's defaults (HSTS, nosniff, frame and referrer policies, …) with the policy above, on
 * every response. The middleware is built once: @fastify/helmet builds it anew for every request
 * (re-parsing the whole policy each time), which cost the health route a third of its throughput.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  const applyHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: Object.fromEntries(
        Object.entries(CONTENT_SECURITY_POLICY).map(([name, sources]) => [name, [...sources]]),
      ),
    },
  });
  app.addHook('onRequest', (request, reply, done) => {
    applyHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined));
  });
}
