import { type Kysely, sql } from 'kysely';
import type { MessageBus } from '../../shared/application/message-bus.ts';
import { Id } from '../../shared/domain/id.ts';

/** What seeding needs from the running app (the App satisfies it). */
export interface DemoTarget {
  readonly bus: MessageBus;
  readonly database: { readonly db: Kysely<unknown> };
}

interface DemoTask {
  readonly name: string;
  readonly done?: boolean;
}

interface DemoProject {
  readonly name: string;
  readonly limit?: number;
  readonly tasks: readonly DemoTask[];
  /** Where the project ends up; `active` unless told. */
  readonly state?: 'archived' | 'deleted';
}

/** Every state a project and a task can be in, for each demo member. */
export const DEMO_PROJECTS: readonly DemoProject[] = [
  {
    name: 'Garden shed',
    limit: 5,
    tasks: [
      { name: 'Buy wood', done: true },
      { name: 'Cut the planks', done: true },
      { name: 'Build the frame' },
      { name: 'Paint the walls' },
    ],
  },
  {
    name: 'Reading list',
    limit: 2,
    tasks: [
      { name: 'Domain-Driven Design', done: true },
      { name: 'Implementing DDD' },
      { name: 'Release It!' },
    ],
  },
  {
    name: 'Kitchen remodel',
    tasks: [
      { name: 'Pick the tiles', done: true },
      { name: 'Hire a plumber', done: true },
    ],
    state: 'archived',
  },
  { name: 'Old experiments', tasks: [{ name: 'Try the sourdough', done: true }], state: 'deleted' },
];

/**
 * Gives each owner the demo projects, through the same commands the API runs (so every rule
 * and every event applies), and their example project, which the sign-up reaction would make
 * anyway (it is idempotent, so the two never make two). An owner who already has any project
 * of their own, deleted or not, is left alone: running the seed again changes nothing.
 */
export async function seedProjects(app: DemoTarget, ownerIds: readonly Id[]): Promise<string[]> {
  let seeded = 0;
  for (const ownerId of ownerIds) {
    await app.bus.execute({ type: 'projects.create_example_project', ownerId });
    if (await hasOwnProjects(app.database.db, ownerId)) continue;
    for (const demo of DEMO_PROJECTS) await seedProject(app.bus, ownerId, demo);
    seeded += 1;
  }
  return [
    seeded === 0
      ? 'Demo projects: already there; nothing changed.'
      : `Demo projects: ${DEMO_PROJECTS.length} per member for ${seeded} member(s) (active, at its task limit, archived, deleted), plus each member's example project.`,
  ];
}

async function hasOwnProjects(db: Kysely<unknown>, ownerId: Id): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`
    select exists (select 1 from projects.projects where owner_id = ${ownerId.toString()} and not is_example) as found`.execute(
    db,
  );
  return rows[0]?.found === true;
}

async function seedProject(bus: MessageBus, ownerId: Id, demo: DemoProject): Promise<void> {
  const { id } = await bus.execute({
    type: 'projects.create_project',
    ownerId,
    name: demo.name,
    maxIncompleteTasks: demo.limit ?? null,
  });
  const projectId = Id.of(id);
  for (const task of demo.tasks) {
    const { number } = await bus.execute({ type: 'projects.add_task', ownerId, projectId, name: task.name });
    if (task.done) await bus.execute({ type: 'projects.complete_task', ownerId, projectId, number });
  }
  if (demo.state === undefined) return;
  await bus.execute({ type: 'projects.archive_project', ownerId, projectId });
  if (demo.state === 'deleted') await bus.execute({ type: 'projects.delete_project', ownerId, projectId });
}
