import type { ColumnType } from 'kysely';
import type { ProjectStatus } from '../domain/project.ts';

export interface ProjectsTable {
  id: ColumnType<string, bigint | string, never>;
  owner_id: ColumnType<string, bigint | string, never>;
  name: string;
  status: ProjectStatus;
  max_incomplete_tasks: number | null;
  is_example: ColumnType<boolean, boolean, never>;
  next_task_number: number;
  task_count: number;
  completed_task_count: number;
  created_at: ColumnType<Date, Date, never>;
  updated_at: Date;
  deleted_at: Date | null;
  version: number;
}

export interface TasksTable {
  project_id: ColumnType<string, bigint | string, never>;
  number: ColumnType<number, number, never>;
  name: string;
  completed_at: Date | null;
  created_at: ColumnType<Date, Date, never>;
}

/** A member who deleted their account: `add` refuses their projects (migration 20261130_1400). */
export interface DepartedOwnersTable {
  member_id: ColumnType<string, bigint | string, never>;
  departed_at: ColumnType<Date, Date, never>;
}

/** The projects schema as Kysely sees it. */
export interface ProjectsTables {
  'projects.projects': ProjectsTable;
  'projects.tasks': TasksTable;
  'projects.departed_owners': DepartedOwnersTable;
}
