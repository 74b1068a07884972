import type { Id } from '../../../shared/domain/id.ts';
import type { Project } from './project.ts';

/**
 * Stores projects with their tasks. Reads never see deleted projects.
 *
 * Loading a project claims it for the rest of the transaction (a row lock on a server), so two
 * commands on one project take turns instead of failing: the second sees what the first did.
 * `save` still checks the version and answers `ConcurrencyError` for a stale project.
 */
export interface ProjectRepository {
  /**
   * Stores a new project and its tasks. A second example project for one member is refused with
   * `ExampleProjectExistsError`, decided by the database even under a race, and without spoiling
   * the surrounding transaction (an event delivery can still record itself as done). A project of
   * an owner who departed (`recordDeparture`) is refused with `OwnerDepartedError`, decided by the
   * database too: an example project at once, like the above (and before it); any other one by
   * the time the unit of work commits, which then fails whole, as for a lost version check.
   */
  add(project: Project): Promise<void>;
  /** Stores a loaded project's changes: its row, and the tasks it added or changed. */
  save(project: Project): Promise<void>;
  /** A project that is not deleted, with those of the tasks numbered in `tasks` that exist. */
  byId(id: Id, tasks?: readonly number[]): Promise<Project | undefined>;
  /** Every project of a member that is not deleted, in id order, without tasks. */
  ownedBy(owner: Id): Promise<Project[]>;
  /**
   * Remembers that `owner` departed (deleted their account) at `at`, so that `add` refuses their
   * projects from now on. Idempotent: a repeat keeps the first time. Call it before `ownedBy` in
   * the same unit of work: it waits for the projects of theirs being added at that moment, so
   * `ownedBy` finds those too, and an `add` that comes after waits for this unit of work and is
   * refused. No project of a departed owner is left open, whatever the timing.
   */
  recordDeparture(owner: Id, at: Date): Promise<void>;
}
