import { sql } from 'kysely';
import type { App } from '../../src/app.ts';
import { projectsCommandHandlers } from '../../src/contexts/projects/application/commands.ts';
import type { ProjectsRepositories } from '../../src/contexts/projects/application/dependencies.ts';
import { IncompleteTaskLimit } from '../../src/contexts/projects/domain/incomplete-task-limit.ts';
import { Project } from '../../src/contexts/projects/domain/project.ts';
import { ProjectName } from '../../src/contexts/projects/domain/project-name.ts';
import { TaskName } from '../../src/contexts/projects/domain/task-name.ts';
import { projects as projectsContext } from '../../src/contexts/projects/index.ts';
import {
  InMemoryProjectRepository,
  type StoredDepartedOwner,
  type StoredProject,
  type StoredTask,
} from '../../src/contexts/projects/infrastructure/in-memory-project-repository.ts';
import { MessageBus } from '../../src/shared/application/message-bus.ts';
import { FixedClock } from '../../src/shared/domain/clock.ts';
import type { DomainEvent } from '../../src/shared/domain/domain-event.ts';
import type { DomainTools } from '../../src/shared/domain/domain-tools.ts';
import { Id, SnowflakeIdGenerator } from '../../src/shared/domain/id.ts';
import { authGuard } from '../../src/shared/http/auth-guard.ts';
import type { AnyEventSubscription } from '../../src/shared/infrastructure/bounded-context.ts';
import {
  InMemoryTable,
  inMemoryUnitOfWorkFactory,
} from '../../src/shared/infrastructure/in-memory-unit-of-work.ts';
import { LoggingMailer } from '../../src/shared/infrastructure/logging-mailer.ts';
import { signedUpMember } from './members.ts';

/** A fixed clock and an id generator on it: deterministic domain tools. */
export function fixedTools(start = '2026-06-01T10:00:00.000Z'): DomainTools & { clock: FixedClock } {
  const clock = new FixedClock(start);
  return { clock, ids: new SnowflakeIdGenerator(4, clock) };
}

export const ADA = Id.of('1001');
export const GRACE = Id.of('1002');

/**
 * An Object Mother for projects: `aProject().withLimit(3).withTasks('Write', 'Test').completing(1).build()`.
 * The project is built through its own methods, and its creation events are pulled, so a test
 * sees only the events of what it does next.
 */
export function aProject(tools: DomainTools = fixedTools()) {
  let owner = ADA;
  let name = 'Garden shed';
  let limit: number | null = null;
  let tasks: string[] = [];
  let completed: number[] = [];
  let archived = false;
  const builder = {
    ownedBy(member: Id) {
      owner = member;
      return builder;
    },
    named(value: string) {
      name = value;
      return builder;
    },
    withLimit(value: number | null) {
      limit = value;
      return builder;
    },
    withTasks(...names: string[]) {
      tasks = names;
      return builder;
    },
    completing(...numbers: number[]) {
      completed = numbers;
      return builder;
    },
    archived() {
      archived = true;
      return builder;
    },
    build(): Project {
      const project = Project.create(
        {
          owner,
          name: ProjectName.parse(name),
          limit: limit === null ? null : IncompleteTaskLimit.of(limit),
        },
        tools,
      );
      // Each task is completed as soon as it is added, so a limit counts only the open ones.
      for (const task of tasks) {
        const { number } = project.addTask(TaskName.parse(task), tools);
        if (completed.includes(number)) project.completeTask(number, tools);
      }
      if (archived) project.archive(tools);
      project.pullEvents();
      return project;
    },
  };
  return builder;
}

/**
 * The projects context composed as the app composes it, on in-memory fakes: a bus with the real
 * handlers, a fixed clock, and the stored rows and outbox to look into.
 */
export function inMemoryProjects() {
  const tools = fixedTools();
  const projects = new InMemoryTable<StoredProject>();
  const tasks = new InMemoryTable<StoredTask>();
  const departed = new InMemoryTable<StoredDepartedOwner>();
  const outbox: DomainEvent[] = [];
  const uow = inMemoryUnitOfWorkFactory<ProjectsRepositories>(
    (tracker) => ({ projects: new InMemoryProjectRepository(projects, tasks, departed, tracker) }),
    [projects, tasks, departed],
    outbox,
  );
  const deps = { uow, tools };
  const bus = new MessageBus();
  bus.register(projectsCommandHandlers(deps));
  return {
    bus,
    deps,
    clock: tools.clock,
    projects,
    tasks,
    outbox,
    eventNames: () => outbox.map((event) => event.name),
  };
}

/** An `Authorization` header for a member, minted the way the token endpoint will. */
export function bearer(app: App, memberId: Id): { authorization: string } {
  return { authorization: `Bearer ${app.accessTokens.issue({ memberId, role: 'member' }).token}` };
}

/** A member signed up through the API (`signedUpMember` of members.ts), with their bearer header. */
export async function signedUpOwner(app: App): Promise<{ id: string; headers: { authorization: string } }> {
  const member = await signedUpMember(app);
  return { id: member.id, headers: { authorization: member.auth } };
}

/**
 * The projects context's event subscriptions, started on the app's database and outbox, for
 * tests that deliver events by hand (`handle(event, tx)` inside a transaction) the way the relay will.
 */
export function projectsSubscriptions(app: App): readonly AnyEventSubscription[] {
  const started = projectsContext.start(
    {
      db: app.database.db,
      readDb: app.database.db,
      outbox: app.outbox,
      tools: app.tools,
      bus: new MessageBus(),
      logger: app.http.log,
      accessTokens: app.accessTokens,
      auth: authGuard(app.accessTokens),
      mailer: new LoggingMailer(app.http.log, { withBody: true }),
      publicUrl: 'http://127.0.0.1:8000',
      unitOfWorkObserver: () => ({ rerun: () => {} }),
    },
    {},
  );
  return started.subscriptions ?? [];
}

/** One subscription by its subscriber name. */
/** The projects context's handler of one event (one subscriber, `projects.member_projects`, handles several). */
export function subscription(app: App, event: string): AnyEventSubscription {
  const found = projectsSubscriptions(app).find((s) => s.event === event);
  if (found === undefined) throw new Error(`No projects subscription to ${event}`);
  return found;
}

/** The events the outbox holds for one aggregate, as the relay reads them back. */
export async function outboxEventsOf(app: App, aggregateId: string, name?: string): Promise<DomainEvent[]> {
  const { rows } = await sql<{
    id: string;
    name: string;
    aggregate_type: string;
    aggregate_id: string;
    occurred_at: Date;
    payload: DomainEvent['payload'];
  }>`select id, name, aggregate_type, aggregate_id, occurred_at, payload from shared.outbox
      where aggregate_id = ${aggregateId} order by id`.execute(app.database.db);
  return rows
    .filter((row) => name === undefined || row.name === name)
    .map((row) => ({ ...row, id: Id.of(row.id), aggregate_id: Id.of(row.aggregate_id) }));
}
