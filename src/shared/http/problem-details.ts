import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Outage } from '../application/outage.ts';
import { DomainError, type SharedErrorCode } from '../domain/domain-error.ts';
import { type CorsPolicy, setCorsHeaders } from './cors.ts';
import { setResponseHeaders } from './response-headers.ts';
import { InvalidCursorError } from './schemas.ts';

/** One entry of `errors[]`: where in the request, and what is wrong there. */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** RFC 9457 problem details, plus our stable `code` and, for validation, `errors[]`. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly errors?: readonly FieldError[];
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problem(
  status: number,
  code: string,
  detail: string,
  errors?: readonly FieldError[],
): Problem {
  return {
    type: `urn:bounded:problem:${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(errors === undefined ? {} : { errors }),
  };
}

export function sendProblem(reply: FastifyReply, value: Problem): FastifyReply {
  return reply.status(value.status).type('application/problem+json').send(value);
}

/** Domain error code → HTTP status. Each context contributes a `Record<ItsErrorCode, number>`. */
export type ErrorStatusTable = Readonly<Record<string, number>>;

export const sharedErrorStatuses: Record<SharedErrorCode, number> = {
  'concurrency.conflict': 409,
  'request.invalid_cursor': 422,
};

/** Fastify's own errors for a request it could not even parse, by their error code. */
const FRAMEWORK_ERRORS: Readonly<Record<string, { status: number; code: string }>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'request.malformed_json' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'request.malformed_json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'request.malformed' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'request.too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'request.unsupported_media_type' },
  FST_ERR_CTP_INVALID_TYPE: { status: 415, code: 'request.unsupported_media_type' },
};

/** Fastify's errors for a URL it cannot route, by their error code (see `frameworkErrors`). */
const ROUTING_ERRORS: Readonly<Record<string, Problem>> = {
  FST_ERR_BAD_URL: problem(
    400,
    'request.malformed',
    'The URL is not valid: it has a broken percent-encoding',
  ),
  FST_ERR_MAX_PARAM_LENGTH: problem(414, 'request.uri_too_long', 'A path segment is too long'),
};

/**
 * Fastify's `frameworkErrors` option: the errors of a URL it cannot route (a broken
 * percent-encoding, an over-long path segment) never reach the error handler, and without this
 * were answered in Fastify's own JSON, not problem+json. No hook runs for them either, so the
 * headers every answer carries are set here: security headers, `x-request-id` and CORS. (A CORS
 * preflight for such a URL does not come here: see `routablePreflightUrl`.)
 */
export function frameworkErrors(cors: CorsPolicy) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    setResponseHeaders(request, reply);
    setCorsHeaders(cors, request, reply);
    const known = ROUTING_ERRORS[error.code];
    if (known === undefined) request.log.error({ err: error }, 'unhandled framework error');
    sendProblem(
      reply,
      known ?? problem(500, 'internal', 'Something went wrong on our side; it has been logged'),
    );
  };
}

/** A refused cursor is a query parameter like any other: `errors[]` names it. */
const CURSOR_ERROR: FieldError = { path: 'querystring:/cursor', message: 'is not a cursor this API issued' };

/** Ajv's `instancePath` (`/price/amount`) for a validation error, naming the missing field too. */
function fieldPath(error: { instancePath?: string; params?: Record<string, unknown> }, part: string): string {
  const base = error.instancePath ?? '';
  const missing = error.params?.missingProperty ?? error.params?.additionalProperty;
  const path = typeof missing === 'string' ? `${base}/${missing}` : base;
  return part === 'body' ? path || '/' : `${part}:${path || '/'}`;
}

export interface ProblemHandlerOptions {
  /** Whether a failure is such an outage, and which: answered 503 instead of 500. */
  readonly outage?: (error: unknown) => Outage | undefined;
}

/** Seconds a client is told to wait before repeating a request refused for an outage. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * While the server drains (SIGTERM: it stops accepting connections and finishes the requests it
 * has), a request that still arrives on an open keep-alive connection is answered 503
 * problem+json with `Connection: close` and Retry-After, from a hook registered after the response
 * headers and CORS (so it carries them) and before the routes' own hooks: no work is started that
 * the close would cut short, and the answer is in the API's own form, not
 * Fastify's (its `return503OnClosing`, which this replaces).
 */
export function registerDrainingAnswer(app: FastifyInstance): void {
  let draining = false;
  app.addHook('preClose', async () => {
    draining = true;
  });
  // A callback hook, not an async one: it runs on every request, and mostly does nothing.
  app.addHook('onRequest', (_request, reply, done) => {
    if (!draining) return done();
    reply.header('connection', 'close').header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    sendProblem(
      reply,
      problem(503, 'service.unavailable', 'The service is shutting down; try again shortly'),
    );
  });
}

/** Methods whose repetition does no more than the first call did (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

const OUTAGE_DETAILS: Readonly<Record<Outage, string>> = {
  unreached: 'The service cannot reach its database; try again shortly',
  busy: 'No database connection became free in time; try again shortly',
  lost: 'The connection to the database was lost during the request; try again shortly',
  slow: 'The database did not finish the request in time, so nothing of it was done; try again shortly',
};

/**
 * 503 for an outage. With `Retry-After` when repeating the request is safe: nothing was sent, or
 * the method is idempotent. A write whose connection was lost mid-way may have committed, so it
 * is told so instead of being invited to repeat itself (a second POST could add a second book).
 */
function sendOutage(request: FastifyRequest, reply: FastifyReply, outage: Outage): FastifyReply {
  const safe = outage !== 'lost' || IDEMPOTENT.has(request.method);
  if (safe) reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
  const detail = safe
    ? OUTAGE_DETAILS[outage]
    : 'The connection to the database was lost during the request: it may or may not have taken effect, so check before repeating it';
  return sendProblem(reply, problem(503, 'service.unavailable', detail));
}

/**
 * The one error handler: every failure leaves as problem+json with the right status. A domain
 * error maps through the status table; a database that cannot be reached is 503 with Retry-After
 * (the same request may succeed shortly; load balancers and clients know to back off); anything
 * else unexpected is logged with its stack and answered 500 with nothing from inside (no stack,
 * no SQL, no driver message).
 */
export function registerProblemHandlers(
  app: FastifyInstance,
  statuses: ErrorStatusTable,
  options: ProblemHandlerOptions = {},
): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof DomainError) {
      const status = statuses[error.code];
      const errors = error instanceof InvalidCursorError ? [CURSOR_ERROR] : undefined;
      if (status !== undefined) return sendProblem(reply, problem(status, error.code, error.message, errors));
      request.log.error({ err: error }, `domain error code ${error.code} has no HTTP status`);
    } else if (error.validation !== undefined) {
      const part = error.validationContext ?? 'body';
      const errors = error.validation.map((e) => ({
        path: fieldPath(e as { instancePath?: string; params?: Record<string, unknown> }, part),
        message: e.message ?? 'is invalid',
      }));
      return sendProblem(reply, problem(422, 'request.invalid', `The request ${part} is invalid`, errors));
    } else {
      const known = FRAMEWORK_ERRORS[error.code];
      if (known !== undefined) return sendProblem(reply, problem(known.status, known.code, error.message));
      const status = error.statusCode;
      if (status !== undefined && status >= 400 && status < 500) {
        return sendProblem(
          reply,
          problem(status, 'request.rejected', TITLES[status] ?? 'The request was refused'),
        );
      }
      const outage = options.outage?.(error);
      if (outage !== undefined) {
        request.log.warn({ err: error, outage }, 'the database could not serve the request');
        return sendOutage(request, reply, outage);
      }
      request.log.error({ err: error }, 'unhandled error');
    }
    return sendProblem(
      reply,
      problem(500, 'internal', 'Something went wrong on our side; it has been logged'),
    );
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      problem(404, 'route.not_found', `No route ${request.method} ${request.url.split('?')[0]}`),
    ),
  );
}
