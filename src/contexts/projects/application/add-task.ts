import type { Id } from '../../../shared/domain/id.ts';
import { TaskName } from '../domain/task-name.ts';
import type { ProjectsDependencies } from './dependencies.ts';
import { loadOwnedProject } from './load-project.ts';
import { type TaskView, toTaskView } from './views.ts';

export interface AddTask {
  readonly type: 'projects.add_task';
  readonly ownerId: Id;
  readonly projectId: Id;
  readonly name: string;
}

export async function addTask(command: AddTask, deps: ProjectsDependencies): Promise<TaskView> {
  const name = TaskName.parse(command.name);
  return deps.uow().run(async ({ projects }) => {
    // No task is loaded: the number and the limit come from the project's counters.
    const project = await loadOwnedProject(projects, command.projectId, command.ownerId);
    const task = project.addTask(name, deps.tools);
    await projects.save(project);
    return toTaskView(task);
  });
}
