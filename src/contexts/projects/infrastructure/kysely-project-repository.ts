import { type Kysely, type Selectable, sql } from 'kysely';
import { Id } from '../../../shared/domain/id.ts';
import { everyColumn, prepared } from '../../../shared/infrastructure/prepared-statements.ts';
import {
  type StatementParameter,
  StatementsByShape,
} from '../../../shared/infrastructure/statements-by-shape.ts';
import type { AggregateTracker, UnitOfWorkScope } from '../../../shared/infrastructure/unit-of-work.ts';
import { ExampleProjectExistsError, OwnerDepartedError } from '../domain/errors.ts';
import { Project, type ProjectPrimitives } from '../domain/project.ts';
import type { ProjectRepository } from '../domain/project-repository.ts';
import type { TaskPrimitives } from '../domain/task.ts';
import type { ProjectsTable, ProjectsTables } from './tables.ts';

/**
 * Projects in PostgreSQL. A project is loaded `forChange`: on a unit of work's first attempt
 * without a lock (two pipelined lookups, then one autocommitted statement that writes the project
 * row with its version check, the tasks and the events). When that check is lost to another
 * command, the unit of work runs again and loading takes the project row `FOR UPDATE`: concurrent
 * commands on one project wait for each other and then see each other's changes, so ten
 * simultaneous "add task" requests get numbers 1–10 instead of nine version conflicts. Only the
 * tasks a command names are read, and only the tasks that changed are written.
 */
export class KyselyProjectRepository implements ProjectRepository {
  readonly #scope: UnitOfWorkScope;
  readonly #tracker: AggregateTracker;
  /** Each loaded project's tasks as they were read or last written, to write only what changed. */
  readonly #stored = new WeakMap<Project, Map<number, TaskPrimitives>>();

  constructor(scope: UnitOfWorkScope, tracker: AggregateTracker) {
    this.#scope = scope;
    this.#tracker = tracker;
  }

  async add(project: Project): Promise<void> {
    const row: ProjectPrimitives = { ...project.toPrimitives(), version: 1 };
    const owner = project.ownerId.toString();
    if (row.is_example) {
      // Sent at once, and DO NOTHING instead of a unique violation: an error would abort the whole
      // transaction, and with it an event delivery that only wants to learn "the example is
      // already there".
      const db = await this.#scope.transaction<ProjectsTables>();
      const insert = insertUnlessOwnerDeparted(db, row)
        // `true` as a literal: the conflict target must match the partial index in a generic plan too.
        .onConflict((conflict) =>
          conflict.column('owner_id').where('is_example', '=', sql.lit(true)).doNothing(),
        )
        .returning('id');
      // Prepared (one shape): every sign-up runs it once.
      const { rows } = await db.executeQuery(prepared(insert.compile()));
      if (rows.length === 0) {
        // Rare (a redelivery, or a sign-up handled after the deletion), so asked only then. The
        // INSERT holds the owner's lock until commit: the answer cannot change in between.
        const departed = await db
          .selectFrom('projects.departed_owners')
          .select('member_id')
          .where('member_id', '=', owner)
          .executeTakeFirst();
        throw departed === undefined ? new ExampleProjectExistsError(owner) : new OwnerDepartedError(owner);
      }
    } else {
      // The owner check rides in the INSERT itself: no round trip of its own, and a refusal fails
      // the unit of work's one statement whole (its events included), like a lost version check.
      await this.#scope.write<ProjectsTables>((db) => insertUnlessOwnerDeparted(db, row), {
        expectOneRow: () => new OwnerDepartedError(owner),
      });
    }
    const tasks = project.loadedTasks.map((task) => task.toPrimitives());
    await this.#insertTasks(project.id, tasks);
    this.#scope.markSaved(project, 1);
    this.#remember(project, tasks);
    this.#tracker.track(project);
  }

  async save(project: Project): Promise<void> {
    this.#tracker.track(project);
    // Every change of a project records an event; none recorded means nothing to write.
    if (project.recordedEvents.length === 0) return;
    const {
      id,
      version: _,
      owner_id: _o,
      is_example: _e,
      created_at: _c,
      ...changes
    } = project.toPrimitives();
    await this.#scope.saveVersioned<ProjectsTables, 'projects.projects'>(
      project,
      'project',
      'projects.projects',
      changes,
    );

    const stored = this.#stored.get(project) ?? new Map<number, TaskPrimitives>();
    const tasks = project.loadedTasks.map((task) => task.toPrimitives());
    await this.#insertTasks(
      id,
      tasks.filter((task) => !stored.has(task.number)),
    );
    for (const task of tasks) {
      const before = stored.get(task.number);
      if (before === undefined || sameTask(before, task)) continue;
      await this.#scope.write<ProjectsTables>((db) =>
        db
          .updateTable('projects.tasks')
          .set({ name: task.name, completed_at: task.completed_at })
          .where('project_id', '=', id.toString())
          .where('number', '=', task.number),
      );
    }
    this.#remember(project, tasks);
  }

  async byId(id: Id, tasks: readonly number[] = []): Promise<Project | undefined> {
    const { db, lock } = await this.#scope.forChange<ProjectsTables>(`project:${id}`);
    // Numbers that cannot be a task's are not asked for (nor can they overflow the column).
    const wanted = tasks.filter((n) => Number.isInteger(n) && n >= 1 && n <= MAX_TASK_NUMBER);
    // The row and the tasks asked for in one statement, so one moment: unlocked, two reads could
    // see a task change the row does not show yet, and a rule refused on that would write nothing
    // for the version check to catch. Prepared (ADR 0006): without a lock, a lookup on a pipelined
    // lane. Compiled once per shape (how many tasks, locked or not) and bound to the values on each
    // call: building it with Kysely was 6 % of the Node thread's profile of adding a task.
    const parameters: StatementParameter[] = [
      ...wanted.map((n, i): StatementParameter => [`task ${i}`, n]),
      ['id', id.toString()],
    ];
    const statement = PROJECT_BY_ID.bind(`${wanted.length} ${lock}`, parameters, (p) =>
      prepared(
        db
          .selectFrom('projects.projects as p')
          .select(PROJECT_ROW)
          .$if(wanted.length > 0, (withTasks) =>
            withTasks
              .leftJoin('projects.tasks as t', (join) =>
                join.onRef('t.project_id', '=', 'p.id').on(
                  't.number',
                  'in',
                  wanted.map((_, i) => p(`task ${i}`) as unknown as number),
                ),
              )
              .select([
                't.number as task_number',
                't.name as task_name',
                't.completed_at as task_completed_at',
                't.created_at as task_created_at',
              ]),
          )
          .where('p.id', '=', p('id'))
          .where('p.deleted_at', 'is', null)
          .$if(lock, (locked) => locked.forUpdate('p'))
          .compile(),
      ),
    );
    const rows = (await db.executeQuery(statement)).rows as ProjectWithTaskRow[];
    const row = rows[0];
    if (row === undefined) return undefined;
    const taskRows = rows.flatMap((r) =>
      r.task_number == null
        ? []
        : [
            {
              number: r.task_number,
              name: r.task_name!,
              completed_at: r.task_completed_at ?? null,
              created_at: r.task_created_at!,
            },
          ],
    );
    return this.#rehydrate(row, taskRows);
  }

  async ownedBy(owner: Id): Promise<Project[]> {
    const db = await this.#scope.transaction<ProjectsTables>();
    const rows = await db
      .selectFrom('projects.projects')
      .selectAll()
      .where('owner_id', '=', owner.toString())
      .where('deleted_at', 'is', null)
      .orderBy('id')
      .forUpdate()
      .execute();
    return rows.map((row) => this.#rehydrate(row, []));
  }

  async recordDeparture(owner: Id, at: Date): Promise<void> {
    // In the transaction and at once, not queued: the member's lock must be held before `ownedBy`
    // reads, so that a project being added right now is committed, and found, by then.
    const db = await this.#scope.transaction<ProjectsTables>();
    await sql`select projects.record_departure(${owner.toString()}, ${at})`.execute(db);
  }

  async #insertTasks(projectId: Id, tasks: readonly TaskPrimitives[]): Promise<void> {
    if (tasks.length === 0) return;
    await this.#scope.insert<ProjectsTables, 'projects.tasks'>(
      'projects.tasks',
      tasks.map((task) => ({ ...task, project_id: projectId.toString() })),
    );
  }

  #rehydrate(row: Selectable<ProjectsTable>, tasks: readonly TaskPrimitives[]): Project {
    const project = Project.fromPrimitives(
      { ...row, id: Id.of(row.id), owner_id: Id.of(row.owner_id) },
      tasks,
    );
    this.#remember(project, tasks);
    return this.#tracker.track(project);
  }

  #remember(project: Project, tasks: readonly TaskPrimitives[]): void {
    this.#stored.set(project, new Map(tasks.map((task) => [task.number, task])));
  }
}

/** `byId`'s statements: one per count of tasks asked for (the commands ask for one at most) and lock. */
const PROJECT_BY_ID = new StatementsByShape();

/** Task numbers are `integer`s. */
const MAX_TASK_NUMBER = 2_147_483_647;

type ProjectWithTaskRow = Selectable<ProjectsTable> & {
  task_number?: number | null;
  task_name?: string | null;
  task_completed_at?: Date | null;
  task_created_at?: Date | null;
};

/** Every column of the row, named (ADR 0006: a prepared statement must not `SELECT *`). */
const PROJECT_COLUMNS = everyColumn<ProjectsTable>()(
  'id',
  'owner_id',
  'name',
  'status',
  'max_incomplete_tasks',
  'is_example',
  'next_task_number',
  'task_count',
  'completed_task_count',
  'created_at',
  'updated_at',
  'deleted_at',
  'version',
);
/** The same, from the alias `p` (the row is read joined to the tasks asked for). */
const PROJECT_ROW = PROJECT_COLUMNS.map((column) => `p.${column}` as const);

/**
 * `INSERT … SELECT <the row> WHERE NOT projects.owner_departed(owner)`: inserts nothing for an
 * owner who departed. The function takes the owner's lock shared, and the reaction to their
 * deletion takes it exclusively (migration 20261130_1400), so the two cannot pass each other: a
 * project is either refused, or committed before the reaction looks for the owner's projects.
 * The values are parameters of no stated type; PostgreSQL gives them the columns' types.
 */
function insertUnlessOwnerDeparted(db: Kysely<ProjectsTables>, row: ProjectPrimitives) {
  return db
    .insertInto('projects.projects')
    .columns(PROJECT_COLUMNS)
    .expression(
      db
        .selectNoFrom((eb) => PROJECT_COLUMNS.map((column) => eb.val(row[column]).as(column)))
        .where(sql<boolean>`not projects.owner_departed(${row.owner_id})`),
    );
}

function sameTask(a: TaskPrimitives, b: TaskPrimitives): boolean {
  return a.name === b.name && a.completed_at?.getTime() === b.completed_at?.getTime();
}
