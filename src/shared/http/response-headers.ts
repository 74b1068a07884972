import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';

/**
 * The Content-Security-Policy of the documentation pages. Swagger UI (/docs) and ReDoc (/redoc)
 * are served from our own origin:
 * - scripts only from files we serve (no inline script, no eval);
 * - inline styles, because ReDoc (styled-components) writes <style> elements and Swagger UI sets
 *   style attributes;
 * - `blob:` workers, because ReDoc runs its search index in a worker made from a blob;
 * - `data:` images and fonts, which both UIs embed.
 * No `upgrade-insecure-requests`: it would send the docs' own requests to https on a plain-http
 * development server.
 */
const DOCS_CONTENT_SECURITY_POLICY = {
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
 * What every API (JSON) response carries, after OWASP's REST Security Cheat Sheet: a JSON
 * document must never be rendered, framed or sniffed into something else, and HTTPS is sticky.
 * A document policy as long as the one above would only add bytes to every response.
 */
const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

const DOCUMENT_PATHS = /^\/(docs|redoc)(\/|$|\?)/;

/**
 * Security headers and `x-request-id` on every response, from one hook. The header sets are
 * fixed, so they are worked out once (helmet's middleware would rebuild every value on every
 * request) and go through Fastify's reply headers, which Node writes in one piece.
 */
export function registerResponseHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    setResponseHeaders(request, reply);
    done();
  });
}

/**
 * The hook's headers, for an answer sent before any hook runs (Fastify's `frameworkErrors`: a URL
 * the router cannot read).
 */
export function setResponseHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.headers(DOCUMENT_PATHS.test(request.url) ? docsHeaders() : API_SECURITY_HEADERS);
  reply.header('x-request-id', request.id);
}

let docsHeadersOnce: Readonly<Record<string, string>> | undefined;

/** Helmet's defaults (HSTS, nosniff, frame, opener and referrer policies, …) with the docs policy. */
function docsHeaders(): Readonly<Record<string, string>> {
  docsHeadersOnce ??= headersOf(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: Object.fromEntries(
          Object.entries(DOCS_CONTENT_SECURITY_POLICY).map(([name, sources]) => [name, [...sources]]),
        ),
      },
    }),
  );
  return docsHeadersOnce;
}

/** The headers a Connect-style middleware sets, captured once (it must set them synchronously). */
function headersOf(
  middleware: (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => void,
): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  let finished = false;
  middleware({} as IncomingMessage, response as unknown as ServerResponse, (error) => {
    if (error !== undefined) throw error;
    finished = true;
  });
  if (!finished) throw new Error('the security header middleware did not finish synchronously');
  return headers;
}
