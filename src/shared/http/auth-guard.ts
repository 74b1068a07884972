import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AccessTokens, InvalidAccessTokenError, type Principal } from '../application/access-tokens.ts';
import { problem, sendProblem } from './problem-details.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth guard on routes that require a signed-in caller. */
    principal?: Principal;
  }
}

export type AuthHook = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

export interface AuthGuard {
  /** preHandler: a valid access token is required; sets `request.principal`. */
  readonly member: AuthHook;
  /** preHandler: a valid access token of a superuser is required. */
  readonly superuser: AuthHook;
}

/** The OpenAPI security requirement of a route the guard protects. */
export const bearerSecurity = [{ OAuth2PasswordBearer: [] }];

/** The principal the guard put on the request (call only from a guarded route). */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === undefined) throw new Error(`Route ${request.routeOptions.url} is not guarded`);
  return request.principal;
}

/** A JWS compact serialisation has three base64url parts; 4 KiB is far above what we issue. */
const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*) *$/i;
const MAX_HEADER_LENGTH = 4096;

/**
 * Reads `Authorization: Bearer <token>` and verifies it with no database hit (signature, `exp`,
 * `iss`, `aud`; HS256 only). No bearer credentials is 401 with `WWW-Authenticate: Bearer`; a
 * token that does not verify adds `error="invalid_token"` (RFC 6750 §3). The hooks return the
 * reply once they have answered, so Fastify runs nothing after them.
 */
export function authGuard(tokens: AccessTokens): AuthGuard {
  const member: AuthHook = async (request, reply) => {
    const header = request.headers.authorization;
    if (header === undefined || !/^bearer(\s|$)/i.test(header)) {
      reply.header('www-authenticate', 'Bearer');
      return sendProblem(
        reply,
        problem(401, 'auth.unauthenticated', 'This route needs a bearer access token'),
      );
    }
    try {
      const match = header.length <= MAX_HEADER_LENGTH ? BEARER.exec(header) : null;
      if (match === null) throw new InvalidAccessTokenError('The Authorization header is not "Bearer <jwt>"');
      request.principal = tokens.verify(match[1]!);
      return undefined;
    } catch (error) {
      if (!(error instanceof InvalidAccessTokenError)) throw error;
      reply.header(
        'www-authenticate',
        'Bearer error="invalid_token", error_description="The access token is invalid or expired"',
      );
      return sendProblem(reply, problem(401, 'auth.invalid_token', 'The access token is invalid or expired'));
    }
  };
  const superuser: AuthHook = async (request, reply) => {
    // Not `member`'s answer: a sent Reply is a thenable, which `await` turns into undefined.
    await member(request, reply);
    if (reply.sent) return reply;
    if (request.principal?.role !== 'superuser') {
      return sendProblem(reply, problem(403, 'auth.forbidden', 'Only a superuser may do this'));
    }
    return undefined;
  };
  return { member, superuser };
}
