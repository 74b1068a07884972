import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { MessageBus } from '../../../shared/application/message-bus.ts';
import type { Id } from '../../../shared/domain/id.ts';
import { IdParams, ListQuery, PageOf, pageRequest, pathId, problems } from '../../../shared/http/schemas.ts';
import type { MemberQueries } from '../application/queries.ts';
import { MemberNotFoundError } from '../domain/errors.ts';
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
}

const tags = ['members'];

/** A path id that is not a possible id names no member. */
function memberId(raw: string): Id {
  const id = pathId(raw);
  if (id === undefined) throw new MemberNotFoundError(raw);
  return id;
}

export async function memberRoutes(
  app: FastifyInstance,
  { bus, queries }: MemberRoutesDependencies,
): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post(
    '/members',
    {
      schema: {
        tags,
        summary: 'Register a member',
        description: 'Signs a new member up. The email must not belong to another active member.',
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
        description: 'Active members in id order, keyset-paginated.',
        querystring: ListQuery,
        response: { 200: PageOf(MemberSchema), ...problems(422) },
      },
    },
    async (request) => queries.list(pageRequest(request.query)),
  );

  api.get(
    '/members/:id',
    {
      schema: {
        tags,
        summary: 'Get a member',
        params: IdParams,
        response: { 200: MemberSchema, ...problems(404, 422) },
      },
    },
    async (request) => {
      const id = memberId(request.params.id);
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
        params: IdParams,
        body: UpdateProfileBody,
        response: { 200: MemberSchema, ...problems(400, 404, 409, 415, 422) },
      },
    },
    async (request) =>
      bus.execute({
        type: 'accounts.update_member_profile',
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
        description: 'The new email must not belong to another active member.',
        params: IdParams,
        body: ChangeEmailBody,
        response: { 200: MemberSchema, ...problems(400, 404, 409, 415, 422) },
      },
    },
    async (request) =>
      bus.execute({
        type: 'accounts.change_member_email',
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
        description: 'The new password must meet the policy; `current_passwd`, when given, must be correct.',
        params: IdParams,
        body: ChangePasswordBody,
        response: { 200: MemberSchema, ...problems(400, 404, 409, 415, 422) },
      },
    },
    async (request) =>
      bus.execute({
        type: 'accounts.change_member_password',
        memberId: memberId(request.params.id),
        password: request.body.passwd,
        ...(request.body.current_passwd === undefined
          ? {}
          : { currentPassword: request.body.current_passwd }),
      }),
  );

  api.delete(
    '/members/:id',
    {
      schema: {
        tags,
        summary: 'Delete a member',
        description: 'Soft delete: the member disappears from the API and the email can be registered again.',
        params: IdParams,
        response: { 204: { type: 'null', description: 'Deleted' }, ...problems(404, 409, 422) },
      },
    },
    async (request, reply) => {
      await bus.execute({ type: 'accounts.delete_member', memberId: memberId(request.params.id) });
      return reply.status(204).send(null);
    },
  );
}
