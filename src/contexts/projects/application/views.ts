import type { Project, ProjectStatus } from '../domain/project.ts';
import type { Task } from '../domain/task.ts';

/** A project as the API shows it, with its task counts. */
export interface ProjectView {
  readonly id: string;
  readonly name: string;
  readonly status: ProjectStatus;
  readonly max_incomplete_tasks: number | null;
  readonly task_count: number;
  readonly completed_task_count: number;
  readonly created_at: string;
  readonly updated_at: string;
}

/** A task as the API shows it: known by its number within its project. */
export interface TaskView {
  readonly number: number;
  readonly name: string;
  readonly completed_at: string | null;
}

export function toProjectView(project: Project): ProjectView {
  return {
    id: project.id.toString(),
    name: project.name.value,
    status: project.status,
    max_incomplete_tasks: project.limit?.value ?? null,
    task_count: project.taskCount,
    completed_task_count: project.completedTaskCount,
    created_at: project.createdAt.toISOString(),
    updated_at: project.updatedAt.toISOString(),
  };
}

export function toTaskView(task: Task): TaskView {
  return {
    number: task.number,
    name: task.name.value,
    completed_at: task.completedAt?.toISOString() ?? null,
  };
}
