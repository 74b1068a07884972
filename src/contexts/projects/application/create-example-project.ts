import type { Id } from '../../../shared/domain/id.ts';
import { ExampleProjectExistsError, OwnerDepartedError } from '../domain/errors.ts';
import { exampleProjectFor } from '../domain/example-project.ts';
import type { ProjectsDependencies } from './dependencies.ts';

/** Gives a member who just signed up their example project (the reaction to accounts.member_registered). */
export interface CreateExampleProject {
  readonly type: 'projects.create_example_project';
  readonly ownerId: Id;
}

/**
 * Idempotent in the data itself: the store keeps at most one example project per member, so a
 * redelivered sign-up event, or two deliveries racing, leave exactly one. Answers whether this
 * call made it.
 *
 * A member who already departed gets none: their sign-up can be handled after their deletion
 * (a delivery retried once they were gone), and the project would stay open for nobody.
 */
export async function createExampleProject(
  command: CreateExampleProject,
  deps: ProjectsDependencies,
): Promise<{ created: boolean }> {
  return deps.uow().run(async ({ projects }) => {
    try {
      await projects.add(exampleProjectFor(command.ownerId, deps.tools));
      return { created: true };
    } catch (error) {
      if (error instanceof ExampleProjectExistsError || error instanceof OwnerDepartedError) {
        return { created: false };
      }
      throw error;
    }
  });
}
