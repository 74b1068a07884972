import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';
import { problem, sendProblem } from './problem-details.ts';

/**
 * HTTP request metrics by method, route template (never the raw URL: ids would make a series per
 * member) and status, and `GET /metrics` in Prometheus' text format. Register it before the
 * routes, so its hook sees them all. `/metrics` is outside `/api/v1` and the OpenAPI document:
 * it is for the monitoring system, not for API clients; keep it off the public network. With a
 * `token` (METRICS_TOKEN), it also wants `Authorization: Bearer <token>`, as Prometheus sends with
 * `authorization: { credentials: … }`; anything else is 401.
 */
export function registerMetrics(
  app: FastifyInstance,
  registry: Registry,
  { token }: { token?: string | undefined } = {},
): void {
  const labelNames = ['method', 'route', 'status_code'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  app.addHook('onResponse', (request, reply, done) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status_code: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
    done();
  });
  const authorized = token === undefined ? () => true : bearerIs(token);
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (!authorized(request.headers.authorization)) {
      reply.header('www-authenticate', 'Bearer');
      return sendProblem(reply, problem(401, 'auth.unauthenticated', 'The metrics need their bearer token'));
    }
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}

/** The credentials of `Bearer <credentials>` (the scheme in any case, as RFC 7235 has it). */
const BEARER = /^bearer +(\S+) *$/i;

/** Whether a header carries `token` as its bearer credentials, compared in constant time (digests). */
function bearerIs(token: string): (header: string | undefined) => boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  const expected = digest(token);
  return (header) => {
    const given = header === undefined || header.length > 300 ? null : BEARER.exec(header);
    return given !== null && timingSafeEqual(digest(given[1]!), expected);
  };
}
