import type { Id } from '../../../shared/domain/id.ts';
import type { ProjectsDependencies } from './dependencies.ts';

/** The reaction to accounts.member_deleted: the member's projects are archived and deleted. */
export interface CloseProjectsOfDepartedMember {
  readonly type: 'projects.close_projects_of_departed_member';
  readonly ownerId: Id;
}

/** Idempotent: a redelivery finds no project left that is not deleted. Answers how many it closed. */
export async function closeProjectsOfDepartedMember(
  command: CloseProjectsOfDepartedMember,
  deps: ProjectsDependencies,
): Promise<{ closed: number }> {
  return deps.uow().run(async ({ projects }) => {
    const owned = await projects.ownedBy(command.ownerId);
    for (const project of owned) {
      project.closeBecauseOwnerLeft(deps.tools);
      await projects.save(project);
    }
    return { closed: owned.length };
  });
}
