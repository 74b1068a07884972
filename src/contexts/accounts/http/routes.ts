import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MessageBus } from '../../../shared/application/message-bus.ts';
import type { RateLimiter, RateLimitRule } from '../../../shared/application/rate-limiter.ts';
import type { Id } from '../../../shared/domain/id.ts';
import { type AuthGuard, bearerSecurity, principalOf } from '../../../shared/http/auth-guard.ts';
import { giveAttemptBack, sendRateLimited } from '../../../shared/http/rate-limit.ts';
import { IdParams, ListQuery, PageOf, pageRequest, pathId, problems } from '../../../shared/http/schemas.ts';
import { type Actor, ensureMayManage } from '../application/actor.ts';
import type { MemberQueries } from '../application/queries.ts';
import { MemberNotFoundError, WrongPasswordError } from '../domain/errors.ts';
import {
  ChangeEmailBody,
  ChangePasswordBody,
  MemberSchema,
  RegisterMemberBody,
  UpdateProfileBody,
} from './schemas.ts';

export interface MemberRoutesDependencies {
  readonly bus: MessageBus;
  readonly queries: MemberQueries;
  readonly auth: AuthGuard;
  readonly limiter: RateLimiter;
  /** Wrong current passwords per member before PATCH …/password answers 429. */
  readonly passwordChecks: RateLimitRule;
}

const tags = ['members'];
const SELF_OR_SUPERUSER = 'Allowed to the member themself and to superusers; anyone else gets 403.';

/** A path id that is not a possible id names no member. */
function memberId(raw: string): Id {
  const id = pathId(raw);
  if (id === undefined) throw new MemberNotFoundError(raw);
  return id;
}

/** The signed-in caller as the use cases see it. */
function actorOf(request: FastifyRequest): Actor {
  const { memberId, role } = principalOf(request);
  return { kind: 'member', memberId, role };
}

/**
 * The members API. Every route but sign-up needs a bearer token, checked in `onRequest`, before
 * the body is read or validated: an anonymous caller learns nothing about the schema.
 */
export async function memberRoutes(
  app: FastifyInstance,
  { bus, queries, auth, limiter, passwordChecks }: MemberRoutesDependencies,
): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post(
    '/members',
    {
      schema: {
        tags,
        summary: 'Register a member',
        description:
          'Signs a new member up; open to anyone. The email must not belong to another active member.',
        body: RegisterMemberBody,
        response: { 201: MemberSchema, ...problems(400, 409, 415, 422) },
      },
    },
    async (request, reply) => {
      const { email, passwd, name } = request.body;
      const member = await bus.execute({ type: 'accounts.register_member', email, password: passwd, name });
      return reply.status(201).header('location', `/api/v1/members/${member.id}`).send(member);
    },
  );

  api.get(
    '/members',
    {
      schema: {
        tags,
        summary: 'List members',
        description: 'Active members in id order, keyset-paginated. Superusers only.',
        security: bearerSecurity,
        querystring: ListQuery,
        response: { 200: PageOf(MemberSchema), ...problems(401, 403, 422) },
      },
      onRequest: auth.superuser,
    },
    async (request) => queries.list(pageRequest(request.query)),
  );

  api.get(
    '/members/me',
    {
      schema: {
        tags,
        summary: 'Get the signed-in member',
        description: 'The member the access token was issued to; 404 once that member is deleted.',
        security: bearerSecurity,
        response: { 200: MemberSchema, ...problems(401, 404) },
      },
      onRequest: auth.member,
    },
    async (request) => {
      const { memberId: id } = principalOf(request);
      const member = await queries.byId(id);
      if (member === undefined) throw new MemberNotFoundError(id.toString());
      return member;
    },
  );

  api.get(
    '/members/:id',
    {
      schema: {
        tags,
        summary: 'Get a member',
        description: SELF_OR_SUPERUSER,
        security: bearerSecurity,
        params: IdParams,
        response: { 200: MemberSchema, ...problems(401, 403, 404, 422) },
      },
      onRequest: auth.member,
    },
    async (request) => {
      const id = memberId(request.params.id);
      ensureMayManage(actorOf(request), id);
      const member = await queries.byId(id);
      if (member === undefined) throw new MemberNotFoundError(request.params.id);
      return member;
    },
  );

  api.patch(
    '/members/:id',
    {
      schema: {
        tags,
        summary: "Update a member's profile",
        description: SELF_OR_SUPERUSER,
        security: bearerSecurity,
        params: IdParams,
        body: UpdateProfileBody,
        response: { 200: MemberSchema, ...problems(400, 401, 403, 404, 409, 415, 422) },
      },
      onRequest: auth.member,
    },
    async (request) =>
      bus.execute({
        type: 'accounts.update_member_profile',
        actor: actorOf(request),
        memberId: memberId(request.params.id),
        name: request.body.name,
      }),
  );

  api.patch(
    '/members/:id/email',
    {
      schema: {
        tags,
        summary: "Change a member's email",
        description: `The new email must not belong to another active member. ${SELF_OR_SUPERUSER}`,
        security: bearerSecurity,
        params: IdParams,
        body: ChangeEmailBody,
        response: { 200: MemberSchema, ...problems(400, 401, 403, 404, 409, 415, 422) },
      },
      onRequest: auth.member,
    },
    async (request) =>
      bus.execute({
        type: 'accounts.change_member_email',
        actor: actorOf(request),
        memberId: memberId(request.params.id),
        email: request.body.email,
      }),
  );

  api.patch(
    '/members/:id/password',
    {
      schema: {
        tags,
        summary: "Change a member's password",
        description: [
          'The new password must meet the policy. Members changing their own password give the current one',
          "in `current_passwd`; a superuser resetting another member's password leaves it out (when given,",
          'it must be correct). Every session of the member is revoked: refresh tokens stop working.',
          'Wrong current passwords are limited per member like failed sign-ins (429 with Retry-After).',
          SELF_OR_SUPERUSER,
        ].join(' '),
        security: bearerSecurity,
        params: IdParams,
        body: ChangePasswordBody,
        response: { 200: MemberSchema, ...problems(400, 401, 403, 404, 409, 415, 422, 429) },
      },
      onRequest: auth.member,
    },
    async (request, reply) => {
      const id = memberId(request.params.id);
      // Counted before the check, so parallel guesses cannot all slip under the limit; every
      // answer but "wrong current password" gives its attempt back.
      const attempt = await limiter.attempt(passwordChecks, id.toString());
      if (!attempt.allowed) return sendRateLimited(reply, attempt.retryAfterSeconds);
      try {
        const member = await bus.execute({
          type: 'accounts.change_member_password',
          actor: actorOf(request),
          memberId: id,
          password: request.body.passwd,
          ...(request.body.current_passwd === undefined
            ? {}
            : { currentPassword: request.body.current_passwd }),
        });
        await giveAttemptBack(attempt, request);
        return member;
      } catch (error) {
        if (!(error instanceof WrongPasswordError)) await giveAttemptBack(attempt, request);
        throw error;
      }
    },
  );

  api.delete(
    '/members/:id',
    {
      schema: {
        tags,
        summary: 'Delete a member',
        description: [
          'Soft delete: the member disappears from the API, the email can be registered again, and every',
          'session of the member is revoked. A superuser cannot delete their own account (403).',
          SELF_OR_SUPERUSER,
        ].join(' '),
        security: bearerSecurity,
        params: IdParams,
        response: { 204: { type: 'null', description: 'Deleted' }, ...problems(401, 403, 404, 409, 422) },
      },
      onRequest: auth.member,
    },
    async (request, reply) => {
      await bus.execute({
        type: 'accounts.delete_member',
        actor: actorOf(request),
        memberId: memberId(request.params.id),
      });
      return reply.status(204).send(null);
    },
  );
}
