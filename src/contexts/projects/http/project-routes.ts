import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { MessageBus } from '../../../shared/application/message-bus.ts';
import { type AuthGuard, bearerSecurity, principalOf } from '../../../shared/http/auth-guard.ts';
import { IdParams, PageOf, pageRequest, problems } from '../../../shared/http/schemas.ts';
import type { ProjectQueries } from '../application/queries.ts';
import { ProjectNotFoundError } from '../domain/errors.ts';
import { projectId } from './project-id.ts';
import { CreateProjectBody, ProjectListQuery, ProjectSchema, UpdateProjectBody } from './schemas.ts';

export interface ProjectsRoutesDependencies {
  readonly bus: MessageBus;
  readonly queries: ProjectQueries;
  readonly auth: AuthGuard;
}

const tags = ['projects'];
const NOT_YOURS = 'Another member’s project, a deleted one and one that never existed all answer 404.';

export async function projectRoutes(
  app: FastifyInstance,
  { bus, queries, auth }: ProjectsRoutesDependencies,
): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  // The guard runs first (onRequest), before the body is read or validated: an anonymous caller
  // gets 401 whatever it sent, and costs no parsing.
  const member = { onRequest: auth.member };

  api.post(
    '/projects',
    {
      ...member,
      schema: {
        tags,
        summary: 'Create a project',
        description:
          'Creates an active project owned by the signed-in member, optionally with a limit on incomplete tasks. A member who has deleted their account gets 404 `project.owner_departed` with an access token that has not expired yet.',
        security: bearerSecurity,
        body: CreateProjectBody,
        response: { 201: ProjectSchema, ...problems(400, 401, 404, 415, 422) },
      },
    },
    async (request, reply) => {
      const project = await bus.execute({
        type: 'projects.create_project',
        ownerId: principalOf(request).memberId,
        name: request.body.name,
        maxIncompleteTasks: request.body.max_incomplete_tasks ?? null,
      });
      return reply.status(201).header('location', `/api/v1/projects/${project.id}`).send(project);
    },
  );

  api.get(
    '/projects',
    {
      ...member,
      schema: {
        tags,
        summary: 'List my projects',
        description:
          'The signed-in member’s projects in id order, keyset-paginated, optionally by status. Deleted projects never appear.',
        security: bearerSecurity,
        querystring: ProjectListQuery,
        response: { 200: PageOf(ProjectSchema), ...problems(401, 422) },
      },
    },
    async (request) =>
      queries.list(
        principalOf(request).memberId,
        request.query.status === undefined ? {} : { status: request.query.status },
        pageRequest(request.query),
      ),
  );

  api.get(
    '/projects/:id',
    {
      ...member,
      schema: {
        tags,
        summary: 'Get a project',
        description: `A project with its task counts. ${NOT_YOURS}`,
        security: bearerSecurity,
        params: IdParams,
        response: { 200: ProjectSchema, ...problems(401, 404, 422) },
      },
    },
    async (request) => {
      const project = await queries.byId(principalOf(request).memberId, projectId(request.params.id));
      if (project === undefined) throw new ProjectNotFoundError(request.params.id);
      return project;
    },
  );

  api.patch(
    '/projects/:id',
    {
      ...member,
      schema: {
        tags,
        summary: 'Rename a project or change its limit',
        description:
          'Changes the name and/or `max_incomplete_tasks` (null lifts the limit) together. An archived project cannot be changed (409); a limit below the incomplete tasks there are now is refused (409).',
        security: bearerSecurity,
        params: IdParams,
        body: UpdateProjectBody,
        response: { 200: ProjectSchema, ...problems(400, 401, 404, 409, 415, 422) },
      },
    },
    async (request) =>
      bus.execute({
        type: 'projects.update_project',
        ownerId: principalOf(request).memberId,
        projectId: projectId(request.params.id),
        ...(request.body.name === undefined ? {} : { name: request.body.name }),
        ...(request.body.max_incomplete_tasks === undefined
          ? {}
          : { maxIncompleteTasks: request.body.max_incomplete_tasks }),
      }),
  );

  api.post(
    '/projects/:id/archive',
    {
      ...member,
      schema: {
        tags,
        summary: 'Archive a project',
        description:
          'Only an active project whose every task is complete can be archived; otherwise 409 says how many tasks are not. An archived project is read-only until unarchived.',
        security: bearerSecurity,
        params: IdParams,
        response: { 200: ProjectSchema, ...problems(401, 404, 409, 422) },
      },
    },
    async (request) =>
      bus.execute({
        type: 'projects.archive_project',
        ownerId: principalOf(request).memberId,
        projectId: projectId(request.params.id),
      }),
  );

  api.post(
    '/projects/:id/unarchive',
    {
      ...member,
      schema: {
        tags,
        summary: 'Unarchive a project',
        description: 'Makes an archived project active again; 409 when it is not archived.',
        security: bearerSecurity,
        params: IdParams,
        response: { 200: ProjectSchema, ...problems(401, 404, 409, 422) },
      },
    },
    async (request) =>
      bus.execute({
        type: 'projects.unarchive_project',
        ownerId: principalOf(request).memberId,
        projectId: projectId(request.params.id),
      }),
  );

  api.delete(
    '/projects/:id',
    {
      ...member,
      schema: {
        tags,
        summary: 'Delete a project',
        description:
          'Soft delete of an archived project (409 when it is not archived): it is never shown again, its rows stay for audit.',
        security: bearerSecurity,
        params: IdParams,
        response: { 204: { type: 'null', description: 'Deleted' }, ...problems(401, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      await bus.execute({
        type: 'projects.delete_project',
        ownerId: principalOf(request).memberId,
        projectId: projectId(request.params.id),
      });
      return reply.status(204).send(null);
    },
  );
}
