import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';

/** The error codes of RFC 6749 §5.2 that these endpoints use. */
export type OAuthErrorCode = 'invalid_request' | 'invalid_grant' | 'unsupported_grant_type';

export const OAuthErrorSchema = Type.Object(
  {
    error: Type.String({ examples: ['invalid_grant'] }),
    error_description: Type.String({ examples: ['The email or password is not correct'] }),
  },
  { $id: 'OAuthError', description: 'An OAuth 2.0 error response (RFC 6749 §5.2)' },
);

/** Token responses are never cached (RFC 6749 §5.1), error responses included. */
export function noStore(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
}

export function sendOAuthError(
  reply: FastifyReply,
  status: number,
  error: OAuthErrorCode,
  description: string,
): FastifyReply {
  noStore(reply);
  return reply.status(status).type('application/json').send({ error, error_description: description });
}

/**
 * The OAuth endpoints' error handler: a request they cannot read (malformed or oversized body,
 * unsupported media type) is answered in RFC 6749 form with its HTTP status; anything else goes
 * on to the application's problem+json handler.
 */
export function oauthRequestErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  const status = error.statusCode;
  if (error.code?.startsWith('FST_ERR_CTP_') && status !== undefined && status >= 400 && status < 500) {
    return sendOAuthError(reply, status, 'invalid_request', error.message);
  }
  throw error;
}
