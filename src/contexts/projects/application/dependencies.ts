import type { UnitOfWorkFactory } from '../../../shared/application/unit-of-work.ts';
import type { DomainTools } from '../../../shared/domain/domain-tools.ts';
import type { ProjectRepository } from '../domain/project-repository.ts';

/** The repositories a unit of work of the projects context hands out, bound to its transaction. */
export interface ProjectsRepositories {
  readonly projects: ProjectRepository;
}

/** What the projects use cases need, wired by the context's index.ts (or by a test, with fakes). */
export interface ProjectsDependencies {
  readonly uow: UnitOfWorkFactory<ProjectsRepositories>;
  readonly tools: DomainTools;
}
