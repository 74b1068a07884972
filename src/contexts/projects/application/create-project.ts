import type { Id } from '../../../shared/domain/id.ts';
import { IncompleteTaskLimit } from '../domain/incomplete-task-limit.ts';
import { Project } from '../domain/project.ts';
import { ProjectName } from '../domain/project-name.ts';
import type { ProjectsDependencies } from './dependencies.ts';
import { type ProjectView, toProjectView } from './views.ts';

export interface CreateProject {
  readonly type: 'projects.create_project';
  readonly ownerId: Id;
  readonly name: string;
  /** No limit when absent or null. */
  readonly maxIncompleteTasks?: number | null;
}

/**
 * Refused with `project.owner_departed` for a member who deleted their account (their access
 * token may still be valid): `projects.add` decides it in the same statement as the insert.
 */
export async function createProject(
  command: CreateProject,
  deps: ProjectsDependencies,
): Promise<ProjectView> {
  const name = ProjectName.parse(command.name);
  const limit =
    command.maxIncompleteTasks == null ? null : IncompleteTaskLimit.of(command.maxIncompleteTasks);
  return deps.uow().run(async ({ projects }) => {
    const project = Project.create({ owner: command.ownerId, name, limit }, deps.tools);
    await projects.add(project);
    return toProjectView(project);
  });
}
