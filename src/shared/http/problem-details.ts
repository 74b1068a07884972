import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type SharedErrorCode } from '../domain/domain-error.ts';

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

/** Ajv's `instancePath` (`/price/amount`) for a validation error, naming the missing field too. */
function fieldPath(error: { instancePath?: string; params?: Record<string, unknown> }, part: string): string {
  const base = error.instancePath ?? '';
  const missing = error.params?.missingProperty ?? error.params?.additionalProperty;
  const path = typeof missing === 'string' ? `${base}/${missing}` : base;
  return part === 'body' ? path || '/' : `${part}:${path || '/'}`;
}

export interface ProblemHandlerOptions {
  /**
   * Whether a failure means the database cannot be reached or cannot serve for now (the server
   * down, restarting or full, the network gone): answered 503 with `Retry-After` instead of 500.
   */
  readonly unavailable?: (error: unknown) => boolean;
}

/** Seconds a client is told to wait after a 503 for an unreachable database. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

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
      if (status !== undefined) return sendProblem(reply, problem(status, error.code, error.message));
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
      if (options.unavailable?.(error) === true) {
        request.log.warn({ err: error }, 'the database is unavailable');
        reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
        return sendProblem(
          reply,
          problem(503, 'service.unavailable', 'The service cannot reach its database; try again shortly'),
        );
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
