import type { Id } from '../../../shared/domain/id.ts';
import type { ProjectsDependencies } from './dependencies.ts';
import { loadOwnedProject } from './load-project.ts';
import { type TaskView, toTaskView } from './views.ts';

export interface CompleteTask {
  readonly type: 'projects.complete_task';
  readonly ownerId: Id;
  readonly projectId: Id;
  readonly number: number;
}

export async function completeTask(command: CompleteTask, deps: ProjectsDependencies): Promise<TaskView> {
  return deps.uow().run(async ({ projects }) => {
    const project = await loadOwnedProject(projects, command.projectId, command.ownerId, [command.number]);
    const task = project.completeTask(command.number, deps.tools);
    await projects.save(project);
    return toTaskView(task);
  });
}
