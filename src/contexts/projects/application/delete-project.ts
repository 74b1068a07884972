import type { Id } from '../../../shared/domain/id.ts';
import type { ProjectsDependencies } from './dependencies.ts';
import { loadOwnedProject } from './load-project.ts';

export interface DeleteProject {
  readonly type: 'projects.delete_project';
  readonly ownerId: Id;
  readonly projectId: Id;
}

export async function deleteProject(command: DeleteProject, deps: ProjectsDependencies): Promise<undefined> {
  await deps.uow().run(async ({ projects }) => {
    const project = await loadOwnedProject(projects, command.projectId, command.ownerId);
    project.delete(deps.tools);
    await projects.save(project);
  });
  return undefined;
}
