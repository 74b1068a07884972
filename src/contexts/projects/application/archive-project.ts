import type { Id } from '../../../shared/domain/id.ts';
import type { ProjectsDependencies } from './dependencies.ts';
import { loadOwnedProject } from './load-project.ts';
import { type ProjectView, toProjectView } from './views.ts';

export interface ArchiveProject {
  readonly type: 'projects.archive_project';
  readonly ownerId: Id;
  readonly projectId: Id;
}

export async function archiveProject(
  command: ArchiveProject,
  deps: ProjectsDependencies,
): Promise<ProjectView> {
  return deps.uow().run(async ({ projects }) => {
    // The counters decide "every task is complete": no task is loaded.
    const project = await loadOwnedProject(projects, command.projectId, command.ownerId);
    project.archive(deps.tools);
    await projects.save(project);
    return toProjectView(project);
  });
}
