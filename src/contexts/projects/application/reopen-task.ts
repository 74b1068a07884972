import type { Id } from '../../../shared/domain/id.ts';
import type { ProjectsDependencies } from './dependencies.ts';
import { loadOwnedProject } from './load-project.ts';
import { type TaskView, toTaskView } from './views.ts';

/** Marks a completed task incomplete again (`POST …/tasks/{number}/incomplete`). */
export interface ReopenTask {
  readonly type: 'projects.reopen_task';
  readonly ownerId: Id;
  readonly projectId: Id;
  readonly number: number;
}

export async function reopenTask(command: ReopenTask, deps: ProjectsDependencies): Promise<TaskView> {
  return deps.uow().run(async ({ projects }) => {
    const project = await loadOwnedProject(projects, command.projectId, command.ownerId, [command.number]);
    const task = project.reopenTask(command.number, deps.tools);
    await projects.save(project);
    return toTaskView(task);
  });
}
