import type { IncomingMessage } from 'node:http';
import cors, { type FastifyCorsOptions } from '@fastify/cors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Which cross-origin pages may call the API (the `CORS_*` variables). */
export interface CorsPolicy {
  readonly origins: '*' | readonly string[];
  readonly allowCredentials: boolean;
  readonly allowMethods: readonly string[];
  readonly allowHeaders: '*' | readonly string[];
}

/** The response headers a cross-origin page may read: what the API's answers tell a client. */
const EXPOSED_HEADERS = ['location', 'etag', 'retry-after', 'x-request-id', 'www-authenticate'];

/** CORS on every route and preflight, by `@fastify/cors`. Credentials never go with the `*` origin. */
export async function registerCors(app: FastifyInstance, policy: CorsPolicy): Promise<void> {
  const options: FastifyCorsOptions = {
    origin: policy.origins === '*' ? '*' : [...policy.origins],
    credentials: policy.origins === '*' ? false : policy.allowCredentials,
    methods: [...policy.allowMethods],
    ...(policy.allowHeaders === '*' ? {} : { allowedHeaders: [...policy.allowHeaders] }),
    exposedHeaders: EXPOSED_HEADERS,
  };
  await app.register(cors, options);
}

/**
 * The CORS headers of an answer that no hook sees (Fastify's `frameworkErrors`: a URL the router
 * cannot read), as `registerCors` gives any other answer to a request that is not a preflight.
 * Without them a cross-origin page got a CORS failure instead of the 400 or 414.
 */
export function setCorsHeaders(policy: CorsPolicy, request: FastifyRequest, reply: FastifyReply): void {
  const exposed = { 'access-control-expose-headers': EXPOSED_HEADERS.join(', ') };
  if (policy.origins === '*') {
    reply.headers({ 'access-control-allow-origin': '*', ...exposed });
    return;
  }
  // As @fastify/cors: credentials and the exposed headers go out whatever the origin; only an
  // allowed origin is named, and without it a browser lets the page read nothing.
  const origin = request.headers.origin;
  reply.headers({
    vary: 'Origin',
    ...(origin !== undefined && policy.origins.includes(origin)
      ? { 'access-control-allow-origin': origin }
      : {}),
    ...(policy.allowCredentials ? { 'access-control-allow-credentials': 'true' } : {}),
    ...exposed,
  });
}

/**
 * Fastify's `rewriteUrl`: the URL a request is routed by. A CORS preflight whose URL the router
 * cannot read (a broken percent-encoding) is routed as `/`, so that the CORS plugin's preflight
 * route answers it (204) as it answers any other: its answer does not depend on the path, and
 * without this the preflight got `frameworkErrors`' 400, which a browser takes as a refusal, so
 * the page never saw the 400 of the request itself. Every other request keeps its URL.
 */
export function routablePreflightUrl(request: IncomingMessage): string {
  const url = request.url ?? '/';
  if (request.method !== 'OPTIONS' || request.headers['access-control-request-method'] === undefined)
    return url;
  const end = url.indexOf('?');
  try {
    decodeURIComponent(end === -1 ? url : url.slice(0, end));
    return url;
  } catch {
    return '/';
  }
}
