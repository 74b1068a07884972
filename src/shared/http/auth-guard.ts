import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AccessTokens, InvalidAccessTokenError, type Principal } from '../application/access-tokens.ts';
import { problem, sendProblem } from './problem-details.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth guard on routes that require a signed-in caller. */
    principal?: Principal;
  }
}

export type AuthHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

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

/**
 * Reads `Authorization: Bearer <token>` and verifies it with no database hit. A missing token
 * is 401 with `WWW-Authenticate: Bearer`; a bad one adds `error="invalid_token"` (RFC 6750 §3).
 */
export function authGuard(tokens: AccessTokens): AuthGuard {
  const member: AuthHook = async (request, reply) => {
    const header = request.headers.authorization;
    if (header === undefined || header === '') {
      reply.header('www-authenticate', 'Bearer');
      await sendProblem(
        reply,
        problem(401, 'auth.unauthenticated', 'This route needs a bearer access token'),
      );
      return;
    }
    const match = /^Bearer ([A-Za-z0-9_.~+/=-]+)$/i.exec(header);
    try {
      if (match === null)
        throw new InvalidAccessTokenError('The Authorization header is not "Bearer <token>"');
      request.principal = tokens.verify(match[1]!);
    } catch (error) {
      if (!(error instanceof InvalidAccessTokenError)) throw error;
      reply.header(
        'www-authenticate',
        'Bearer error="invalid_token", error_description="The access token is invalid or expired"',
      );
      await sendProblem(reply, problem(401, 'auth.invalid_token', 'The access token is invalid or expired'));
    }
  };
  const superuser: AuthHook = async (request, reply) => {
    await member(request, reply);
    if (reply.sent) return;
    if (request.principal?.role !== 'superuser') {
      await sendProblem(reply, problem(403, 'auth.forbidden', 'Only a superuser may do this'));
    }
  };
  return { member, superuser };
}
