import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { bearerSecurity, principalOf } from '../../../shared/http/auth-guard.ts';
import { IdParams, PageOf, pageRequest, problems } from '../../../shared/http/schemas.ts';
import { ProjectNotFoundError, TaskNotFoundError } from '../domain/errors.ts';
import { projectId } from './project-id.ts';
import type { ProjectsRoutesDependencies } from './project-routes.ts';
import { TaskBody, TaskListQuery, TaskParams, TaskSchema } from './schemas.ts';

const tags = ['tasks'];

export async function taskRoutes(
  app: FastifyInstance,
  { bus, queries, auth }: ProjectsRoutesDependencies,
): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  // The guard runs first (onRequest), before the body is read or validated: an anonymous caller
  // gets 401 whatever it sent, and costs no parsing.
  const member = { onRequest: auth.member };

  api.post(
    '/projects/:id/tasks',
    {
      ...member,
      schema: {
        tags,
        summary: 'Add a task',
        description:
          'Adds an open task numbered one past the project’s last task. Concurrent adds to one project all succeed with distinct numbers. 409 when the project is archived or its incomplete-task limit is reached.',
        security: bearerSecurity,
        params: IdParams,
        body: TaskBody,
        response: { 201: TaskSchema, ...problems(400, 401, 404, 409, 415, 422) },
      },
    },
    async (request, reply) => {
      const id = projectId(request.params.id);
      const task = await bus.execute({
        type: 'projects.add_task',
        ownerId: principalOf(request).memberId,
        projectId: id,
        name: request.body.name,
      });
      return reply.status(201).header('location', `/api/v1/projects/${id}/tasks/${task.number}`).send(task);
    },
  );

  api.get(
    '/projects/:id/tasks',
    {
      ...member,
      schema: {
        tags,
        summary: 'List a project’s tasks',
        description:
          'Tasks in number order, keyset-paginated, optionally only completed (`completed=true`) or open ones.',
        security: bearerSecurity,
        params: IdParams,
        querystring: TaskListQuery,
        response: { 200: PageOf(TaskSchema), ...problems(401, 404, 422) },
      },
    },
    async (request) => {
      const page = await queries.tasks(
        principalOf(request).memberId,
        projectId(request.params.id),
        request.query.completed === undefined ? {} : { completed: request.query.completed },
        pageRequest(request.query),
      );
      if (page === undefined) throw new ProjectNotFoundError(request.params.id);
      return page;
    },
  );

  api.get(
    '/projects/:id/tasks/:number',
    {
      ...member,
      schema: {
        tags,
        summary: 'Get a task',
        security: bearerSecurity,
        params: TaskParams,
        response: { 200: TaskSchema, ...problems(401, 404, 422) },
      },
    },
    async (request) => {
      const { id, number } = request.params;
      const found = await queries.task(principalOf(request).memberId, projectId(id), number);
      if (found.project === 'missing') throw new ProjectNotFoundError(id);
      if (found.task === undefined) throw new TaskNotFoundError(id, number);
      return found.task;
    },
  );

  api.patch(
    '/projects/:id/tasks/:number',
    {
      ...member,
      schema: {
        tags,
        summary: 'Rename a task',
        description: '409 when the project is archived.',
        security: bearerSecurity,
        params: TaskParams,
        body: TaskBody,
        response: { 200: TaskSchema, ...problems(400, 401, 404, 409, 415, 422) },
      },
    },
    async (request) =>
      bus.execute({
        type: 'projects.rename_task',
        ownerId: principalOf(request).memberId,
        projectId: projectId(request.params.id),
        number: request.params.number,
        name: request.body.name,
      }),
  );

  api.post(
    '/projects/:id/tasks/:number/complete',
    {
      ...member,
      schema: {
        tags,
        summary: 'Complete a task',
        description:
          'Idempotent: completing a completed task answers it unchanged, with its first `completed_at`.',
        security: bearerSecurity,
        params: TaskParams,
        response: { 200: TaskSchema, ...problems(401, 404, 409, 422) },
      },
    },
    async (request) =>
      bus.execute({
        type: 'projects.complete_task',
        ownerId: principalOf(request).memberId,
        projectId: projectId(request.params.id),
        number: request.params.number,
      }),
  );

  api.post(
    '/projects/:id/tasks/:number/incomplete',
    {
      ...member,
      schema: {
        tags,
        summary: 'Mark a task incomplete',
        description:
          'Idempotent. Reopening counts against the incomplete-task limit like adding does (409), and an archived project’s tasks stay complete (409).',
        security: bearerSecurity,
        params: TaskParams,
        response: { 200: TaskSchema, ...problems(401, 404, 409, 422) },
      },
    },
    async (request) =>
      bus.execute({
        type: 'projects.reopen_task',
        ownerId: principalOf(request).memberId,
        projectId: projectId(request.params.id),
        number: request.params.number,
      }),
  );
}
