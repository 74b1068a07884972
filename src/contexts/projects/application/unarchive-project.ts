import type { Id } from '../../../shared/domain/id.ts';
import type { ProjectsDependencies } from './dependencies.ts';
import { loadOwnedProject } from './load-project.ts';
import { type ProjectView, toProjectView } from './views.ts';

export interface UnarchiveProject {
  readonly type: 'projects.unarchive_project';
  readonly ownerId: Id;
  readonly projectId: Id;
}

/**
 * Needs no check for a departed owner: the reaction to their deletion deletes every project of
 * theirs in the unit of work that records the departure, so none is left to unarchive (404), and
 * an unarchive racing it is ordered by the project's row lock and version check.
 */
export async function unarchiveProject(
  command: UnarchiveProject,
  deps: ProjectsDependencies,
): Promise<ProjectView> {
  return deps.uow().run(async ({ projects }) => {
    const project = await loadOwnedProject(projects, command.projectId, command.ownerId);
    project.unarchive(deps.tools);
    await projects.save(project);
    return toProjectView(project);
  });
}
