import type { Insertable, Kysely } from 'kysely';
import type { DomainTools } from '../../../shared/domain/domain-tools.ts';
import type { Id } from '../../../shared/domain/id.ts';
import type { ProjectsTable, ProjectsTables, TasksTable } from './tables.ts';

export interface BenchmarkProjectsOptions {
  /** 50 unless told. */
  readonly projectsPerMember?: number;
  /** 3 unless told; the first task of each project is completed. */
  readonly tasksPerProject?: number;
}

/** Rows per INSERT: well under PostgreSQL's 65,535 bind parameters per statement. */
const PROJECT_CHUNK = 2_000;
const TASK_CHUNK = 5_000;

/**
 * Bulk-loads benchmark data in a few multi-row INSERTs inside one transaction: for every owner,
 * `projectsPerMember` projects named "Project 1"…, each with `tasksPerProject` tasks (the first
 * completed), every tenth archived with all its tasks complete. It skips the domain and the
 * outbox on purpose: it builds a data set to measure reads and writes against, not history, and
 * it writes exactly the rows and counters the domain would have written.
 */
export async function insertBenchmarkProjects(
  db: Kysely<unknown>,
  tools: DomainTools,
  ownerIds: readonly Id[],
  options: BenchmarkProjectsOptions = {},
): Promise<{ projects: number; tasks: number }> {
  const perMember = options.projectsPerMember ?? 50;
  const perProject = options.tasksPerProject ?? 3;
  const now = tools.clock.now();
  const projectRows: Insertable<ProjectsTable>[] = [];
  const taskRows: Insertable<TasksTable>[] = [];
  for (const owner of ownerIds) {
    for (let p = 1; p <= perMember; p += 1) {
      const id = tools.ids.next().toString();
      const archived = p % 10 === 0;
      const completed = archived ? perProject : Math.min(1, perProject);
      projectRows.push({
        id,
        owner_id: owner.toString(),
        name: `Project ${p}`,
        status: archived ? 'archived' : 'active',
        max_incomplete_tasks: null,
        is_example: false,
        next_task_number: perProject + 1,
        task_count: perProject,
        completed_task_count: completed,
        created_at: now,
        updated_at: now,
        deleted_at: null,
        version: 1,
      });
      for (let n = 1; n <= perProject; n += 1) {
        taskRows.push({
          project_id: id,
          number: n,
          name: `Task ${n}`,
          completed_at: n <= completed ? now : null,
          created_at: now,
        });
      }
    }
  }
  const typed = db as Kysely<ProjectsTables>;
  await typed.transaction().execute(async (tx) => {
    for (let i = 0; i < projectRows.length; i += PROJECT_CHUNK) {
      await tx
        .insertInto('projects.projects')
        .values(projectRows.slice(i, i + PROJECT_CHUNK))
        .execute();
    }
    for (let i = 0; i < taskRows.length; i += TASK_CHUNK) {
      await tx
        .insertInto('projects.tasks')
        .values(taskRows.slice(i, i + TASK_CHUNK))
        .execute();
    }
  });
  return { projects: projectRows.length, tasks: taskRows.length };
}
