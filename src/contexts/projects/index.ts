import type { Transaction } from 'kysely';
import type { DomainEvent } from '../../shared/domain/domain-event.ts';
import { Id } from '../../shared/domain/id.ts';
import type { BoundedContext } from '../../shared/infrastructure/bounded-context.ts';
import {
  type AggregateTracker,
  kyselyUnitOfWorkFactory,
  type UnitOfWorkScope,
} from '../../shared/infrastructure/unit-of-work.ts';
import { closeProjectsOfDepartedMember } from './application/close-projects-of-departed-member.ts';
import { projectsCommandHandlers, projectsCommandTypes } from './application/commands.ts';
import { createExampleProject } from './application/create-example-project.ts';
import type { ProjectsDependencies, ProjectsRepositories } from './application/dependencies.ts';
import { projectsErrorStatuses } from './http/error-statuses.ts';
import { projectRoutes } from './http/project-routes.ts';
import { taskRoutes } from './http/task-routes.ts';
import { KyselyProjectQueries } from './infrastructure/kysely-project-queries.ts';
import { KyselyProjectRepository } from './infrastructure/kysely-project-repository.ts';

/** The projects context's subscriber to a member's events (migration 20261130_0200 renamed the two it replaced). */
const MEMBER_PROJECTS = 'projects.member_projects';

/**
 * The member an accounts event is about. Read from the event itself, never from the accounts
 * context: its events are the contract. (From the outbox the id may arrive as decimal text.)
 */
function memberOf(event: DomainEvent): Id {
  return Id.of(event.aggregate_id as bigint | string);
}

/** The projects context: members' projects and their tasks. */
export const projects: BoundedContext = {
  name: 'projects',
  migrations: new URL('./infrastructure/migrations/', import.meta.url),
  errorStatuses: projectsErrorStatuses,
  commandTypes: projectsCommandTypes,
  tags: [
    { name: 'projects', description: 'A member’s projects: create, rename, limit, archive, delete' },
    { name: 'tasks', description: 'The tasks of a project: add, rename, complete, reopen' },
  ],

  start({ db, readDb, outbox, tools, bus, auth, unitOfWorkObserver }) {
    const repositories = (scope: UnitOfWorkScope, tracker: AggregateTracker): ProjectsRepositories => ({
      projects: new KyselyProjectRepository(scope, tracker),
    });
    const uow = kyselyUnitOfWorkFactory(db, repositories, outbox, unitOfWorkObserver('projects'));
    bus.register(projectsCommandHandlers({ uow, tools }));
    // A reaction's unit of work joins the delivery's transaction, so the change, the events it
    // records and the relay's "processed" mark commit together or not at all.
    const inDelivery = (tx: Transaction<unknown>): ProjectsDependencies => ({
      uow: kyselyUnitOfWorkFactory(tx, repositories, outbox),
      tools,
    });
    const queries = new KyselyProjectQueries(readDb);
    return {
      routes: async (app) => {
        await projectRoutes(app, { bus, queries, auth });
        await taskRoutes(app, { bus, queries, auth });
      },
      subscriptions: [
        // One subscriber name for both: deliveries of one subscriber are ordered per aggregate, so
        // a member's deletion reaches this context only once their sign-up was handled. Under two
        // names the deletion could go first, and the example project then made for the departed
        // member stayed open for good.
        {
          event: 'accounts.member_registered',
          subscriber: MEMBER_PROJECTS,
          onlyDatabaseEffects: true,
          async handle(event, tx) {
            await createExampleProject(
              { type: 'projects.create_example_project', ownerId: memberOf(event) },
              inDelivery(tx),
            );
          },
        },
        {
          event: 'accounts.member_deleted',
          subscriber: MEMBER_PROJECTS,
          onlyDatabaseEffects: true,
          async handle(event, tx) {
            await closeProjectsOfDepartedMember(
              { type: 'projects.close_projects_of_departed_member', ownerId: memberOf(event) },
              inDelivery(tx),
            );
          },
        },
      ],
    };
  },
};
