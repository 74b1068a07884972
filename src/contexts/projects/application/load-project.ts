import type { Id } from '../../../shared/domain/id.ts';
import { ProjectNotFoundError } from '../domain/errors.ts';
import type { Project } from '../domain/project.ts';
import type { ProjectRepository } from '../domain/project-repository.ts';

/**
 * Loads a project of `owner` with the tasks numbered in `tasks`, or fails with project.not_found;
 * someone else's project is "not found" too, so ids of other members' projects reveal nothing.
 */
export async function loadOwnedProject(
  projects: ProjectRepository,
  id: Id,
  owner: Id,
  tasks: readonly number[] = [],
): Promise<Project> {
  const project = await projects.byId(id, tasks);
  if (project === undefined || !project.isOwnedBy(owner)) throw new ProjectNotFoundError(id.toString());
  return project;
}
