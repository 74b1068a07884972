import { AggregateRoot } from '../../../shared/domain/aggregate-root.ts';
import type { DomainTools } from '../../../shared/domain/domain-tools.ts';
import type { Id } from '../../../shared/domain/id.ts';
import {
  IncompleteTasksError,
  ProjectArchivedError,
  ProjectNotArchivedError,
  ProjectNotFoundError,
  TaskLimitReachedError,
  TaskLimitTooLowError,
  TaskNotFoundError,
  TaskNumbersExhaustedError,
} from './errors.ts';
import type { ClosingReason, ProjectEvent } from './events.ts';
import { IncompleteTaskLimit } from './incomplete-task-limit.ts';
import { ProjectName } from './project-name.ts';
import { Task, type TaskPrimitives } from './task.ts';
import type { TaskName } from './task-name.ts';

export type ProjectStatus = 'active' | 'archived';

/** What a project is made of, as storage keeps it: its row, without its tasks. */
export interface ProjectPrimitives {
  readonly id: Id;
  readonly owner_id: Id;
  readonly name: string;
  readonly status: ProjectStatus;
  readonly max_incomplete_tasks: number | null;
  readonly is_example: boolean;
  readonly next_task_number: number;
  readonly task_count: number;
  readonly completed_task_count: number;
  readonly created_at: Date;
  readonly updated_at: Date;
  readonly deleted_at: Date | null;
  readonly version: number;
}

/**
 * A member's project and its tasks: the consistency boundary for every task rule.
 *
 * A project may have thousands of tasks, and no rule needs all of them: the project keeps the
 * counters its rules need (next task number, task count, completed count) and holds only the
 * tasks a command loaded with it. Adding a task or archiving loads no task at all; completing
 * task 7 loads task 7. Because tasks are never removed and numbers never reused, task n exists
 * exactly when 1 ≤ n < next task number, so "no such task" is known without loading anything.
 */
export class Project extends AggregateRoot<ProjectEvent> {
  protected readonly aggregateType = 'project';
  readonly id: Id;
  readonly ownerId: Id;
  /** The "My first project" every member gets on sign-up; at most one per member. */
  readonly isExample: boolean;
  readonly createdAt: Date;
  #name: ProjectName;
  #status: ProjectStatus;
  #limit: IncompleteTaskLimit | null;
  #nextTaskNumber: number;
  #taskCount: number;
  #completedTaskCount: number;
  #updatedAt: Date;
  #deletedAt: Date | null;
  /** The tasks loaded with the project (or added to it), by number: not necessarily all of them. */
  readonly #tasks = new Map<number, Task>();

  private constructor(state: ProjectPrimitives, tasks: readonly TaskPrimitives[]) {
    super(state.version);
    this.id = state.id;
    this.ownerId = state.owner_id;
    this.isExample = state.is_example;
    this.createdAt = state.created_at;
    this.#name = ProjectName.parse(state.name);
    this.#status = state.status;
    this.#limit =
      state.max_incomplete_tasks === null ? null : IncompleteTaskLimit.of(state.max_incomplete_tasks);
    this.#nextTaskNumber = state.next_task_number;
    this.#taskCount = state.task_count;
    this.#completedTaskCount = state.completed_task_count;
    this.#updatedAt = state.updated_at;
    this.#deletedAt = state.deleted_at;
    for (const task of tasks) this.#tasks.set(task.number, Task.fromPrimitives(task));
  }

  static create(
    input: {
      owner: Id;
      name: ProjectName;
      limit?: IncompleteTaskLimit | null;
      example?: boolean;
    },
    tools: DomainTools,
  ): Project {
    const now = tools.clock.now();
    const project = new Project(
      {
        id: tools.ids.next(),
        owner_id: input.owner,
        name: input.name.value,
        status: 'active',
        max_incomplete_tasks: input.limit?.value ?? null,
        is_example: input.example ?? false,
        next_task_number: 1,
        task_count: 0,
        completed_task_count: 0,
        created_at: now,
        updated_at: now,
        deleted_at: null,
        version: 0,
      },
      [],
    );
    project.record(tools, 'projects.project_created', {
      owner_id: project.ownerId.toString(),
      name: project.name.value,
      max_incomplete_tasks: project.limit?.value ?? null,
      is_example: project.isExample,
    });
    return project;
  }

  /** Rehydrates a stored project with the tasks loaded with it; records no event. */
  static fromPrimitives(state: ProjectPrimitives, tasks: readonly TaskPrimitives[] = []): Project {
    return new Project(state, tasks);
  }

  get name(): ProjectName {
    return this.#name;
  }

  get status(): ProjectStatus {
    return this.#status;
  }

  get limit(): IncompleteTaskLimit | null {
    return this.#limit;
  }

  get taskCount(): number {
    return this.#taskCount;
  }

  get completedTaskCount(): number {
    return this.#completedTaskCount;
  }

  get incompleteTaskCount(): number {
    return this.#taskCount - this.#completedTaskCount;
  }

  get updatedAt(): Date {
    return this.#updatedAt;
  }

  get isDeleted(): boolean {
    return this.#deletedAt !== null;
  }

  /** The tasks loaded with this project, by number. */
  get loadedTasks(): readonly Task[] {
    return [...this.#tasks.values()].sort((a, b) => a.number - b.number);
  }

  isOwnedBy(member: Id): boolean {
    return this.ownerId === member;
  }

  /** A task of this project; it must have been loaded with it. */
  task(number: number): Task {
    this.#assertExists();
    if (!Number.isInteger(number) || number < 1 || number >= this.#nextTaskNumber) {
      throw new TaskNotFoundError(this.id.toString(), number);
    }
    const task = this.#tasks.get(number);
    // The task exists but the repository was not asked for it: a bug in the use case, not input.
    if (task === undefined) throw new Error(`Task ${number} of project ${this.id} was not loaded with it`);
    return task;
  }

  rename(name: ProjectName, tools: DomainTools): void {
    this.#assertActive('be renamed');
    if (name.equals(this.#name)) return;
    const old = this.#name;
    this.#name = name;
    this.#touch(tools);
    this.record(tools, 'projects.project_renamed', { old_name: old.value, new_name: name.value });
  }

  /** `null` lifts the limit. A limit below the incomplete tasks there are now is refused. */
  changeIncompleteTaskLimit(limit: IncompleteTaskLimit | null, tools: DomainTools): void {
    this.#assertActive('change its incomplete-task limit');
    if (limit === null ? this.#limit === null : limit.equals(this.#limit)) return;
    if (limit !== null && !limit.allows(this.incompleteTaskCount)) {
      throw new TaskLimitTooLowError(this.id.toString(), limit.value, this.incompleteTaskCount);
    }
    this.#limit = limit;
    this.#touch(tools);
    this.record(tools, 'projects.incomplete_task_limit_changed', {
      max_incomplete_tasks: limit?.value ?? null,
    });
  }

  /** Only an active project whose every task is complete can be archived. */
  archive(tools: DomainTools): void {
    this.#assertActive('be archived again');
    if (this.incompleteTaskCount > 0)
      throw new IncompleteTasksError(this.id.toString(), this.incompleteTaskCount);
    this.#status = 'archived';
    this.#touch(tools);
    this.record(tools, 'projects.project_archived', { reason: 'requested' });
  }

  unarchive(tools: DomainTools): void {
    this.#assertExists();
    if (this.#status !== 'archived') throw new ProjectNotArchivedError(this.id.toString(), 'unarchived');
    this.#status = 'active';
    this.#touch(tools);
    this.record(tools, 'projects.project_unarchived', {});
  }

  /** Soft delete, of an archived project only: the rows stay for audit; the project is never shown again. */
  delete(tools: DomainTools): void {
    this.#assertExists();
    if (this.#status !== 'archived') throw new ProjectNotArchivedError(this.id.toString(), 'deleted');
    this.#markDeleted(tools, 'requested');
  }

  /**
   * The owner's account is gone: the project is archived and deleted whatever its tasks, which
   * stay as they were (a record of what was left undone). This is the one way an archived
   * project can hold incomplete tasks; the archive rule protects the owner's own decisions.
   */
  closeBecauseOwnerLeft(tools: DomainTools): void {
    if (this.#deletedAt !== null) return;
    if (this.#status === 'active') {
      this.#status = 'archived';
      this.record(tools, 'projects.project_archived', { reason: 'owner_deleted' });
    }
    this.#markDeleted(tools, 'owner_deleted');
  }

  addTask(name: TaskName, tools: DomainTools): Task {
    this.#assertActive('get new tasks');
    if (this.#limit !== null && !this.#limit.allows(this.incompleteTaskCount + 1)) {
      throw new TaskLimitReachedError(this.id.toString(), this.#limit.value);
    }
    if (this.#nextTaskNumber > Task.MAX_NUMBER) throw new TaskNumbersExhaustedError(this.id.toString());
    const task = Task.open(this.#nextTaskNumber, name, tools.clock.now());
    this.#tasks.set(task.number, task);
    this.#nextTaskNumber += 1;
    this.#taskCount += 1;
    this.#touch(tools);
    this.record(tools, 'projects.task_added', { number: task.number, name: name.value });
    return task;
  }

  renameTask(number: number, name: TaskName, tools: DomainTools): Task {
    const task = this.task(number);
    this.#assertActive('have its tasks renamed');
    if (name.equals(task.name)) return task;
    const renamed = this.#replace(task.renamed(name));
    this.#touch(tools);
    this.record(tools, 'projects.task_renamed', { number, old_name: task.name.value, new_name: name.value });
    return renamed;
  }

  /** Idempotent: completing a completed task changes nothing and keeps its first completion time. */
  completeTask(number: number, tools: DomainTools): Task {
    const task = this.task(number);
    if (task.isComplete) return task;
    this.#assertActive('have its tasks completed');
    const completed = this.#replace(task.completed(tools.clock.now()));
    this.#completedTaskCount += 1;
    this.#touch(tools);
    this.record(tools, 'projects.task_completed', {
      number,
      completed_at: completed.completedAt!.toISOString(),
    });
    return completed;
  }

  /** Idempotent; reopening counts against the incomplete-task limit like adding does. */
  reopenTask(number: number, tools: DomainTools): Task {
    const task = this.task(number);
    if (!task.isComplete) return task;
    this.#assertActive('have its tasks reopened');
    if (this.#limit !== null && !this.#limit.allows(this.incompleteTaskCount + 1)) {
      throw new TaskLimitReachedError(this.id.toString(), this.#limit.value);
    }
    const reopened = this.#replace(task.reopened());
    this.#completedTaskCount -= 1;
    this.#touch(tools);
    this.record(tools, 'projects.task_reopened', { number });
    return reopened;
  }

  toPrimitives(): ProjectPrimitives {
    return {
      id: this.id,
      owner_id: this.ownerId,
      name: this.#name.value,
      status: this.#status,
      max_incomplete_tasks: this.#limit?.value ?? null,
      is_example: this.isExample,
      next_task_number: this.#nextTaskNumber,
      task_count: this.#taskCount,
      completed_task_count: this.#completedTaskCount,
      created_at: this.createdAt,
      updated_at: this.#updatedAt,
      deleted_at: this.#deletedAt,
      version: this.version,
    };
  }

  #assertExists(): void {
    if (this.#deletedAt !== null) throw new ProjectNotFoundError(this.id.toString());
  }

  #assertActive(action: string): void {
    this.#assertExists();
    if (this.#status === 'archived') throw new ProjectArchivedError(this.id.toString(), action);
  }

  #markDeleted(tools: DomainTools, reason: ClosingReason): void {
    this.#deletedAt = tools.clock.now();
    this.#updatedAt = this.#deletedAt;
    this.record(tools, 'projects.project_deleted', { reason });
  }

  #replace(task: Task): Task {
    this.#tasks.set(task.number, task);
    return task;
  }

  #touch(tools: DomainTools): void {
    this.#updatedAt = tools.clock.now();
  }
}
