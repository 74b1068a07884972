import { type CompiledQuery, type Kysely, sql } from 'kysely';
import { type Page, type PageRequest, toPage } from '../../../shared/application/pagination.ts';
import type { Id } from '../../../shared/domain/id.ts';
import { instantText, isoInstant, isoStamps, stampTexts } from '../../../shared/infrastructure/instants.ts';
import { prepared } from '../../../shared/infrastructure/prepared-statements.ts';
import {
  type StatementParameter,
  StatementsByShape,
} from '../../../shared/infrastructure/statements-by-shape.ts';
import type { ProjectFilter, ProjectQueries, TaskFilter, TaskLookup } from '../application/queries.ts';
import type { ProjectView, TaskView } from '../application/views.ts';
import { Task } from '../domain/task.ts';
import type { ProjectsTables } from './tables.ts';

/** What a project's view shows (its instants as text); the repository's `PROJECT_COLUMNS` is every column it stores. */
const PROJECT_VIEW_COLUMNS = [
  'id',
  'name',
  'status',
  'max_incomplete_tasks',
  'task_count',
  'completed_task_count',
  ...stampTexts(),
] as const;

/**
 * The projects read side, in SQL on the read database. Task counts are the counters the project
 * row keeps in step with its tasks in every command's transaction, so a list of projects costs
 * one index range scan, with no join and no count(*) over tasks.
 */
export class KyselyProjectQueries implements ProjectQueries {
  readonly #db: Kysely<ProjectsTables>;
  /** The list's statement for each combination of filters, compiled once. */
  readonly #lists = new StatementsByShape();

  constructor(db: Kysely<unknown>) {
    this.#db = db as Kysely<ProjectsTables>;
  }

  /** The owner's projects that are not deleted; `owner` is the member id as a string. */
  #visible(owner: string) {
    return this.#db
      .selectFrom('projects.projects')
      .where('owner_id', '=', owner)
      .where('deleted_at', 'is', null);
  }

  async list(owner: Id, filter: ProjectFilter, page: PageRequest): Promise<Page<ProjectView>> {
    const { status } = filter;
    const { after } = page;
    const parameters: StatementParameter[] = [
      ['owner', owner.toString()],
      ['status', status],
      ['after', after?.toString()],
      ['limit', page.limit + 1],
    ];
    const statement = this.#lists.bind<ProjectRow>(
      `projects ${status !== undefined} ${after !== undefined}`,
      parameters,
      (p) => {
        let query = this.#visible(p('owner'))
          .select(PROJECT_VIEW_COLUMNS)
          .orderBy('id')
          .limit(sql<number>`${p('limit')}`);
        if (status !== undefined) query = query.where('status', '=', p('status') as ProjectView['status']);
        if (after !== undefined) query = query.where('id', '>', p('after'));
        // A lookup by owner (indexed) whatever the values: safe to plan once per connection.
        return prepared(query.compile() as CompiledQuery<ProjectRow>);
      },
    );
    const { rows } = await this.#db.executeQuery(statement);
    return toPage(rows.map(toProjectView), page.limit, (view) => view.id);
  }

  async byId(owner: Id, id: Id): Promise<ProjectView | undefined> {
    const row = await this.#visible(owner.toString())
      .select(PROJECT_VIEW_COLUMNS)
      .where('id', '=', id.toString())
      .executeTakeFirst();
    return row && toProjectView(row);
  }

  async tasks(
    owner: Id,
    projectId: Id,
    filter: TaskFilter,
    page: PageRequest,
  ): Promise<Page<TaskView> | undefined> {
    const project = await this.#visible(owner.toString())
      .select('id')
      .where('id', '=', projectId.toString())
      .executeTakeFirst();
    if (project === undefined) return undefined;
    // A cursor past the highest possible number ends the list (and never overflows the column).
    if (page.after !== undefined && page.after > BigInt(Task.MAX_NUMBER))
      return { items: [], next_cursor: null };
    let query = this.#db
      .selectFrom('projects.tasks')
      .select(['number', 'name', instantText<string | null>('completed_at').as('completed_at')])
      .where('project_id', '=', projectId.toString())
      .orderBy('number')
      .limit(page.limit + 1);
    if (filter.completed !== undefined)
      query = query.where('completed_at', filter.completed ? 'is not' : 'is', null);
    if (page.after !== undefined) query = query.where('number', '>', Number(page.after));
    const rows = await query.execute();
    return toPage(rows.map(toTaskView), page.limit, (view) => String(view.number));
  }

  async task(owner: Id, projectId: Id, number: number): Promise<TaskLookup> {
    const row = await this.#visible(owner.toString())
      .leftJoin('projects.tasks as t', (join) =>
        join.onRef('t.project_id', '=', 'projects.projects.id').on('t.number', '=', number),
      )
      .select(['t.number', 't.name', instantText<string | null>('t.completed_at').as('completed_at')])
      .where('projects.projects.id', '=', projectId.toString())
      .executeTakeFirst();
    if (row === undefined) return { project: 'missing' };
    if (row.number === null || row.name === null) return { project: 'found', task: undefined };
    return {
      project: 'found',
      task: toTaskView({ number: row.number, name: row.name, completed_at: row.completed_at }),
    };
  }
}

interface ProjectRow {
  id: string;
  name: string;
  status: ProjectView['status'];
  max_incomplete_tasks: number | null;
  task_count: number;
  completed_task_count: number;
  /** As text (`instantText`). */
  created_at: string;
  updated_at: string;
}

function toProjectView(row: ProjectRow): ProjectView {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    max_incomplete_tasks: row.max_incomplete_tasks,
    task_count: row.task_count,
    completed_task_count: row.completed_task_count,
    ...isoStamps(row),
  };
}

/** `completed_at` as text (`instantText`). */
function toTaskView(row: { number: number; name: string; completed_at: string | null }): TaskView {
  return { ...row, completed_at: row.completed_at === null ? null : isoInstant(row.completed_at) };
}
