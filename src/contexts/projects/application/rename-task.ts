import type { Id } from '../../../shared/domain/id.ts';
import { TaskName } from '../domain/task-name.ts';
import type { ProjectsDependencies } from './dependencies.ts';
import { loadOwnedProject } from './load-project.ts';
import { type TaskView, toTaskView } from './views.ts';

export interface RenameTask {
  readonly type: 'projects.rename_task';
  readonly ownerId: Id;
  readonly projectId: Id;
  readonly number: number;
  readonly name: string;
}

export async function renameTask(command: RenameTask, deps: ProjectsDependencies): Promise<TaskView> {
  const name = TaskName.parse(command.name);
  return deps.uow().run(async ({ projects }) => {
    const project = await loadOwnedProject(projects, command.projectId, command.ownerId, [command.number]);
    const task = project.renameTask(command.number, name, deps.tools);
    await projects.save(project);
    return toTaskView(task);
  });
}
