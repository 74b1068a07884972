import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onServer, openTestDatabase } from '../../../../test/support/database.ts';
import { ADA, aProject, fixedTools, GRACE } from '../../../../test/support/projects.ts';
import { type RepositorySubject, repositorySubjects } from '../../../../test/support/repository-subjects.ts';
import type { UnitOfWorkFactory } from '../../../shared/application/unit-of-work.ts';
import { ConcurrencyError } from '../../../shared/domain/domain-error.ts';
import { Id } from '../../../shared/domain/id.ts';
import { InMemoryTable } from '../../../shared/infrastructure/in-memory-unit-of-work.ts';
import { Outbox } from '../../../shared/infrastructure/outbox.ts';
import {
  type AggregateTracker,
  kyselyUnitOfWorkFactory,
  type UnitOfWorkScope,
} from '../../../shared/infrastructure/unit-of-work.ts';
import { closeProjectsOfDepartedMember } from '../application/close-projects-of-departed-member.ts';
import type { ProjectsRepositories } from '../application/dependencies.ts';
import { ExampleProjectExistsError, OwnerDepartedError, ProjectArchivedError } from '../domain/errors.ts';
import { exampleProjectFor } from '../domain/example-project.ts';
import { IncompleteTaskLimit } from '../domain/incomplete-task-limit.ts';
import { Project } from '../domain/project.ts';
import { ProjectName } from '../domain/project-name.ts';
import { TaskName } from '../domain/task-name.ts';
import {
  InMemoryProjectRepository,
  type StoredDepartedOwner,
  type StoredProject,
  type StoredTask,
} from './in-memory-project-repository.ts';
import { KyselyProjectRepository } from './kysely-project-repository.ts';

type Subject = RepositorySubject<ProjectsRepositories>;

const tools = fixedTools();

const subjects = repositorySubjects<ProjectsRepositories>({
  inMemory: () => {
    const projects = new InMemoryTable<StoredProject>();
    const tasks = new InMemoryTable<StoredTask>();
    const departed = new InMemoryTable<StoredDepartedOwner>();
    return {
      tables: [projects, tasks, departed],
      repositories: (tracker) => ({
        projects: new InMemoryProjectRepository(projects, tasks, departed, tracker),
      }),
    };
  },
  kysely: (scope, tracker) => ({ projects: new KyselyProjectRepository(scope, tracker) }),
});

for (const [name, make] of Object.entries(subjects)) {
  describe(`ProjectRepository + unit of work: ${name}`, () => {
    let subject: Subject;
    beforeAll(async () => {
      subject = await make();
    });
    afterAll(() => subject.close());

    const stored = async (id: Id, tasks: number[] = []) =>
      subject.uow().run(({ projects }) => projects.byId(id, tasks));

    it('stores a project with its tasks and reads it back equal, with the tasks asked for', async () => {
      const project = aProject(tools).withLimit(5).withTasks('Buy wood', 'Cut wood').completing(2).build();
      await subject.uow().run(({ projects }) => projects.add(project));
      const loaded = await stored(project.id, [1, 2]);
      expect(loaded?.toPrimitives()).toEqual({ ...project.toPrimitives(), version: 1 });
      expect(loaded?.loadedTasks.map((t) => t.toPrimitives())).toEqual(
        project.loadedTasks.map((t) => t.toPrimitives()),
      );
    });

    it('loads only the tasks asked for, and never asks for numbers the project did not hand out', async () => {
      const project = aProject(tools).withTasks('Buy wood', 'Cut wood', 'Paint it').build();
      await subject.uow().run(({ projects }) => projects.add(project));
      expect((await stored(project.id))?.loadedTasks).toEqual([]);
      expect((await stored(project.id, [2]))?.loadedTasks.map((t) => t.number)).toEqual([2]);
      expect(
        (await stored(project.id, [0, -1, 4, 1.5, 2 ** 31, 2 ** 53]))?.loadedTasks.map((t) => t.number),
      ).toEqual([]);
    });

    it('saves new and changed tasks with the counters, without loading the others', async () => {
      const project = aProject(tools).withTasks('Buy wood', 'Cut wood').build();
      await subject.uow().run(({ projects }) => projects.add(project));
      await subject.uow().run(async ({ projects }) => {
        const loaded = (await projects.byId(project.id, [2]))!;
        loaded.completeTask(2, tools);
        loaded.addTask(TaskName.parse('Paint it'), tools);
        loaded.renameTask(2, TaskName.parse('Cut oak'), tools);
        await projects.save(loaded);
      });
      const again = await stored(project.id, [1, 2, 3]);
      expect(again?.toPrimitives()).toMatchObject({
        next_task_number: 4,
        task_count: 3,
        completed_task_count: 1,
        version: 2,
      });
      expect(again?.loadedTasks.map((t) => [t.number, t.name.value, t.isComplete])).toEqual([
        [1, 'Buy wood', false],
        [2, 'Cut oak', true],
        [3, 'Paint it', false],
      ]);
    });

    it('writes nothing when a loaded project did not change', async () => {
      const project = aProject(tools).withTasks('Buy wood').completing(1).build();
      await subject.uow().run(({ projects }) => projects.add(project));
      await subject.uow().run(async ({ projects }) => {
        const loaded = (await projects.byId(project.id, [1]))!;
        loaded.completeTask(1, tools);
        await projects.save(loaded);
      });
      expect((await stored(project.id))?.version).toBe(1);
    });

    it('writes the recorded events to the outbox with the commit, and none on rollback', async () => {
      const before = (await subject.outboxNames()).length;
      const kept = Project.create({ owner: ADA, name: ProjectName.parse('Kept shed') }, tools);
      await subject.uow().run(({ projects }) => projects.add(kept));
      const dropped = aProject(tools).build();
      await expect(
        subject.uow().run(async ({ projects }) => {
          await projects.add(dropped);
          const loaded = (await projects.byId(kept.id))!;
          loaded.rename(ProjectName.parse('Lost name'), tools);
          await projects.save(loaded);
          throw new Error('the command failed after saving');
        }),
      ).rejects.toThrow('the command failed');
      expect((await subject.outboxNames()).slice(before)).toEqual(['projects.project_created']);
      expect(await stored(dropped.id)).toBeUndefined();
      expect((await stored(kept.id))?.name.value).toBe('Kept shed');
    });

    it('hides deleted projects from byId and ownedBy; lists a member’s others in id order', async () => {
      const owner = Id.of(String(9_000_000 + Math.floor(Math.random() * 1_000_000)));
      const first = aProject(tools).ownedBy(owner).build();
      const gone = aProject(tools).ownedBy(owner).archived().build();
      const last = aProject(tools).ownedBy(owner).build();
      const someoneElses = aProject(tools).ownedBy(GRACE).build();
      await subject.uow().run(async ({ projects }) => {
        for (const p of [first, gone, last, someoneElses]) await projects.add(p);
      });
      await subject.uow().run(async ({ projects }) => {
        const loaded = (await projects.byId(gone.id))!;
        loaded.delete(tools);
        await projects.save(loaded);
      });
      expect(await stored(gone.id)).toBeUndefined();
      const owned = await subject.uow().run(({ projects }) => projects.ownedBy(owner));
      expect(owned.map((p) => p.id)).toEqual([first.id, last.id]);
    });

    it('keeps one example project per member, and the transaction stays usable after the refusal', async () => {
      const owner = Id.of(String(20_000_000 + Math.floor(Math.random() * 1_000_000)));
      await subject.uow().run(({ projects }) => projects.add(exampleProjectFor(owner, tools)));
      const other = aProject(tools).ownedBy(owner).build();
      await subject.uow().run(async ({ projects }) => {
        await expect(projects.add(exampleProjectFor(owner, tools))).rejects.toThrow(
          ExampleProjectExistsError,
        );
        await projects.add(other);
      });
      const owned = await subject.uow().run(({ projects }) => projects.ownedBy(owner));
      expect(owned.map((p) => [p.isExample, p.name.value])).toEqual([
        [true, 'My first project'],
        [false, 'Garden shed'],
      ]);
      // Another member's example is no conflict.
      await subject.uow().run(({ projects }) => projects.add(exampleProjectFor(ADA, tools)));
    });

    it('refuses every project of an owner who departed: the example at once, keeping the transaction usable', async () => {
      const owner = Id.of(String(30_000_000 + Math.floor(Math.random() * 1_000_000)));
      const before = (await subject.outboxNames()).length;
      const at = tools.clock.now();
      await subject.uow().run(({ projects }) => projects.recordDeparture(owner, at));
      // Another project, by the time its unit of work commits: the whole unit fails.
      for (const refused of [
        aProject(tools),
        aProject(tools).withTasks('Buy wood', 'Cut wood').completing(1),
      ]) {
        await expect(
          subject.uow().run(({ projects }) => projects.add(refused.ownedBy(owner).build())),
        ).rejects.toThrow(OwnerDepartedError);
      }
      const someoneElses = Project.create({ owner: GRACE, name: ProjectName.parse('Kept shed') }, tools);
      await subject.uow().run(async ({ projects }) => {
        await expect(projects.add(exampleProjectFor(owner, tools))).rejects.toThrow(OwnerDepartedError);
        await projects.add(someoneElses);
      });
      expect(await subject.uow().run(({ projects }) => projects.ownedBy(owner))).toEqual([]);
      expect((await stored(someoneElses.id))?.ownerId).toBe(GRACE);
      // Only GRACE's project's event: none of the refused example project's.
      expect((await subject.outboxNames()).slice(before)).toEqual(['projects.project_created']);
    });

    it('records a departure idempotently, and refuses an example project for the departure even when one exists', async () => {
      const owner = Id.of(String(40_000_000 + Math.floor(Math.random() * 1_000_000)));
      await subject.uow().run(({ projects }) => projects.add(exampleProjectFor(owner, tools)));
      const at = tools.clock.now();
      await subject.uow().run(({ projects }) => projects.recordDeparture(owner, at));
      await subject.uow().run(({ projects }) => projects.recordDeparture(owner, new Date(at.getTime() + 1)));
      await expect(
        subject.uow().run(({ projects }) => projects.add(exampleProjectFor(owner, tools))),
      ).rejects.toThrow(OwnerDepartedError);
    });

    it('refuses to save a project someone else saved since it was loaded', async () => {
      const project = aProject(tools).build();
      await subject.uow().run(({ projects }) => projects.add(project));
      const stale = (await stored(project.id))!;
      await subject.uow().run(async ({ projects }) => {
        const fresh = (await projects.byId(project.id))!;
        fresh.rename(ProjectName.parse('First writer'), tools);
        await projects.save(fresh);
      });
      stale.rename(ProjectName.parse('Second writer'), tools);
      await expect(subject.uow().run(({ projects }) => projects.save(stale))).rejects.toThrow(
        ConcurrencyError,
      );
      expect((await stored(project.id))?.name.value).toBe('First writer');
    });
  });
}

describe.runIf(onServer)('concurrent commands on one project, on the PostgreSQL server', () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let uow: UnitOfWorkFactory<ProjectsRepositories>;
  beforeAll(async () => {
    database = await openTestDatabase();
    uow = kyselyUnitOfWorkFactory(
      database.db,
      (scope, tracker) => ({ projects: new KyselyProjectRepository(scope, tracker) }),
      new Outbox(),
    );
  });
  afterAll(() => database.dispose());

  it('gives ten simultaneous task additions ten distinct numbers, 1 to 10, with no conflict', async () => {
    const project = aProject(tools).build();
    await uow().run(({ projects }) => projects.add(project));
    const numbers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        uow().run(async ({ projects }) => {
          const loaded = (await projects.byId(project.id))!;
          const task = loaded.addTask(TaskName.parse(`Task ${i + 1}`), tools);
          await projects.save(loaded);
          return task.number;
        }),
      ),
    );
    expect([...numbers].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from projects.tasks where project_id = ${project.id.toString()}`.execute(
      database.db,
    );
    expect(rows[0]?.n).toBe('10');
    const stored = await uow().run(({ projects }) => projects.byId(project.id));
    expect(stored?.toPrimitives()).toMatchObject({ next_task_number: 11, task_count: 10, version: 11 });
  });

  it('runs a command that lost a race again, locked, on the winner’s state: a rename overtaken by an archive is refused for the archive, not for the race', async () => {
    const project = aProject(tools).build();
    await uow().run(({ projects }) => projects.add(project));
    let renameLoaded!: () => void;
    const loaded = new Promise<void>((resolve) => {
      renameLoaded = resolve;
    });
    let archiveCommitted!: () => void;
    const archived = new Promise<void>((resolve) => {
      archiveCommitted = resolve;
    });
    const seen: string[] = [];
    const rename = uow().run(async ({ projects }) => {
      const p = (await projects.byId(project.id))!;
      seen.push(`rename loaded ${p.status}`);
      renameLoaded();
      // The first attempt holds no lock: the archive goes through meanwhile.
      await archived;
      p.rename(ProjectName.parse('Too late'), tools);
      await projects.save(p);
    });
    await loaded;
    await uow().run(async ({ projects }) => {
      const p = (await projects.byId(project.id))!;
      p.archive(tools);
      await projects.save(p);
    });
    archiveCommitted();
    await expect(rename).rejects.toThrow(ProjectArchivedError);
    expect(seen).toEqual(['rename loaded active', 'rename loaded archived']);
    const stored = await uow().run(({ projects }) => projects.byId(project.id));
    expect(stored?.toPrimitives()).toMatchObject({ status: 'archived', name: project.toPrimitives().name });
  });

  it('keeps inserting example projects once PostgreSQL plans the prepared insert generically (after five)', async () => {
    const owners = Array.from({ length: 8 }, (_, i) => Id.of(String(41_000 + i)));
    for (const owner of owners)
      await uow().run(({ projects }) => projects.add(exampleProjectFor(owner, tools)));
    await expect(
      uow().run(({ projects }) => projects.add(exampleProjectFor(owners[7]!, tools))),
    ).rejects.toThrow(ExampleProjectExistsError);
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from projects.projects
       where is_example and owner_id in (${sql.join(owners.map(String))})`.execute(database.db);
    expect(rows[0]?.n).toBe('8');
  });

  it('creates one example project when two deliveries of one sign-up race', async () => {
    const owner = Id.of('31337');
    const results = await Promise.allSettled(
      [1, 2].map(() => uow().run(({ projects }) => projects.add(exampleProjectFor(owner, tools)))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(failed.reason).toBeInstanceOf(ExampleProjectExistsError);
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from projects.projects where owner_id = ${owner.toString()}`.execute(database.db);
    expect(rows[0]?.n).toBe('1');
  });
});

describe.runIf(onServer)(
  'a member’s departure racing the creation of their project, on the PostgreSQL server',
  () => {
    let database: Awaited<ReturnType<typeof openTestDatabase>>;
    const repositories = (scope: UnitOfWorkScope, tracker: AggregateTracker) => ({
      projects: new KyselyProjectRepository(scope, tracker),
    });
    let uow: UnitOfWorkFactory<ProjectsRepositories>;
    beforeAll(async () => {
      database = await openTestDatabase();
      uow = kyselyUnitOfWorkFactory(database.db, repositories, new Outbox());
    });
    afterAll(() => database.dispose());

    /** A promise and the function that settles it. */
    function signal(): { promise: Promise<void>; fire: () => void } {
      let fire!: () => void;
      const promise = new Promise<void>((resolve) => {
        fire = resolve;
      });
      return { promise, fire };
    }

    /** Whether `promise` is still pending after a while (it waits for a lock, then). */
    async function stillWaiting(promise: Promise<unknown>): Promise<boolean> {
      const pending = Symbol('pending');
      const settled = await Promise.race([
        promise.then(
          () => 'settled',
          () => 'settled',
        ),
        new Promise((resolve) => setTimeout(() => resolve(pending), 300)),
      ]);
      return settled === pending;
    }

    /** The reaction to the member's deletion, in a transaction of its own (as the relay runs it) held open until `release`. */
    function departure(owner: Id, release: Promise<void>, closed: () => void = () => {}) {
      return database.db.transaction().execute(async (tx) => {
        const result = await closeProjectsOfDepartedMember(
          { type: 'projects.close_projects_of_departed_member', ownerId: owner },
          { uow: kyselyUnitOfWorkFactory(tx, repositories, new Outbox()), tools },
        );
        closed();
        await release;
        return result;
      });
    }

    const liveProjectsOf = async (owner: Id) =>
      Number(
        (
          await sql<{ n: string }>`
          select count(*) as n from projects.projects where owner_id = ${owner.toString()} and deleted_at is null`.execute(
            database.db,
          )
        ).rows[0]?.n,
      );

    it('makes a creation that comes while the departure is being handled wait for it, and then refuses it', async () => {
      const owner = Id.of('51001');
      const commit = signal();
      const handled = signal();
      const reaction = departure(owner, commit.promise, handled.fire);
      await handled.promise;
      const creation = uow().run(({ projects }) => projects.add(aProject(tools).ownedBy(owner).build()));
      creation.catch(() => undefined);
      // Without the lock the INSERT would not wait: it would not see the uncommitted departure, and
      // the reaction has already looked for the member's projects.
      expect(await stillWaiting(creation)).toBe(true);
      commit.fire();
      expect(await reaction).toEqual({ closed: 0 });
      await expect(creation).rejects.toThrow(OwnerDepartedError);
      expect(await liveProjectsOf(owner)).toBe(0);
    });

    it('makes the departure wait for a creation in progress, and then closes its project too', async () => {
      const owner = Id.of('51002');
      const project = aProject(tools).ownedBy(owner).build();
      const inserted = signal();
      const commit = signal();
      // A creation whose INSERT is sent but not yet committed (its unit of work joins a transaction
      // held open here).
      const creation = database.db.transaction().execute(async (tx) => {
        await kyselyUnitOfWorkFactory(tx, repositories, new Outbox())().run(({ projects }) =>
          projects.add(project),
        );
        inserted.fire();
        await commit.promise;
      });
      await inserted.promise;
      const reaction = departure(owner, Promise.resolve());
      // Without the lock the reaction would look now, not see the uncommitted project, and leave it open.
      expect(await stillWaiting(reaction)).toBe(true);
      commit.fire();
      await creation;
      expect(await reaction).toEqual({ closed: 1 });
      expect(await liveProjectsOf(owner)).toBe(0);
    });
  },
);

/** `db` whose `executeQuery` runs through `around` (to act between, or fail after, statements). */
function intercept<T extends object>(
  db: T,
  around: (text: string, run: () => Promise<unknown>) => Promise<unknown>,
): T {
  return new Proxy(db, {
    get(target, property) {
      if (property === 'executeQuery') {
        return (query: { sql: string }) =>
          around(query.sql, () =>
            (target as unknown as { executeQuery: (q: unknown) => Promise<unknown> }).executeQuery(query),
          );
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('the optimistic attempt of a command on a project (both drivers)', () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.dispose());
  const repositories = (scope: UnitOfWorkScope, tracker: AggregateTracker) => ({
    projects: new KyselyProjectRepository(scope, tracker),
  });

  it('reads the project and the tasks it asks for at one moment: no refusal on a torn state', async () => {
    // Another command completes task 1 just before this command reads. Had the row and the task
    // been read apart, around it, the row's count and the task would disagree and reopening
    // task 1 would be refused for the limit, which no serial order does.
    let between: (() => Promise<void>) | undefined;
    const watched = intercept(database.db as object, async (text, run) => {
      if (text.includes('"projects"."projects"') && text.startsWith('/* prepared */ select') && between) {
        const hook = between;
        between = undefined;
        const result = await run();
        await hook();
        return result;
      }
      return run();
    }) as Kysely<unknown>;
    const uow = kyselyUnitOfWorkFactory(watched, repositories, new Outbox());
    const plain = kyselyUnitOfWorkFactory(database.db, repositories, new Outbox());
    const project = aProject(tools).withTasks('Buy wood', 'Cut wood', 'Paint it').completing(3).build();
    await plain().run(({ projects }) => projects.add(project));
    await plain().run(async ({ projects }) => {
      const p = (await projects.byId(project.id))!;
      p.changeIncompleteTaskLimit(IncompleteTaskLimit.of(2), tools);
      await projects.save(p);
    });
    between = () =>
      plain().run(async ({ projects }) => {
        const p = (await projects.byId(project.id, [1]))!;
        p.completeTask(1, tools);
        await projects.save(p);
      });
    await uow().run(async ({ projects }) => {
      const p = (await projects.byId(project.id, [1]))!;
      p.reopenTask(1, tools);
      await projects.save(p);
    });
    expect(between).toBeUndefined(); // the other command did run in between
  });

  it('does not run a command again when its statement failed without a SQLSTATE: it may have committed', async () => {
    let failAfterCommit = false;
    const flaky = intercept(database.db as object, async (text, run) => {
      const result = await run();
      if (failAfterCommit && /^(\/\*[^*]*\*\/ )?with /.test(text)) {
        failAfterCommit = false;
        throw new Error('Connection terminated unexpectedly');
      }
      return result;
    }) as Kysely<unknown>;
    const uow = kyselyUnitOfWorkFactory(flaky, repositories, new Outbox());
    const project = aProject(tools).build();
    await uow().run(({ projects }) => projects.add(project));
    failAfterCommit = true;
    const adding = uow().run(async ({ projects }) => {
      const p = (await projects.byId(project.id))!;
      p.addTask(TaskName.parse('Buy wood'), tools);
      await projects.save(p);
    });
    await expect(adding).rejects.toThrow('Connection terminated unexpectedly');
    const { rows } = await sql<{ number: number }>`
      select number from projects.tasks where project_id = ${project.id.toString()} order by number`.execute(
      database.db,
    );
    expect(rows.map((row) => row.number)).toEqual([1]); // once, not twice
  });
});
