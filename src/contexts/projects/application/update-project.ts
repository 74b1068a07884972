import type { Id } from '../../../shared/domain/id.ts';
import { IncompleteTaskLimit } from '../domain/incomplete-task-limit.ts';
import { ProjectName } from '../domain/project-name.ts';
import type { ProjectsDependencies } from './dependencies.ts';
import { loadOwnedProject } from './load-project.ts';
import { type ProjectView, toProjectView } from './views.ts';

export interface UpdateProject {
  readonly type: 'projects.update_project';
  readonly ownerId: Id;
  readonly projectId: Id;
  /** Unchanged when absent. */
  readonly name?: string;
  /** Unchanged when absent; null lifts the limit. */
  readonly maxIncompleteTasks?: number | null;
}

/** Both changes happen or neither does: they share one unit of work. */
export async function updateProject(
  command: UpdateProject,
  deps: ProjectsDependencies,
): Promise<ProjectView> {
  const name = command.name === undefined ? undefined : ProjectName.parse(command.name);
  const limit =
    command.maxIncompleteTasks === undefined
      ? undefined
      : command.maxIncompleteTasks === null
        ? null
        : IncompleteTaskLimit.of(command.maxIncompleteTasks);
  return deps.uow().run(async ({ projects }) => {
    const project = await loadOwnedProject(projects, command.projectId, command.ownerId);
    if (name !== undefined) project.rename(name, deps.tools);
    if (limit !== undefined) project.changeIncompleteTaskLimit(limit, deps.tools);
    await projects.save(project);
    return toProjectView(project);
  });
}
