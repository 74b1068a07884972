import type { Id } from '../../../shared/domain/id.ts';
import type { ProjectsDependencies } from './dependencies.ts';

/** The reaction to accounts.member_deleted: the member's projects are archived and deleted. */
export interface CloseProjectsOfDepartedMember {
  readonly type: 'projects.close_projects_of_departed_member';
  readonly ownerId: Id;
}

/**
 * The member is remembered as departed first, in the same unit of work, so that no project of
 * theirs is created or left open afterwards, whatever the timing: a creation in progress finishes
 * before their projects are looked for (and is closed with them), a later one is refused
 * (`project.owner_departed`). Their access token stays valid for a while; this is what stops it
 * making projects.
 *
 * Idempotent: a redelivery keeps the first departure time and finds no project left that is not
 * deleted. Answers how many it closed.
 */
export async function closeProjectsOfDepartedMember(
  command: CloseProjectsOfDepartedMember,
  deps: ProjectsDependencies,
): Promise<{ closed: number }> {
  return deps.uow().run(async ({ projects }) => {
    await projects.recordDeparture(command.ownerId, deps.tools.clock.now());
    const owned = await projects.ownedBy(command.ownerId);
    for (const project of owned) {
      project.closeBecauseOwnerLeft(deps.tools);
      await projects.save(project);
    }
    return { closed: owned.length };
  });
}
