import { ConcurrencyError } from '../../../shared/domain/domain-error.ts';
import type { Id } from '../../../shared/domain/id.ts';
import type { InMemoryTable } from '../../../shared/infrastructure/in-memory-unit-of-work.ts';
import type { AggregateTracker } from '../../../shared/infrastructure/unit-of-work.ts';
import { ExampleProjectExistsError, OwnerDepartedError } from '../domain/errors.ts';
import { Project, type ProjectPrimitives } from '../domain/project.ts';
import type { ProjectRepository } from '../domain/project-repository.ts';
import type { TaskPrimitives } from '../domain/task.ts';

export type StoredProject = ProjectPrimitives;
export interface StoredTask extends TaskPrimitives {
  readonly project_id: Id;
}
/** A member who deleted their account, keyed by their id. */
export interface StoredDepartedOwner {
  readonly member_id: Id;
  readonly departed_at: Date;
}

/**
 * The project repository kept in memory: a fake for use-case tests, held to the same contract
 * tests as the Kysely one. Tasks are keyed `<project id>:<number>`. It has no locks to take:
 * JavaScript runs one use case's synchronous steps at a time, and the tests that need real
 * concurrency run against PostgreSQL.
 */
export class InMemoryProjectRepository implements ProjectRepository {
  readonly #projects: InMemoryTable<StoredProject>;
  readonly #tasks: InMemoryTable<StoredTask>;
  readonly #tracker: AggregateTracker;
  readonly #departed: InMemoryTable<StoredDepartedOwner>;

  constructor(
    projects: InMemoryTable<StoredProject>,
    tasks: InMemoryTable<StoredTask>,
    departed: InMemoryTable<StoredDepartedOwner>,
    tracker: AggregateTracker,
  ) {
    this.#projects = projects;
    this.#tasks = tasks;
    this.#tracker = tracker;
    this.#departed = departed;
  }

  async add(project: Project): Promise<void> {
    if (this.#departed.rows.has(project.ownerId.toString())) {
      throw new OwnerDepartedError(project.ownerId.toString());
    }
    if (project.isExample) {
      for (const row of this.#projects.rows.values()) {
        if (row.is_example && row.owner_id === project.ownerId)
          throw new ExampleProjectExistsError(project.ownerId.toString());
      }
    }
    this.#projects.set(project.id.toString(), { ...project.toPrimitives(), version: 1 });
    this.#writeTasks(project);
    project.markSaved(1);
    this.#tracker.track(project);
  }

  async save(project: Project): Promise<void> {
    this.#tracker.track(project);
    if (project.recordedEvents.length === 0) return;
    const stored = this.#projects.rows.get(project.id.toString());
    if (stored === undefined || stored.version !== project.version)
      throw new ConcurrencyError('project', project.id.toString());
    this.#projects.set(project.id.toString(), { ...project.toPrimitives(), version: project.version + 1 });
    this.#writeTasks(project);
    project.markSaved(project.version + 1);
  }

  async byId(id: Id, tasks: readonly number[] = []): Promise<Project | undefined> {
    const row = this.#projects.rows.get(id.toString());
    if (row === undefined || row.deleted_at !== null) return undefined;
    const loaded = tasks.flatMap((number) => {
      const task = this.#tasks.rows.get(`${id}:${number}`);
      return task === undefined ? [] : [task];
    });
    return this.#tracker.track(Project.fromPrimitives(row, loaded));
  }

  async ownedBy(owner: Id): Promise<Project[]> {
    return [...this.#projects.rows.values()]
      .filter((row) => row.owner_id === owner && row.deleted_at === null)
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((row) => this.#tracker.track(Project.fromPrimitives(row)));
  }

  async recordDeparture(owner: Id, at: Date): Promise<void> {
    if (this.#departed.rows.has(owner.toString())) return;
    this.#departed.set(owner.toString(), { member_id: owner, departed_at: at });
  }

  #writeTasks(project: Project): void {
    for (const task of project.loadedTasks) {
      this.#tasks.set(`${project.id}:${task.number}`, { ...task.toPrimitives(), project_id: project.id });
    }
  }
}
