import type { Page, PageRequest } from '../../../shared/application/pagination.ts';
import type { Id } from '../../../shared/domain/id.ts';
import type { ProjectStatus } from '../domain/project.ts';
import type { ProjectView, TaskView } from './views.ts';

export interface ProjectFilter {
  readonly status?: ProjectStatus;
}

export interface TaskFilter {
  readonly completed?: boolean;
}

/**
 * The read side (CQRS): answers straight from SQL as views, without loading aggregates; task
 * counts are the project row's counters. Every query is scoped to the asking member: another
 * member's project, like a deleted one, does not exist here (`undefined`).
 */
export interface ProjectQueries {
  /** The member's projects in id order, keyset-paginated on id. */
  list(owner: Id, filter: ProjectFilter, page: PageRequest): Promise<Page<ProjectView>>;
  byId(owner: Id, id: Id): Promise<ProjectView | undefined>;
  /** The project's tasks in number order, keyset-paginated on the number; undefined when the project is not the member's. */
  tasks(owner: Id, projectId: Id, filter: TaskFilter, page: PageRequest): Promise<Page<TaskView> | undefined>;
  /** One task, telling apart "no such project (of the member)" and "no such task in it". */
  task(owner: Id, projectId: Id, number: number): Promise<TaskLookup>;
}

export type TaskLookup =
  | { readonly project: 'missing' }
  | { readonly project: 'found'; readonly task: TaskView | undefined };
