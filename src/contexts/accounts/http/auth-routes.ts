import formbody from '@fastify/formbody';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { MessageBus } from '../../../shared/application/message-bus.ts';
import type { RateLimiter, RateLimitRule } from '../../../shared/application/rate-limiter.ts';
import { giveAttemptBack, limitPerClientIp, sendRateLimited } from '../../../shared/http/rate-limit.ts';
import { problems } from '../../../shared/http/schemas.ts';
import type { TokenGrant } from '../application/token-grant.ts';
import { InvalidGrantError } from '../domain/errors.ts';
import {
  PasswordRecoveryBody,
  PasswordResetBody,
  RecoveryAccepted,
  RevokeRequestBody,
  TokenGrantSchema,
  TokenRequestBody,
} from './auth-schemas.ts';
import { noStore, OAuthErrorSchema, oauthRequestErrors, sendOAuthError } from './oauth-errors.ts';

/** The limits of DESIGN's auth section, each configurable through RATE_LIMIT_*. */
export interface AuthRateLimits {
  /** Failed sign-ins per account (successful ones give their attempt back). */
  readonly tokenPerAccount: RateLimitRule;
  /** Wrong current passwords given to PATCH /members/{id}/password, per member. */
  readonly passwordChangePerMember: RateLimitRule;
  /** Every request to /auth/token per client IP. */
  readonly tokenPerIp: RateLimitRule;
  readonly recoveryPerEmail: RateLimitRule;
  readonly recoveryPerIp: RateLimitRule;
}

export interface AuthRoutesDependencies {
  readonly bus: MessageBus;
  readonly limiter: RateLimiter;
  readonly limits: AuthRateLimits;
}

const tags = ['auth'];
const FORM_OR_JSON = ['application/x-www-form-urlencoded', 'application/json'];

/** RFC 6749 §3.2: "parameters sent without a value MUST be treated as if they were omitted". */
const given = (value: string | undefined): string | undefined => (value === '' ? undefined : value);

/** The subject of the per-account limit: the username as the client typed it, normalised, known or not. */
const accountKey = (username: string): string => username.trim().toLowerCase();

export async function authRoutes(app: FastifyInstance, deps: AuthRoutesDependencies): Promise<void> {
  const { bus, limiter, limits } = deps;

  // The OAuth endpoints take form bodies, as RFC 6749 requires; every other route stays JSON-only,
  // so the form parser is registered in this scope alone.
  await app.register(async (oauth) => {
    await oauth.register(formbody, { bodyLimit: 16 * 1024 });
    const api = oauth.withTypeProvider<TypeBoxTypeProvider>();

    api.post(
      '/auth/token',
      {
        schema: {
          tags,
          summary: 'Get tokens (OAuth2 password and refresh_token grants)',
          description: [
            '`grant_type=password` with `username` (the email) and `password` signs in: a short-lived access',
            'token and a refresh token. `grant_type=refresh_token` exchanges a refresh token for a new pair;',
            'the old refresh token is spent, and presenting a spent one revokes the whole session.',
            'Errors follow RFC 6749 §5.2. Form-encoded (as RFC 6749 requires) or JSON.',
            'Limits: failed sign-ins per account and requests per IP (429 with Retry-After).',
          ].join(' '),
          consumes: FORM_OR_JSON,
          body: TokenRequestBody,
          response: {
            200: TokenGrantSchema,
            400: OAuthErrorSchema,
            413: OAuthErrorSchema,
            415: OAuthErrorSchema,
            ...problems(429),
          },
        },
        attachValidation: true,
        onRequest: limitPerClientIp(limiter, limits.tokenPerIp),
        errorHandler: oauthRequestErrors,
      },
      async (request, reply) => {
        noStore(reply);
        if (request.validationError !== undefined) {
          return sendOAuthError(reply, 400, 'invalid_request', request.validationError.message);
        }
        const body = request.body;
        const grantType = given(body.grant_type);
        if (grantType === 'password') {
          const username = given(body.username);
          const password = given(body.password);
          if (username === undefined || password === undefined) {
            return sendOAuthError(
              reply,
              400,
              'invalid_request',
              'The password grant needs username and password',
            );
          }
          const attempt = await limiter.attempt(limits.tokenPerAccount, accountKey(username));
          if (!attempt.allowed) return sendRateLimited(reply, attempt.retryAfterSeconds);
          let grant: TokenGrant;
          try {
            grant = await bus.execute({ type: 'accounts.sign_in', email: username, password });
          } catch (error) {
            return invalidGrant(reply, error);
          }
          // Only failures count against the account: a member who signs in is not an attacker.
          // The member is signed in by now; a counter that cannot be corrected must not undo that.
          await giveAttemptBack(attempt, request);
          return grant;
        }
        if (grantType === 'refresh_token') {
          const refreshToken = given(body.refresh_token);
          if (refreshToken === undefined) {
            return sendOAuthError(
              reply,
              400,
              'invalid_request',
              'The refresh_token grant needs refresh_token',
            );
          }
          try {
            return await bus.execute({ type: 'accounts.refresh_session', refreshToken });
          } catch (error) {
            return invalidGrant(reply, error);
          }
        }
        if (grantType === undefined)
          return sendOAuthError(reply, 400, 'invalid_request', 'grant_type is missing');
        return sendOAuthError(
          reply,
          400,
          'unsupported_grant_type',
          'grant_type is password or refresh_token',
        );
      },
    );

    api.post(
      '/auth/revoke',
      {
        schema: {
          tags,
          summary: 'Revoke a refresh token (sign out, RFC 7009)',
          description:
            'Ends the session the refresh token belongs to. Answers 200 for any token, unknown ones included (RFC 7009 §2.2). Access tokens cannot be revoked: they expire within minutes.',
          consumes: FORM_OR_JSON,
          body: RevokeRequestBody,
          response: {
            200: { description: 'The token no longer works (or never did); the body is empty' },
            400: OAuthErrorSchema,
            413: OAuthErrorSchema,
            415: OAuthErrorSchema,
          },
        },
        attachValidation: true,
        errorHandler: oauthRequestErrors,
      },
      async (request, reply) => {
        if (request.validationError !== undefined) {
          return sendOAuthError(reply, 400, 'invalid_request', request.validationError.message);
        }
        const token = given(request.body.token);
        if (token === undefined) return sendOAuthError(reply, 400, 'invalid_request', 'token is missing');
        await bus.execute({ type: 'accounts.revoke_refresh_token', token });
        noStore(reply);
        // RFC 7009 §2.2: the client ignores the body; none is sent.
        return reply.status(200).send('');
      },
    );
  });

  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post(
    '/auth/password-recovery',
    {
      schema: {
        tags,
        summary: 'Ask for a password reset link',
        description:
          'Mails a single-use link, valid for 30 minutes, when the email belongs to a member. The answer is 202 either way, so it does not tell whether the email is registered.',
        body: PasswordRecoveryBody,
        response: { 202: RecoveryAccepted, ...problems(400, 415, 422, 429) },
      },
      onRequest: limitPerClientIp(limiter, limits.recoveryPerIp),
    },
    async (request, reply) => {
      const attempt = await limiter.attempt(limits.recoveryPerEmail, accountKey(request.body.email));
      if (!attempt.allowed) return sendRateLimited(reply, attempt.retryAfterSeconds);
      await bus.execute({ type: 'accounts.request_password_recovery', email: request.body.email });
      return reply
        .status(202)
        .send({ message: 'If this email belongs to a member, a reset link is on its way' });
    },
  );

  api.post(
    '/auth/password-reset',
    {
      schema: {
        tags,
        summary: 'Set a new password with a reset token',
        description:
          'Spends the token from the mailed link, sets the new password (the policy applies) and signs the member out everywhere (every refresh token is revoked).',
        body: PasswordResetBody,
        response: { 204: { type: 'null', description: 'The password is set' }, ...problems(400, 415, 422) },
      },
    },
    async (request, reply) => {
      await bus.execute({
        type: 'accounts.reset_password',
        token: request.body.token,
        password: request.body.passwd,
      });
      return reply.status(204).send(null);
    },
  );
}

/** A failed grant becomes the RFC 6749 `invalid_grant` answer; anything else stays an error. */
function invalidGrant(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof InvalidGrantError) return sendOAuthError(reply, 400, 'invalid_grant', error.message);
  throw error;
}
