import type { Id } from '../../../shared/domain/id.ts';
import type { ProjectsDependencies } from './dependencies.ts';
import { loadOwnedProject } from './load-project.ts';
import { type ProjectView, toProjectView } from './views.ts';

export interface UnarchiveProject {
  readonly type: 'projects.unarchive_project';
  readonly ownerId: Id;
  readonly projectId: Id;
}

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
